// Event-loop liveness for /healthz: a timer that should fire every intervalMs measures how late
// it fires. A loop blocked for longer than the bound (a sync call on a hung mount, a CPU spin)
// makes /healthz fail once it answers again, and makes it not answer while blocked.
import type { Clock } from '../kube/clock.ts';

export class EventLoopMonitor {
  readonly #clock: Clock;
  readonly #intervalMs: number;
  #lastTick: number;
  #maxLagMs = 0;
  #recentLagMs = 0;
  #cancel: (() => void) | undefined;

  constructor(clock: Clock, intervalMs = 500) {
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#lastTick = clock.now();
  }

  start(): void {
    const tick = (): void => {
      const now = this.#clock.now();
      const lag = Math.max(0, now - this.#lastTick - this.#intervalMs);
      this.#recentLagMs = lag;
      this.#maxLagMs = Math.max(this.#maxLagMs, lag);
      this.#lastTick = now;
      this.#cancel = this.#clock.setTimer(tick, this.#intervalMs);
    };
    this.#lastTick = this.#clock.now();
    this.#cancel = this.#clock.setTimer(tick, this.#intervalMs);
  }

  stop(): void {
    this.#cancel?.();
  }

  /** The lag of the last tick, or the time since the last tick when that is later than due. */
  lagMs(): number {
    const overdue = Math.max(0, this.#clock.now() - this.#lastTick - this.#intervalMs);
    return Math.max(this.#recentLagMs, overdue);
  }

  get maxLagMs(): number {
    return this.#maxLagMs;
  }
}
