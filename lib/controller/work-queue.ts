// A per-key work queue in the manner of client-go's workqueue:
// - a key is queued at most once (dedup); a key added while it is being processed is processed
//   again after done() (so no change is lost, and one key never runs twice at once);
// - delayed adds (addAfter) keep only the earliest pending time per key;
// - per-key exponential backoff (base doubling to a cap) counted by failures; there is no give-up:
//   forget() resets a key after success, nothing else does.
import type { Clock } from '../kube/clock.ts';

export interface WorkQueueOptions {
  readonly clock: Clock;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export class WorkQueue {
  readonly #o: WorkQueueOptions;
  readonly #queue: string[] = [];
  #head = 0;
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #delayed = new Map<string, { at: number; cancel: () => void }>();
  readonly #failures = new Map<string, number>();
  #getters: ((key: string | undefined) => void)[] = [];
  #shutDown = false;

  constructor(options: WorkQueueOptions) {
    this.#o = options;
  }

  /** Keys waiting to be processed (not counting delayed or in-process ones). */
  get depth(): number {
    return this.#queue.length - this.#head;
  }

  get delayedCount(): number {
    return this.#delayed.size;
  }

  get processingCount(): number {
    return this.#processing.size;
  }

  isShutDown(): boolean {
    return this.#shutDown;
  }

  /** True when the key waits for a delayed (backoff) add. */
  isDelayed(key: string): boolean {
    return this.#delayed.has(key);
  }

  add(key: string): void {
    if (this.#shutDown || this.#dirty.has(key)) return;
    const delayed = this.#delayed.get(key);
    if (delayed !== undefined) {
      delayed.cancel();
      this.#delayed.delete(key);
    }
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const getter = this.#getters.shift();
    if (getter !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      getter(key);
      return;
    }
    this.#queue.push(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.#shutDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.#o.clock.now() + delayMs;
    const existing = this.#delayed.get(key);
    if (existing !== undefined) {
      if (existing.at <= at) return;
      existing.cancel();
    }
    const cancel = this.#o.clock.setTimer(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.#delayed.set(key, { at, cancel });
  }

  /** The next backoff delay for key (without counting a failure). */
  backoffFor(failures: number): number {
    const { baseDelayMs, maxDelayMs } = this.#o;
    if (failures <= 0) return 0;
    const exponent = Math.min(failures - 1, 60);
    return Math.min(maxDelayMs, baseDelayMs * 2 ** exponent);
  }

  /** Counts a failure and re-adds the key after its backoff; returns the delay. */
  addRateLimited(key: string): number {
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const delay = this.backoffFor(failures);
    this.addAfter(key, delay);
    return delay;
  }

  /** Counts a failure and re-adds the key after the cap (permanent errors: no hot loop). */
  addAfterCap(key: string): number {
    this.#failures.set(key, (this.#failures.get(key) ?? 0) + 1);
    this.addAfter(key, this.#o.maxDelayMs);
    return this.#o.maxDelayMs;
  }

  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Success (or the object is gone): reset the key's backoff and drop a pending delayed add. */
  forget(key: string): void {
    this.#failures.delete(key);
    const delayed = this.#delayed.get(key);
    if (delayed !== undefined) {
      delayed.cancel();
      this.#delayed.delete(key);
    }
  }

  /** Waits for the next key; undefined once the queue is shut down or signal aborts. */
  get(signal?: AbortSignal): Promise<string | undefined> {
    if (this.#shutDown || signal?.aborted === true) return Promise.resolve(undefined);
    if (this.depth > 0) {
      const key = this.#queue[this.#head] as string;
      this.#head += 1;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      this.#dirty.delete(key);
      this.#processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => {
      const getter = (key: string | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(key);
      };
      const onAbort = (): void => {
        this.#getters = this.#getters.filter((g) => g !== getter);
        resolve(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#getters.push(getter);
    });
  }

  /** Marks key processed; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) {
      this.#dirty.delete(key);
      this.add(key);
    }
  }

  /** Stops handing out keys; waiting get() calls resolve with undefined; timers are cancelled. */
  shutDown(): void {
    this.#shutDown = true;
    for (const { cancel } of this.#delayed.values()) cancel();
    this.#delayed.clear();
    const getters = this.#getters;
    this.#getters = [];
    for (const getter of getters) getter(undefined);
  }
}
