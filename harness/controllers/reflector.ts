// A list-and-watch cache for one resource, the harness's stand-in for client-go's reflector and
// informer: lists, then watches from the list's resourceVersion; restarts the watch after any error
// or close (with capped backoff while the API server is unreachable) and relists after 410 Gone, so
// controllers survive dropped watches and API server restarts. Handlers get every change, including
// the deletes a relist discovers.
import type { Watch } from '@kubernetes/client-node';

export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
}

export interface ListResult<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export type ChangeType = 'added' | 'updated' | 'deleted';

export interface ReflectorOptions<T extends KubeObject> {
  /** Watch path, e.g. /api/v1/persistentvolumeclaims. */
  path: string;
  list: () => Promise<ListResult<T>>;
  watch: Watch;
  onChange: (type: ChangeType, obj: T, old: T | undefined) => void;
  /** Called after every successful (re)list, once the cache holds the listed state. */
  onSynced?: () => void;
  onError?: (err: unknown) => void;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

export interface Reflector<T extends KubeObject> {
  get(key: string): T | undefined;
  list(): T[];
  /** Resolves after the first successful list. */
  synced: Promise<void>;
  /** Keeps an object the controller just wrote if it is newer than the cached one (as pv_controller's storeObjectUpdate). */
  remember(obj: T): void;
  stop(): void;
}

export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/** resourceVersions are opaque, but the harness's (like etcd's) are integers; compare when they are. */
export function isNewer(candidate: KubeObject, current: KubeObject | undefined): boolean {
  if (!current) return true;
  const a = Number(candidate.metadata?.resourceVersion);
  const b = Number(current.metadata?.resourceVersion);
  if (Number.isFinite(a) && Number.isFinite(b)) return a > b;
  return candidate.metadata?.resourceVersion !== current.metadata?.resourceVersion;
}

interface WatchErrorStatus {
  code?: number;
}

function statusCodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const rec = err as { statusCode?: unknown; code?: unknown };
  if (typeof rec.statusCode === 'number') return rec.statusCode;
  if (typeof rec.code === 'number') return rec.code;
  return undefined;
}

export function startReflector<T extends KubeObject>(opts: ReflectorOptions<T>): Reflector<T> {
  const store = new Map<string, T>();
  const backoffInitial = opts.backoffInitialMs ?? 100;
  const backoffMax = opts.backoffMaxMs ?? 2000;
  let stopped = false;
  let resourceVersion = '';
  let needRelist = true;
  let backoff = 0;
  let abort: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let resolveSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => {
    resolveSynced = resolve;
  });

  // Keys whose cached object came from remember(): the watch event for that same version must still
  // reach the handlers, or other controllers would never hear of the write.
  const remembered = new Set<string>();
  const set = (obj: T): void => {
    const key = objectKey(obj);
    const old = store.get(key);
    store.set(key, obj);
    const wasRemembered = remembered.delete(key);
    if (!old) opts.onChange('added', obj, undefined);
    else if (wasRemembered || old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) opts.onChange('updated', obj, old);
  };

  const relist = async (): Promise<void> => {
    const result = await opts.list();
    const seen = new Set<string>();
    for (const item of result.items) {
      seen.add(objectKey(item));
      set(item);
    }
    for (const [key, obj] of [...store]) {
      if (!seen.has(key)) {
        store.delete(key);
        opts.onChange('deleted', obj, undefined);
      }
    }
    resourceVersion = result.metadata?.resourceVersion ?? '';
    needRelist = false;
    resolveSynced();
    opts.onSynced?.();
  };

  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, ms);
  };

  const fail = (err: unknown): void => {
    if (stopped) return;
    if (statusCodeOf(err) === 410) needRelist = true;
    else opts.onError?.(err);
    backoff = backoff === 0 ? backoffInitial : Math.min(backoff * 2, backoffMax);
    schedule(backoff);
  };

  const run = async (): Promise<void> => {
    if (stopped) return;
    try {
      if (needRelist) await relist();
      if (stopped) return;
      let done = false;
      let endedByErrorEvent = false;
      const onDone = (err: unknown): void => {
        if (done) return;
        done = true;
        abort = undefined;
        if (stopped) return;
        if (endedByErrorEvent) {
          // We closed it after an ERROR event: relist at once after 410, else back off.
          if (needRelist) schedule(0);
          else fail(new Error('watch ended with an ERROR event'));
          return;
        }
        if (err && !(err instanceof Error && err.name === 'TimeoutError')) {
          fail(err);
          return;
        }
        // A clean close (server timeout, dropped connection, client inactivity timeout): resume
        // from the last resourceVersion at once; the server answers 410 if that is too old.
        schedule(0);
      };
      // The server closes the watch after timeoutSeconds (spread like client-go does), well
      // before the client's inactivity timeout.
      const timeoutSeconds = 30 + Math.floor(Math.random() * 30);
      let currentAbort: AbortController | undefined;
      abort = currentAbort = await opts.watch.watch(
        opts.path,
        { resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
        (type: string, raw: unknown) => {
          if (stopped) return;
          const obj = raw as T;
          if (type === 'ERROR') {
            // Kubernetes ends a watch after an ERROR event; end it here too in case the server does
            // not (as client-go's reflector stops watching on one).
            const status = raw as WatchErrorStatus;
            if (status.code === 410) needRelist = true;
            endedByErrorEvent = true;
            currentAbort?.abort();
            return;
          }
          backoff = 0;
          const rv = obj.metadata?.resourceVersion;
          if (rv) resourceVersion = rv;
          if (type === 'BOOKMARK') return;
          if (type === 'DELETED') {
            const key = objectKey(obj);
            const old = store.get(key);
            store.delete(key);
            remembered.delete(key);
            opts.onChange('deleted', obj, old);
          } else {
            set(obj);
          }
        },
        onDone,
      );
      if (stopped || endedByErrorEvent) currentAbort.abort();
    } catch (err: unknown) {
      fail(err);
    }
  };

  void run();

  return {
    get: (key) => store.get(key),
    list: () => [...store.values()],
    synced,
    remember(obj) {
      const key = objectKey(obj);
      if (store.has(key) && isNewer(obj, store.get(key))) {
        store.set(key, obj);
        remembered.add(key);
      }
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort?.abort();
      resolveSynced();
    },
  };
}
