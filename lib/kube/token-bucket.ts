// Client-side rate limit of API requests, as client-go's flowcontrol token bucket: `qps` tokens a
// second, at most `burst` saved up. take() waits its turn (first come, first served) instead of
// failing, so a burst of claims is smoothed rather than refused.
//
// Low-priority requests (events) wait behind every normal one, and may not spend the lower half
// of the burst: a storm of events (two per claim) would otherwise drain the bucket between the
// claims of a burst, and each later PV create would wait for a refill.
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
  /** Tokens only normal requests may take. */
  readonly #reserve: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;
  readonly #waiters: Waiter[] = [];
  #cancelTimer: (() => void) | undefined;

  constructor(qps: number, burst: number, clock: Clock) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError('TokenBucket needs qps > 0 and burst >= 1');
    this.#qps = qps;
    this.#burst = burst;
    this.#reserve = Math.floor(burst / 2);
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
    // Normal waiters always stand before low ones: a normal request only queues behind normal ones.
    const queuedAhead = lowPriority ? this.#waiters.length > 0 : this.#waiters[0]?.low === false;
    if (!queuedAhead && this.#tokens >= this.#needed(lowPriority)) {
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
        // A new head needs fewer tokens than the low-priority one the timer was set for.
        if (firstLow === 0) this.#cancelTimerForHead();
      }
      this.#schedule();
    });
  }

  /** Tokens the bucket must hold for a request of this priority to go. */
  #needed(lowPriority: boolean): number {
    return lowPriority ? 1 + this.#reserve : 1;
  }

  #cancelTimerForHead(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  #schedule(): void {
    const head = this.#waiters[0];
    if (this.#cancelTimer !== undefined || head === undefined) return;
    const wait = Math.max(0, ((this.#needed(head.low) - this.#tokens) / this.#qps) * 1000);
    this.#cancelTimer = this.#clock.setTimer(() => {
      this.#cancelTimer = undefined;
      this.#refill();
      for (let next = this.#waiters[0]; next !== undefined && this.#tokens >= this.#needed(next.low); next = this.#waiters[0]) {
        this.#tokens -= 1;
        this.#waiters.shift();
        next.signal?.removeEventListener('abort', next.onAbort);
        next.resolve();
      }
      this.#schedule();
    }, Math.ceil(wait));
  }
}
