// The bench's own view of claims and volumes: one watch on claims and one on PVs, timestamps from
// the monotonic clock (creationTimestamp has only second resolution). Latency = first time this
// watch saw the PV (or the claim Bound) minus the time the claim was created (the earlier of the
// create response and this watch's ADDED event, so both ends come from the same observer).
import { performance } from 'node:perf_hooks';
import type { Watch } from '@kubernetes/client-node';

export interface ClaimTimes {
  createdAt?: number;
  pvAt?: number;
  boundAt?: number;
  deleteRequestedAt?: number;
  pvGoneAt?: number;
  pvName?: string;
}

export interface WatchedObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; finalizers?: string[]; deletionTimestamp?: unknown };
  spec?: { claimRef?: { namespace?: string; name?: string } };
  status?: { phase?: string };
}

export interface TrackerOptions {
  watch: Watch;
  namespace: string;
  /** resourceVersion to start both watches from (skips the ADDED events of existing objects). */
  resourceVersion?: string;
  onError?: (err: unknown) => void;
}

export class Tracker {
  readonly claims = new Map<string, ClaimTimes>();
  private readonly listeners = new Set<() => void>();
  private readonly volumeListeners = new Set<(type: string, obj: WatchedObject) => void>();
  private readonly aborts = new Set<AbortController>();
  private stopped = false;
  private readonly opts: TrackerOptions;

  constructor(opts: TrackerOptions) {
    this.opts = opts;
  }

  times(name: string): ClaimTimes {
    let t = this.claims.get(name);
    if (!t) {
      t = {};
      this.claims.set(name, t);
    }
    return t;
  }

  markCreated(name: string, at = performance.now()): void {
    const t = this.times(name);
    t.createdAt = t.createdAt === undefined ? at : Math.min(t.createdAt, at);
    this.changed();
  }

  markDeleteRequested(name: string, at = performance.now()): void {
    this.times(name).deleteRequestedAt = at;
  }

  async start(): Promise<void> {
    await Promise.all([
      this.run(`/api/v1/namespaces/${this.opts.namespace}/persistentvolumeclaims`, (type, obj) => this.onClaim(type, obj)),
      this.run('/api/v1/persistentvolumes', (type, obj) => this.onVolume(type, obj)),
    ]);
  }

  stop(): void {
    this.stopped = true;
    for (const a of this.aborts) a.abort();
    this.aborts.clear();
  }

  /** Resolves when cond() holds (checked within 20 ms of an event, and every 200 ms), or false after timeoutMs or when abort settles first. */
  async until(cond: () => boolean, timeoutMs: number, abort?: Promise<unknown>): Promise<boolean> {
    if (cond()) return true;
    return new Promise<boolean>((resolve) => {
      let done = false;
      const finish = (ok: boolean): void => {
        if (done) return;
        done = true;
        this.listeners.delete(onEvent);
        if (scheduled) clearTimeout(scheduled);
        clearInterval(poll);
        clearTimeout(timer);
        resolve(ok);
      };
      const check = (): void => {
        if (cond()) finish(true);
      };
      // Conditions scan whole claim sets: evaluate at most once per 20 ms, not per event (the
      // timestamps are taken in the event handlers, so this only delays noticing "all done").
      let scheduled: NodeJS.Timeout | undefined;
      const onEvent = (): void => {
        scheduled ??= setTimeout(() => {
          scheduled = undefined;
          check();
        }, 20);
      };
      this.listeners.add(onEvent);
      const poll = setInterval(check, 200);
      const timer = setTimeout(() => finish(cond()), timeoutMs);
      void abort?.then(
        () => finish(cond()),
        () => finish(cond()),
      );
    });
  }

  /** Calls fn with every PV event of this watch (the limit scenario's bare client acts on them); returns the unsubscribe. */
  onVolumeEvent(fn: (type: string, obj: WatchedObject) => void): () => void {
    this.volumeListeners.add(fn);
    return () => this.volumeListeners.delete(fn);
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  private onClaim(type: string, obj: WatchedObject): void {
    const name = obj.metadata?.name;
    if (!name) return;
    const now = performance.now();
    const t = this.times(name);
    if (type === 'ADDED' && t.createdAt === undefined) t.createdAt = now;
    else if (type === 'ADDED' && t.createdAt !== undefined) t.createdAt = Math.min(t.createdAt, now);
    if (obj.status?.phase === 'Bound' && t.boundAt === undefined) t.boundAt = now;
    this.changed();
  }

  private onVolume(type: string, obj: WatchedObject): void {
    for (const l of this.volumeListeners) l(type, obj);
    const ref = obj.spec?.claimRef;
    if (!ref?.name || ref.namespace !== this.opts.namespace) return;
    const now = performance.now();
    const t = this.times(ref.name);
    if (type === 'DELETED') {
      t.pvGoneAt ??= now;
    } else if (t.pvAt === undefined) {
      t.pvAt = now;
      if (obj.metadata?.name) t.pvName = obj.metadata.name;
    }
    this.changed();
  }

  // One watch, restarted from the last resourceVersion whenever it ends (client-node ends watches
  // after 30 s without events).
  private async run(path: string, handle: (type: string, obj: WatchedObject) => void): Promise<void> {
    let rv = this.opts.resourceVersion ?? '';
    let first = true;
    const once = async (): Promise<void> => {
      const ended = new Promise<void>((resolve) => {
        void this.opts.watch
          .watch(
            path,
            { allowWatchBookmarks: true, ...(rv ? { resourceVersion: rv } : {}) },
            (type: string, obj: WatchedObject) => {
              const v = obj.metadata?.resourceVersion;
              if (v) rv = v;
              if (type !== 'BOOKMARK' && type !== 'ERROR') handle(type, obj);
            },
            (err: unknown) => {
              if (err && !this.stopped) this.opts.onError?.(err);
              resolve();
            },
          )
          .then(
            (abort) => {
              if (this.stopped) abort.abort();
              else this.aborts.add(abort);
              if (first) {
                first = false;
                started();
              }
            },
            (err: unknown) => {
              if (!this.stopped) this.opts.onError?.(err);
              resolve();
            },
          );
      });
      await ended;
    };
    let started: () => void = () => undefined;
    const startedP = new Promise<void>((resolve) => {
      started = resolve;
    });
    void (async () => {
      while (!this.stopped) {
        await once();
        if (!this.stopped) await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await startedP;
  }
}
