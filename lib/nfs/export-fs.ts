// The one gate for every file-system call on the export. A hung NFS server makes fs calls hang
// forever, and in Node each one also holds one of libuv's four threads. So every call here:
// - waits for a slot of a small concurrency limit, held until the real call settles (even after
//   its caller gave up), so hung calls cannot take more than `concurrency` libuv threads and
//   DNS, other fs work and the event loop keep running;
// - is raced against a timer started when the call was asked for (queueing counts), and rejects
//   with FsTimeoutError when it fires; a call still queued at that point leaves the queue and
//   never starts;
// - can be abandoned through an AbortSignal the same way;
// - is refused at once (FsStalledError) when every slot is held by a call older than the timeout:
//   such a call can only start if a hung one returns, and waiting for that would hold a
//   controller worker for the whole timeout, which the claims of other exports need;
// - is reported to an observer (op, milliseconds, outcome) for metrics, without prom-client here.
// background() gives a view for the usage walker on the same slots and timeout: its calls wait in
// the limiter's low lane (behind every provisioning, reclaim and probe call), and their timer
// starts when the slot is granted, since queueing behind claims is expected and no caller waits.
import { constants } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { FsTimeoutError, TransientError } from '../errors.ts';
import { SlotLimiter } from './slot-limiter.ts';
import type { SlotPriority } from './slot-limiter.ts';

/** The part of fs.Stats we use. */
export interface FsStats {
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** The part of fs.promises.FileHandle we use. */
export interface FsHandle {
  chmod(mode: number): Promise<void>;
  chown(uid: number, gid: number): Promise<void>;
  close(): Promise<void>;
}

/** The subset of node:fs/promises the backend needs; tests pass fakes (e.g. a hung server). */
export interface FsImplementation {
  lstat(path: string): Promise<FsStats>;
  realpath(path: string): Promise<string>;
  mkdir(path: string, options: { mode: number }): Promise<unknown>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options: { recursive: true; force: true }): Promise<void>;
  writeFile(path: string, data: string, options: { flag: string; mode: number }): Promise<void>;
  open(path: string, flags: number): Promise<FsHandle>;
}

export const nodeFsImplementation: FsImplementation = nodeFs;

export type FsOperation = 'lstat' | 'realpath' | 'mkdir' | 'rename' | 'rm' | 'writeFile' | 'setModeAndOwner' | 'readdir';
/** `stalled`: refused without starting, every slot being held by a call older than the timeout. */
export type FsOutcome = 'ok' | 'error' | 'timeout' | 'stalled';

/** A call not even started: the export's slots are all held by calls that hung past their timeout. */
export class FsStalledError extends TransientError {
  readonly operation: string;
  constructor(operation: string, slots: number, timeoutMs: number) {
    super(`${operation} not started: all ${slots} fs slots of the export are held by calls that did not return within ${timeoutMs} ms (is the NFS server answering?)`);
    this.operation = operation;
  }
}

/** What the usage walker needs of an entry (fs.Stats has it all). */
export interface EntryStats extends FsStats {
  readonly dev: number;
  readonly ino: number;
  readonly nlink: number;
  /** 512-byte blocks allocated, as du counts them. */
  readonly blocks: number;
}

/** The calls of the usage walker; tests pass fakes. */
export interface UsageFsImplementation {
  lstat(path: string): Promise<EntryStats>;
  readdir(path: string): Promise<string[]>;
}

export const nodeUsageFsImplementation: UsageFsImplementation = nodeFs;

/** Hooks for metrics: one call per fs operation (a timeout is reported when its timer fires). */
export interface FsObserver {
  onFsCall(operation: FsOperation, milliseconds: number, outcome: FsOutcome): void;
}

export interface ExportFsOptions {
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly fs?: FsImplementation;
  readonly usageFs?: UsageFsImplementation;
  readonly observer?: FsObserver;
}

interface Shared {
  readonly fs: FsImplementation;
  readonly usageFs: UsageFsImplementation;
  readonly slots: SlotLimiter;
  readonly timeoutMs: number;
  readonly observer: FsObserver | undefined;
  readonly running: Set<{ readonly since: number }>;
}

export class ExportFs {
  readonly #fs: FsImplementation;
  readonly #usageFs: UsageFsImplementation;
  readonly #slots: SlotLimiter;
  readonly #timeoutMs: number;
  readonly #observer: FsObserver | undefined;
  /** performance.now() at which each call holding a slot started (shared with the background view). */
  readonly #running: Set<{ readonly since: number }>;
  readonly #priority: SlotPriority;

  constructor(options: ExportFsOptions | Shared, priority: SlotPriority = 'normal') {
    if (!(options.timeoutMs > 0)) throw new RangeError(`fs timeout must be positive, got ${options.timeoutMs}`);
    this.#fs = options.fs ?? nodeFsImplementation;
    this.#usageFs = options.usageFs ?? nodeUsageFsImplementation;
    this.#slots = 'slots' in options ? options.slots : new SlotLimiter(options.concurrency);
    this.#running = 'running' in options ? options.running : new Set();
    this.#timeoutMs = options.timeoutMs;
    this.#observer = options.observer;
    this.#priority = priority;
  }

