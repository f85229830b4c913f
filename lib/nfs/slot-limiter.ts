// A counting semaphore whose waiters can leave the queue. p-limit cannot drop one queued call,
// so while an NFS server hangs, calls that already timed out would pile up in its queue (and in
// its pendingCount) until the server answered; here a waiter that gives up is removed at once,
// so the queue holds only callers that still wait and its length is a true metric.

export interface SlotTicket {
  /** Resolves when the slot is granted; the holder must call release() exactly once after. */
  readonly granted: Promise<void>;
  /** Leaves the queue if still waiting; returns false if the slot was already granted. */
  cancel(): boolean;
}

export class SlotLimiter {
  readonly #max: number;
  readonly #waiting: (() => void)[] = [];
  #active = 0;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`the concurrency limit must be a positive integer, got ${max}`);
    this.#max = max;
  }

  /** The most slots held at once. */
  get limit(): number {
    return this.#max;
  }

  /** Slots held now. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  acquire(): SlotTicket {
    if (this.#active < this.#max) {
      this.#active += 1;
      return { granted: Promise.resolve(), cancel: () => false };
    }
    let grant: () => void = () => {};
    const granted = new Promise<void>((resolve) => {
      grant = resolve;
    });
    const waiter = (): void => {
      this.#active += 1;
      grant();
    };
    this.#waiting.push(waiter);
    return {
      granted,
      cancel: () => {
        const index = this.#waiting.indexOf(waiter);
        if (index < 0) return false;
        this.#waiting.splice(index, 1);
        return true;
      },
    };
  }

  release(): void {
    if (this.#active === 0) throw new Error('SlotLimiter.release() without a held slot');
    this.#active -= 1;
    this.#waiting.shift()?.();
  }
}
