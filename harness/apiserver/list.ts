// LIST: selectors, limit/continue with a consistent snapshot, resourceVersion semantics.
import type { KubeObject } from './json.ts';
import type { ResourceType } from './resource-type.ts';
import { apiVersionOf } from './resource-type.ts';
import type { Predicate } from './selectors.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { ApiError, badRequest, expired } from './status-errors.ts';
import type { Store } from './store.ts';

export interface ListQuery {
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: string | null;
  continue?: string | null;
  resourceVersion?: string | null;
  resourceVersionMatch?: string | null;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

const objectKey = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export function encodeContinue(rv: number, lastKey: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Partial<ContinueToken>;
    if (t.v === 'meta.k8s.io/v1' && typeof t.rv === 'number' && typeof t.start === 'string') return { v: t.v, rv: t.rv, start: t.start };
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export function selectorPredicate(rt: ResourceType, q: Pick<ListQuery, 'labelSelector' | 'fieldSelector'>): Predicate | undefined {
  const l = parseLabelSelector(q.labelSelector);
  const f = parseFieldSelector(q.fieldSelector, rt);
  if (l && f) return (o) => l(o) && f(o);
  return l ?? f;
}

// Items in a list carry no apiVersion/kind, as the real server serves built-in lists.
function asItem(o: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

export interface ListResult {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Record<string, unknown>[];
}

export function listObjects(store: Store, rt: ResourceType, namespace: string | undefined, q: ListQuery): ListResult {
  const match = selectorPredicate(rt, q);
  const limit = q.limit ? Number.parseInt(q.limit, 10) : 0;
  if (Number.isNaN(limit) || limit < 0) throw badRequest(`invalid limit: ${q.limit ?? ''}`);
  let atRv = store.resourceVersion;
  let start = '';
  let source: KubeObject[];
  if (q.continue) {
    if (q.resourceVersion) throw badRequest('specifying resource version is not allowed when using continue');
    const token = decodeContinue(q.continue);
    atRv = token.rv;
    start = token.start;
    try {
      source = store.listAt(rt, namespace, atRv);
    } catch (err) {
      if (err instanceof ApiError && err.code === 410) {
        throw expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      throw err;
    }
  } else if (q.resourceVersion && q.resourceVersion !== '0' && (q.resourceVersionMatch === 'Exact' || (limit > 0 && !q.resourceVersionMatch))) {
    atRv = Number.parseInt(q.resourceVersion, 10);
    if (Number.isNaN(atRv)) throw badRequest(`invalid resource version: ${q.resourceVersion}`);
    if (atRv > store.resourceVersion) {
      throw new ApiError(504, 'Timeout', `Too large resource version: ${atRv}, current: ${store.resourceVersion}`, {
        causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
        retryAfterSeconds: 1,
      });
    }
    source = store.listAt(rt, namespace, atRv);
  } else {
    source = store.list(rt, namespace);
  }
  const items: Record<string, unknown>[] = [];
  let remaining = 0;
  let next: string | undefined;
  let lastKey = '';
  for (const o of source) {
    if (start && objectKey(o) < start) continue;
    if (match && !match(o)) continue;
    if (limit > 0 && items.length >= limit) {
      remaining++;
      next ??= encodeContinue(atRv, lastKey);
      continue;
    }
    items.push(asItem(o));
    lastKey = objectKey(o);
  }
  const metadata: ListResult['metadata'] = { resourceVersion: String(atRv) };
  if (next) {
    metadata.continue = next;
    if (!match) metadata.remainingItemCount = remaining;
  }
  return { apiVersion: apiVersionOf(rt), kind: `${rt.kind}List`, metadata, items };
}
