// Client-side rate limit of API requests, as client-go's flowcontrol token bucket: `qps` tokens a
// second, at most `burst` saved up. take() waits its turn (first come, first served) instead of
// failing, so a burst of claims is smoothed rather than refused.
import type { Clock } from './clock.ts';
import { abortReason } from './clock.ts';

interface Waiter {
  low: boolean;
  resolve(): void;
  reject(error: Error): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class TokenBucket {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;
  readonly #waiters: Waiter[] = [];
  #cancelTimer: (() => void) | undefined;

  constructor(qps: number, burst: number, clock: Clock) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError('TokenBucket needs qps > 0 and burst >= 1');
    this.#qps = qps;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  /** Requests waiting for a token (for metrics and tests). */
  get waiting(): number {
    return this.#waiters.length;
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
  }

  /**
   * Resolves when the caller may send one request. Low-priority callers (events) wait behind every
   * normal one, so a burst of claims gets its PVs before its events.
   */
  take(signal?: AbortSignal, lowPriority = false): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    this.#refill();
    if (this.#waiters.length === 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        low: lowPriority,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(abortReason(signal));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      if (lowPriority) {
        this.#waiters.push(waiter);
      } else {
        const firstLow = this.#waiters.findIndex((w) => w.low);
        this.#waiters.splice(firstLow < 0 ? this.#waiters.length : firstLow, 0, waiter);
      }
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#cancelTimer !== undefined || this.#waiters.length === 0) return;
    const wait = Math.max(0, ((1 - this.#tokens) / this.#qps) * 1000);
    this.#cancelTimer = this.#clock.setTimer(() => {
      this.#cancelTimer = undefined;
      this.#refill();
      while (this.#waiters.length > 0 && this.#tokens >= 1) {
        this.#tokens -= 1;
        const waiter = this.#waiters.shift();
        waiter?.signal?.removeEventListener('abort', waiter.onAbort);
        waiter?.resolve();
      }
      this.#schedule();
    }, Math.ceil(wait));
  }
}
