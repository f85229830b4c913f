// WATCH: initial ADDED events or replay from a resourceVersion, live events filtered by
// namespace and selectors (an object that stops matching is sent as DELETED, one that starts
// matching as ADDED, as the real watch cache does), bookmarks, timeouts, 410 as an ERROR event.
import type { StoreEvent } from './history-ring.ts';
import type { KubeObject } from './json.ts';
import type { ResourceType } from './resource-type.ts';
import { apiVersionOf } from './resource-type.ts';
import { selectorPredicate } from './list.ts';
import type { ListQuery } from './list.ts';
import { ApiError, badRequest } from './status-errors.ts';
import type { Store } from './store.ts';

export interface WatchQuery extends ListQuery {
  allowWatchBookmarks?: string | null;
  timeoutSeconds?: string | null;
  sendInitialEvents?: string | null;
}

export interface WatchSink {
  write(chunk: string): void;
  end(): void;
}

export interface WatchOptions {
  bookmarkIntervalMs: number;
  defaultTimeoutSeconds: number;
}

export interface ActiveWatch {
  resource: ResourceType;
  stop(): void;
}

const line = (type: string, objectJson: string): string => `{"type":"${type}","object":${objectJson}}\n`;

const isTrue = (v: string | null | undefined): boolean => v === 'true' || v === '1';

export function startWatch(
  store: Store,
  rt: ResourceType,
  namespace: string | undefined,
  q: WatchQuery,
  sink: WatchSink,
  opts: WatchOptions,
): ActiveWatch {
  const selector = selectorPredicate(rt, q);
  const inScope = (o: KubeObject): boolean =>
    (namespace === undefined || o.metadata.namespace === namespace) && (!selector || selector(o));
  const bookmarks = isTrue(q.allowWatchBookmarks);
  const rvParam = q.resourceVersion ?? '';
  const sendInitial = q.sendInitialEvents === undefined || q.sendInitialEvents === null ? rvParam === '' || rvParam === '0' : isTrue(q.sendInitialEvents);
  if (isTrue(q.sendInitialEvents) && q.resourceVersionMatch !== 'NotOlderThan') {
    throw badRequest('sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan');
  }
  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    sink.end();
  };

  const deliver = (ev: StoreEvent): void => {
    if (stopped) return;
    const now = inScope(ev.object);
    let type: string = ev.type;
    if (ev.type === 'MODIFIED' && ev.prev) {
      const before = inScope(ev.prev);
      if (!before && !now) return;
      if (before && !now) type = 'DELETED';
      else if (!before && now) type = 'ADDED';
    } else if (ev.type === 'DELETED') {
      if (!inScope(ev.prev ?? ev.object)) return;
    } else if (!now) return;
    ev.json ??= JSON.stringify(ev.object);
    sink.write(line(type, ev.json));
  };

  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(store.resourceVersion) };
    if (annotations) metadata['annotations'] = annotations;
    sink.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: rt.kind, apiVersion: apiVersionOf(rt), metadata } })}\n`);
  };

  // Replay before subscribing; both happen in this tick, so no event can fall between them.
  let replay: StoreEvent[] = [];
  if (!sendInitial && rvParam !== '' && rvParam !== '0') {
    const from = Number.parseInt(rvParam, 10);
    if (Number.isNaN(from)) throw badRequest(`invalid resource version: ${rvParam}`);
    try {
      replay = store.eventsSince(rt, from);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      // The real server answers 200 and sends the failure as an ERROR event, then closes.
      const status = { ...err.toStatus(), reason: 'Expired', code: 410 };
      sink.write(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
      sink.end();
      return { resource: rt, stop: () => undefined };
    }
  }
  if (sendInitial) {
    for (const o of store.list(rt, namespace)) if (inScope(o)) sink.write(line('ADDED', JSON.stringify(o)));
    if (bookmarks && isTrue(q.sendInitialEvents)) bookmark({ 'k8s.io/initial-events-end': 'true' });
  }
  for (const ev of replay) deliver(ev);
  const unsubscribe = store.subscribe(rt, deliver);

  const timeoutSeconds = q.timeoutSeconds ? Number.parseInt(q.timeoutSeconds, 10) : opts.defaultTimeoutSeconds;
  if (timeoutSeconds > 0) timers.push(setTimeout(stop, timeoutSeconds * 1000));
  if (bookmarks && opts.bookmarkIntervalMs > 0) {
    timers.push(setInterval(() => bookmark(), opts.bookmarkIntervalMs));
  }
  return { resource: rt, stop };
}
