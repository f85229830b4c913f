// A reliable informer: list, then watch from the list's resourceVersion, forever.
// client-node's makeInformer stops on a watch error; this one
// - re-watches from the last seen resourceVersion when a watch ends (server timeout, dropped
//   connection), with capped exponential backoff after errors, so steady state costs no lists;
// - relists after 410 Gone (from the watch request or an ERROR event) and after list failures;
// - turns a relist into the add/update/delete events that were missed;
// - re-delivers every cached object as an update each resync period (so a missed or failed work
//   item gets another chance without any API request);
// - keeps an indexed cache that handlers and workers read instead of calling GET.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import { isGone, apiErrorMessage, StatusError } from './api-errors.ts';
import type { Clock } from './clock.ts';
import { isAbortError, sleep } from './clock.ts';

export interface ListPage<T> {
  readonly items: readonly T[];
  readonly resourceVersion: string;
  readonly continue?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** The two API calls an informer needs; lib/kube/list-watch.ts makes them on the REST client. */
export interface ListWatchSource<T> {
  list(options: { limit: number; continue?: string }, signal: AbortSignal): Promise<ListPage<T>>;
  /**
   * Watches from resourceVersion, calling onEvent for each event. Resolves when the watch ends
   * without error (server timeout, closed connection); rejects on errors (with a status code
   * when there is one, e.g. 410).
   */
  watch(resourceVersion: string, onEvent: (type: string, object: unknown) => void, signal: AbortSignal): Promise<void>;
}

export type IndexFunction<T> = (object: T) => readonly string[];

export interface InformerOptions<T> {
  /** For logs, e.g. "persistentvolumeclaims". */
  readonly name: string;
  readonly source: ListWatchSource<T>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** 0 disables resync. */
  readonly resyncPeriodMs: number;
  readonly indexers?: Readonly<Record<string, IndexFunction<T>>>;
  /**
   * Applied to every listed or watched object before it is cached or handed to handlers, as
   * client-go's SetTransform (e.g. to drop managedFields, which nothing here reads). It may change
   * the object in place: each one is fresh from JSON.parse.
   */
  readonly transform?: (object: T) => T;
  readonly pageSize?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Called after each (re)list and watch restart, for metrics/tests. */
  readonly onRestart?: (kind: 'list' | 'watch', error?: unknown) => void;
}

export interface InformerHandlers<T> {
  add?(object: T): void;
  update?(oldObject: T, newObject: T): void;
  delete?(object: T): void;
}

export function objectKey(object: KubernetesObject): string {
  const namespace = object.metadata?.namespace;
  const name = object.metadata?.name ?? '';
  return namespace === undefined || namespace === '' ? name : `${namespace}/${name}`;
}

class GoneError extends StatusError {
  constructor(message: string) {
    super(410, message);
  }
}

function isObject(value: unknown): value is KubernetesObject {
  return typeof value === 'object' && value !== null && typeof (value as KubernetesObject).metadata === 'object';
}

export class Informer<T extends KubernetesObject> {
  readonly #options: InformerOptions<T>;
  readonly #cache = new Map<string, T>();
  readonly #indexes = new Map<string, Map<string, Set<string>>>();
  readonly #handlers: InformerHandlers<T>[] = [];
  #resourceVersion = '';
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #controller: AbortController | undefined;
  #done: Promise<void> | undefined;
  #cancelResync: (() => void) | undefined;

  constructor(options: InformerOptions<T>) {
    this.#options = options;
    for (const name of Object.keys(options.indexers ?? {})) this.#indexes.set(name, new Map());
  }

  get name(): string {
    return this.#options.name;
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    this.#handlers.push(handlers);
  }

  /** True once the first list has filled the cache (stays true across relists). */
  hasSynced(): boolean {
    return this.#synced;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(new DOMException('waitForSync aborted', 'AbortError'));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  get(key: string): T | undefined {
    return this.#cache.get(key);
  }

