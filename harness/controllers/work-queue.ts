// A per-key work queue like client-go's: a key queued several times is processed once, a key is
// never processed by two workers at once (changes during processing queue it again), and failures
// are retried with capped exponential backoff. Conflicts (409) are expected when the cache is behind
// the server; the retry sees the newer object.
export interface WorkQueueOptions {
  process: (key: string) => Promise<void>;
  concurrency?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  onError?: (key: string, err: unknown) => void;
}

export interface WorkQueue {
  add(key: string): void;
  /** Resolves when nothing is queued, processing or waiting for a retry. */
  idle(): Promise<void>;
  stop(): void;
}

export function createWorkQueue(opts: WorkQueueOptions): WorkQueue {
  const concurrency = opts.concurrency ?? 1;
  const retryInitial = opts.retryInitialMs ?? 50;
  const retryMax = opts.retryMaxMs ?? 2000;
  const queue: string[] = [];
  const queued = new Set<string>();
  const processing = new Set<string>();
  const dirty = new Set<string>();
  const failures = new Map<string, number>();
  const retryTimers = new Map<string, NodeJS.Timeout>();
  let idleWaiters: (() => void)[] = [];
  let active = 0;
  let stopped = false;

  const checkIdle = (): void => {
    if (queue.length === 0 && active === 0 && retryTimers.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const pump = (): void => {
    while (!stopped && active < concurrency) {
      const index = queue.findIndex((k) => !processing.has(k));
      if (index < 0) break;
      const key = queue.splice(index, 1)[0];
      if (key === undefined) break;
      queued.delete(key);
      processing.add(key);
      active++;
      void opts
        .process(key)
        .then(
          () => {
            failures.delete(key);
          },
          (err: unknown) => {
            if (stopped) return;
            opts.onError?.(key, err);
            const n = (failures.get(key) ?? 0) + 1;
            failures.set(key, n);
            const delay = Math.min(retryInitial * 2 ** (n - 1), retryMax);
            const existing = retryTimers.get(key);
            if (existing) clearTimeout(existing);
            retryTimers.set(
              key,
              setTimeout(() => {
                retryTimers.delete(key);
                add(key);
              }, delay),
            );
          },
        )
        .finally(() => {
          processing.delete(key);
          active--;
          if (dirty.delete(key)) add(key);
          pump();
          checkIdle();
        });
    }
  };

  const add = (key: string): void => {
    if (stopped) return;
    if (processing.has(key)) {
      dirty.add(key);
      return;
    }
    if (queued.has(key)) return;
    queued.add(key);
    queue.push(key);
    // Batch the adds of one tick (a relist adds every key) before processing.
    queueMicrotask(pump);
  };

  return {
    add,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      }),
    stop() {
      stopped = true;
      for (const t of retryTimers.values()) clearTimeout(t);
      retryTimers.clear();
      queue.length = 0;
      queued.clear();
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    },
  };
}
