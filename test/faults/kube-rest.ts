// The suite's own API client: plain fetch against the harness API server with its own
// User-Agent (so fault rules aimed at the provisioner never hit it and the request log tells the
// two apart). Retries connection errors for a while: the API server restarts during scenarios.
import { setTimeout as sleep } from 'node:timers/promises';

export const SUITE_USER_AGENT = 'nfs-faults-suite';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface ClaimSpec {
  namespace: string;
  name: string;
  className: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Omit to leave out resources.requests.storage entirely. */
  size?: string | null;
}

export class KubeRest {
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  async call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiAnswer> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const res = await fetch(`${this.url}${path}`, {
          method,
          headers: { 'user-agent': SUITE_USER_AGENT, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': contentType }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        return { status: res.status, body: parsed };
      } catch (err: unknown) {
        if (Date.now() > deadline) throw err;
        await sleep(100);
      }
    }
  }

  /** Like call, but any answer outside 2xx (and the statuses in `also`) throws. */
  async must(method: string, path: string, body?: unknown, also: readonly number[] = [], contentType?: string): Promise<ApiAnswer> {
    const a = await this.call(method, path, body, contentType);
    if ((a.status < 200 || a.status > 299) && !also.includes(a.status)) {
      throw new Error(`${method} ${path}: HTTP ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`);
    }
    return a;
  }

  createNamespace(name: string): Promise<ApiAnswer> {
    return this.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, [409]);
  }

  createClass(name: string, provisioner: string, parameters: Record<string, string>, reclaimPolicy: 'Delete' | 'Retain' = 'Delete'): Promise<ApiAnswer> {
    return this.must('POST', '/apis/storage.k8s.io/v1/storageclasses', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name },
      provisioner,
      parameters,
      reclaimPolicy,
      volumeBindingMode: 'Immediate',
    });
  }

  claimBody(c: ClaimSpec): unknown {
    const size = c.size === undefined ? '1Mi' : c.size;
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: c.name, namespace: c.namespace, ...(c.labels ? { labels: c.labels } : {}), ...(c.annotations ? { annotations: c.annotations } : {}) },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: c.className,
        ...(size === null ? {} : { resources: { requests: { storage: size } } }),
      },
    };
  }

  /** Creates the claim; the answer is returned as is (a 422 is the API's verdict, not an error here). */
  createClaim(c: ClaimSpec): Promise<ApiAnswer> {
    return this.call('POST', `/api/v1/namespaces/${encodeURIComponent(c.namespace)}/persistentvolumeclaims`, this.claimBody(c));
  }

  deleteClaim(namespace: string, name: string): Promise<ApiAnswer> {
    return this.must('DELETE', `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims/${encodeURIComponent(name)}`, undefined, [404]);
  }

  patchClaim(namespace: string, name: string, patch: unknown): Promise<ApiAnswer> {
    return this.call('PATCH', `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims/${encodeURIComponent(name)}`, patch, 'application/merge-patch+json');
  }
}

/** Runs fn over items with at most `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i];
      if (item !== undefined) await fn(item, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