  list(): T[] {
    return [...this.#cache.values()];
  }

  get size(): number {
    return this.#cache.size;
  }

  keys(): string[] {
    return [...this.#cache.keys()];
  }

  /** Objects whose index function returned value. */
  byIndex(indexName: string, value: string): T[] {
    const keys = this.#indexes.get(indexName)?.get(value);
    if (keys === undefined) return [];
    const out: T[] = [];
    for (const key of keys) {
      const object = this.#cache.get(key);
      if (object !== undefined) out.push(object);
    }
    return out;
  }

  /** The last resourceVersion seen (for tests and logs). */
  get resourceVersion(): string {
    return this.#resourceVersion;
  }

  start(): void {
    if (this.#controller !== undefined) return;
    const controller = new AbortController();
    this.#controller = controller;
    this.#done = this.#run(controller.signal);
    this.#scheduleResync();
  }

  async stop(): Promise<void> {
    this.#controller?.abort();
    this.#cancelResync?.();
    this.#cancelResync = undefined;
    await this.#done;
  }

  #scheduleResync(): void {
    const period = this.#options.resyncPeriodMs;
    if (period <= 0) return;
    this.#cancelResync = this.#options.clock.setTimer(() => {
      if (this.#controller?.signal.aborted === true) return;
      if (this.#synced) {
        for (const object of this.#cache.values()) this.#emit('update', object, object);
      }
      this.#scheduleResync();
    }, period);
  }

  #backoff(failures: number): number {
    const base = this.#options.backoffBaseMs ?? 500;
    const max = this.#options.backoffMaxMs ?? 30_000;
    return Math.min(max, base * 2 ** Math.max(0, failures - 1));
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { logger, clock } = this.#options;
    let failures = 0;
    let needList = true;
    let eventsBeforeWatch = this.#eventsSeen;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.#relist(signal);
          needList = false;
          failures = 0;
          this.#options.onRestart?.('list');
        }
        eventsBeforeWatch = this.#eventsSeen;
        await this.#watchOnce(signal);
        // Clean end (server timeout or closed connection): watch again from where we are.
        if (this.#eventsSeen > eventsBeforeWatch) failures = 0;
        this.#options.onRestart?.('watch');
      } catch (error: unknown) {
        if (signal.aborted) break;
        // A watch that delivered events before it broke was healthy: start the backoff over.
        if (!needList && this.#eventsSeen > eventsBeforeWatch) failures = 0;
        if (isGone(error)) {
          logger.info('resourceVersion too old; relisting', { informer: this.name, resourceVersion: this.#resourceVersion });
          needList = true;
          this.#options.onRestart?.('list', error);
          continue;
        }
        if (isAbortError(error) && !signal.aborted) {
          // The watch's idle bound (RequestTimeoutError) ran out: a quiet connection, not a failure.
          this.#options.onRestart?.('watch', error);
          continue;
        }
        failures += 1;
        const delay = this.#backoff(failures);
        logger.warn(needList ? 'list failed; retrying' : 'watch failed; retrying', {
          informer: this.name,
          error: apiErrorMessage(error),
          retryInMs: delay,
        });
        this.#options.onRestart?.(needList ? 'list' : 'watch', error);
        try {
          await sleep(clock, delay, signal);
        } catch {
          break;
        }
      }
    }
  }

  #eventsSeen = 0;

  /** One watch; an ERROR event ends it (the source may swallow exceptions from its callback). */
  async #watchOnce(signal: AbortSignal): Promise<void> {
    const watchController = new AbortController();
    const onAbort = (): void => watchController.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let failure: Error | undefined;
    try {
      await this.#options.source.watch(
        this.#resourceVersion,
        (type, object) => {
          if (failure !== undefined) return;
          try {
            this.#onWatchEvent(type, object);
          } catch (error: unknown) {
            failure = error instanceof Error ? error : new Error(String(error));
            watchController.abort(failure);
          }
        },
        watchController.signal,
      );
    } catch (error: unknown) {
      if (failure === undefined) throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (failure !== undefined) throw failure;
  }

  async #relist(signal: AbortSignal): Promise<void> {
    const pageSize = this.#options.pageSize ?? 500;
    const items: T[] = [];
    let resourceVersion = '';
    let next: string | undefined;
    do {
      const page = await this.#options.source.list(next === undefined ? { limit: pageSize } : { limit: pageSize, continue: next }, signal);
      const transform = this.#options.transform;
      for (const item of page.items) items.push(transform === undefined ? item : transform(item));
      resourceVersion = page.resourceVersion;
      next = page.continue === undefined || page.continue === '' ? undefined : page.continue;
    } while (next !== undefined && !signal.aborted);
    if (signal.aborted) return;
    this.#replace(items, resourceVersion);
  }

