// A counting semaphore whose waiters can leave the queue. p-limit cannot drop one queued call,
// so while an NFS server hangs, calls that already timed out would pile up in its queue (and in
// its pendingCount) until the server answered; here a waiter that gives up is removed at once,
// so the queue holds only callers that still wait and its length is a true metric.
//
// Two lanes. Normal callers (provisioning, reclaim, the probe) are always served first. Low
// callers (the usage walker) get a slot only when no normal caller waits, and while normal work
// was seen within the last `quietMs` they may not take the last free slot: a claim's chain of fs
// calls, each issued when the previous one returns, then always finds a slot free and never waits
// behind the walker. The only wait left is at the start of normal work after a quiet period, when
// the walker may hold every slot: at most until one of its calls returns.

export type SlotPriority = 'normal' | 'low';

export interface SlotTicket {
  /** Resolves when the slot is granted; the holder must call release() exactly once after. */
  readonly granted: Promise<void>;
  /** Leaves the queue if still waiting; returns false if the slot was already granted. */
  cancel(): boolean;
}

export interface SlotLimiterOptions {
  /** How long after normal work the low lane leaves one slot free (default 1000 ms). */
  readonly quietMs?: number;
  /** Monotonic milliseconds (tests pass a fake); default performance.now. */
  readonly now?: () => number;
}

export class SlotLimiter {
  readonly #max: number;
  readonly #quietMs: number;
  readonly #now: () => number;
  readonly #waiting: (() => void)[] = [];
  readonly #waitingLow: (() => void)[] = [];
  #active = 0;
  #lastNormal = Number.NEGATIVE_INFINITY;
  #recheck: NodeJS.Timeout | undefined;

  constructor(max: number, options: SlotLimiterOptions = {}) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`the concurrency limit must be a positive integer, got ${max}`);
    this.#max = max;
    this.#quietMs = options.quietMs ?? 1000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The most slots held at once. */
  get limit(): number {
    return this.#max;
  }

  /** Slots held now. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot, both lanes. */
  get waiting(): number {
    return this.#waiting.length + this.#waitingLow.length;
  }

  acquire(priority: SlotPriority = 'normal'): SlotTicket {
    if (priority === 'normal') this.#lastNormal = this.#now();
    const free = priority === 'normal' ? this.#active < this.#max : this.#waiting.length === 0 && this.#lowMayTake();
    if (free) {
      this.#active += 1;
      return { granted: Promise.resolve(), cancel: () => false };
    }
    const queue = priority === 'normal' ? this.#waiting : this.#waitingLow;
    let grant: () => void = () => {};
    const granted = new Promise<void>((resolve) => {
      grant = resolve;
    });
    const waiter = (): void => {
      this.#active += 1;
      grant();
    };
    queue.push(waiter);
    if (priority === 'low') this.#scheduleRecheck();
    return {
      granted,
      cancel: () => {
        const index = queue.indexOf(waiter);
        if (index < 0) return false;
        queue.splice(index, 1);
        return true;
      },
    };
  }

  release(): void {
    if (this.#active === 0) throw new Error('SlotLimiter.release() without a held slot');
    this.#active -= 1;
    const normal = this.#waiting.shift();
    if (normal !== undefined) {
      this.#lastNormal = this.#now();
      normal();
      return;
    }
    this.#grantLow();
  }

  /** A low caller may take a free slot unless it is the last one and normal work is recent. */
  #lowMayTake(): boolean {
    if (this.#active >= this.#max) return false;
    return this.#active + 1 < this.#max || this.#now() - this.#lastNormal >= this.#quietMs;
  }

  #grantLow(): void {
    while (this.#waiting.length === 0 && this.#waitingLow.length > 0 && this.#lowMayTake()) this.#waitingLow.shift()?.();
    this.#scheduleRecheck();
  }

  /**
   * A low waiter held back only by the quiet period has no release to wake it when every slot is
   * idle: a timer looks again when the period ends (unref'd: it never keeps the process alive).
   */
  #scheduleRecheck(): void {
    if (this.#recheck !== undefined || this.#waitingLow.length === 0 || this.#active >= this.#max) return;
    const wait = Math.max(1, this.#quietMs - (this.#now() - this.#lastNormal));
    this.#recheck = setTimeout(() => {
      this.#recheck = undefined;
      this.#grantLow();
    }, wait);
    this.#recheck.unref();
  }
}