  /** The same export, slots and timeout for background work (the usage walker): the low lane. */
  background(): ExportFs {
    return new ExportFs({ fs: this.#fs, usageFs: this.#usageFs, slots: this.#slots, timeoutMs: this.#timeoutMs, observer: this.#observer, running: this.#running }, 'low');
  }

  /** Calls on the export at once (its slots). */
  get concurrency(): number {
    return this.#slots.limit;
  }

  /** Calls holding a slot now (including hung ones whose callers timed out). */
  get activeCount(): number {
    return this.#slots.active;
  }

  /** Calls waiting for a slot. */
  get pendingCount(): number {
    return this.#slots.waiting;
  }

  /** The bound of every call, in milliseconds. */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** True while every slot is held by a call that has outlived the timeout (a hung export). */
  get stalled(): boolean {
    if (this.#running.size < this.#slots.limit) return false;
    const now = performance.now();
    for (const call of this.#running) if (now - call.since <= this.#timeoutMs) return false;
    return true;
  }

  lstat(path: string, signal?: AbortSignal): Promise<FsStats> {
    return this.#run('lstat', path, signal, (fs) => fs.lstat(path));
  }

  /** lstat with the fields the usage walker counts (never follows a last-component symlink). */
  entryStats(path: string, signal?: AbortSignal): Promise<EntryStats> {
    return this.#run('lstat', path, signal, () => this.#usageFs.lstat(path));
  }

  /** The names in a directory (one call, the whole listing). */
  readdir(path: string, signal?: AbortSignal): Promise<string[]> {
    return this.#run('readdir', path, signal, () => this.#usageFs.readdir(path));
  }

  realpath(path: string, signal?: AbortSignal): Promise<string> {
    return this.#run('realpath', path, signal, (fs) => fs.realpath(path));
  }

  /** One level, not recursive: callers walk component by component to check each one. */
  async mkdir(path: string, mode: number, signal?: AbortSignal): Promise<void> {
    await this.#run('mkdir', path, signal, (fs) => fs.mkdir(path, { mode }));
  }

  rename(from: string, to: string, signal?: AbortSignal): Promise<void> {
    return this.#run('rename', `${from} -> ${to}`, signal, (fs) => fs.rename(from, to));
  }

  /** Recursive remove; does not follow symlinks (it unlinks them). Missing counts as removed. */
  rm(path: string, signal?: AbortSignal): Promise<void> {
    return this.#run('rm', path, signal, (fs) => fs.rm(path, { recursive: true, force: true }));
  }

  writeFile(path: string, data: string, signal?: AbortSignal): Promise<void> {
    return this.#run('writeFile', path, signal, (fs) => fs.writeFile(path, data, { flag: 'w', mode: 0o600 }));
  }

  /**
   * chown (when uid or gid is given) then chmod of a directory, through a handle opened with
   * O_NOFOLLOW: if the last component was swapped for a symlink since it was checked, this fails
   * (ENOTDIR or ELOOP) instead of changing the link's target. chown first: chown may clear set-id bits.
   */
  setModeAndOwner(path: string, mode: number, owner: { uid?: number; gid?: number }, signal?: AbortSignal): Promise<void> {
    return this.#run('setModeAndOwner', path, signal, async (fs) => {
      const handle = await fs.open(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      try {
        if (owner.uid !== undefined || owner.gid !== undefined) await handle.chown(owner.uid ?? -1, owner.gid ?? -1);
        await handle.chmod(mode);
      } finally {
        await handle.close();
      }
    });
  }

  #report(operation: FsOperation, started: number, outcome: FsOutcome): void {
    try {
      this.#observer?.onFsCall(operation, performance.now() - started, outcome);
    } catch {
      // A broken metrics hook must not turn a good fs call into a failure.
    }
  }

  #run<T>(operation: FsOperation, target: string, signal: AbortSignal | undefined, call: (fs: FsImplementation) => Promise<T>): Promise<T> {
    if (signal?.aborted === true) {
      return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error(`${operation} ${target} aborted`));
    }
    let started = performance.now();
    const background = this.#priority === 'low';
    // Background calls queue in the low lane instead: no caller waits on them, so no worker is held.
    if (!background && this.stalled) {
      this.#report(operation, started, 'stalled');
      return Promise.reject(new FsStalledError(`${operation} ${target}`, this.#slots.limit, this.#timeoutMs));
    }
    let abandoned = false;
    const ticket = this.#slots.acquire(this.#priority);
    // If the caller gives up while queued, the ticket is cancelled and this never runs. If the
    // slot was granted in the same tick, the slot goes straight back. Otherwise the slot is held
    // until the fs call settles, however long after the timeout that is.
    let startTimer: () => void = () => undefined;
    const work = ticket.granted.then(async () => {
      if (abandoned) {
        this.#slots.release();
        return { abandoned: true as const };
      }
      const running = { since: performance.now() };
      this.#running.add(running);
      if (background) {
        started = running.since;
        startTimer();
      }
      try {
        return { abandoned: false as const, value: await call(this.#fs) };
      } finally {
        this.#running.delete(running);
        this.#slots.release();
      }
    });
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        return true;
      };
      const giveUp = (): void => {
        abandoned = true;
        ticket.cancel();
      };
      let timer: NodeJS.Timeout | undefined;
      startTimer = (): void => {
        timer = setTimeout(() => {
          if (!finish()) return;
          giveUp();
          this.#report(operation, started, 'timeout');
          reject(new FsTimeoutError(`${operation} ${target}`, this.#timeoutMs));
        }, this.#timeoutMs);
      };
      if (!background) startTimer();
      const onAbort = (): void => {
        if (!finish()) return;
        giveUp();
        reject(signal?.reason instanceof Error ? signal.reason : new Error(`${operation} ${target} aborted`));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      work.then(
        (result) => {
          if (result.abandoned || !finish()) return;
          this.#report(operation, started, 'ok');
          resolve(result.value);
        },
        (error: unknown) => {
          if (!finish()) return;
          this.#report(operation, started, 'error');
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}