  #replace(items: readonly T[], resourceVersion: string): void {
    const fresh = new Map<string, T>();
    for (const item of items) fresh.set(objectKey(item), item);
    const removed: T[] = [];
    for (const [key, old] of this.#cache) {
      if (!fresh.has(key)) removed.push(old);
    }
    for (const old of removed) this.#remove(objectKey(old));
    const changes: [T | undefined, T][] = [];
    for (const [key, item] of fresh) {
      const old = this.#cache.get(key);
      if (old === undefined || old.metadata?.resourceVersion !== item.metadata?.resourceVersion) changes.push([old, item]);
      this.#store(key, item);
    }
    this.#resourceVersion = resourceVersion;
    const first = !this.#synced;
    this.#synced = true;
    for (const old of removed) this.#emit('delete', old, old);
    for (const [old, item] of changes) {
      if (old === undefined) this.#emit('add', item, item);
      else this.#emit('update', old, item);
    }
    if (first) {
      const waiters = this.#syncWaiters;
      this.#syncWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  #onWatchEvent(type: string, object: unknown): void {
    this.#eventsSeen += 1;
    if (type === 'ERROR') {
      const status = object as { code?: unknown; message?: unknown } | null;
      const code = typeof status?.code === 'number' ? status.code : 500;
      const message = typeof status?.message === 'string' ? status.message : 'watch error';
      throw code === 410 ? new GoneError(message) : new StatusError(code, message);
    }
    if (!isObject(object)) return;
    const resourceVersion = object.metadata?.resourceVersion;
    if (resourceVersion !== undefined && resourceVersion !== '') this.#resourceVersion = resourceVersion;
    if (type === 'BOOKMARK') return;
    const typed = this.#options.transform === undefined ? (object as T) : this.#options.transform(object as T);
    const key = objectKey(typed);
    if (type === 'DELETED') {
      const old = this.#cache.get(key);
      this.#remove(key);
      this.#emit('delete', old ?? typed, typed);
      return;
    }
    if (type !== 'ADDED' && type !== 'MODIFIED') return;
    const old = this.#cache.get(key);
    this.#store(key, typed);
    if (old === undefined) this.#emit('add', typed, typed);
    else this.#emit('update', old, typed);
  }

  #store(key: string, object: T): void {
    const old = this.#cache.get(key);
    if (old !== undefined) this.#unindex(key, old);
    this.#cache.set(key, object);
    for (const [name, fn] of Object.entries(this.#options.indexers ?? {})) {
      const index = this.#indexes.get(name);
      if (index === undefined) continue;
      for (const value of fn(object)) {
        let keys = index.get(value);
        if (keys === undefined) {
          keys = new Set();
          index.set(value, keys);
        }
        keys.add(key);
      }
    }
  }

  #remove(key: string): void {
    const old = this.#cache.get(key);
    if (old === undefined) return;
    this.#unindex(key, old);
    this.#cache.delete(key);
  }

  #unindex(key: string, object: T): void {
    for (const [name, fn] of Object.entries(this.#options.indexers ?? {})) {
      const index = this.#indexes.get(name);
      if (index === undefined) continue;
      for (const value of fn(object)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }

  #emit(kind: 'add' | 'update' | 'delete', oldObject: T, newObject: T): void {
    for (const handler of this.#handlers) {
      try {
        if (kind === 'add') handler.add?.(newObject);
        else if (kind === 'update') handler.update?.(oldObject, newObject);
        else handler.delete?.(newObject);
      } catch (error: unknown) {
        this.#options.logger.error('informer handler failed', { informer: this.name, error: apiErrorMessage(error) });
      }
    }
  }
}
