// Runs the backend's probe (for NFS: a small write to the export) every interval, each bounded by
// the fs timeout, and keeps the outcome so /readyz answers at once from it and never waits on a
// hung export. While a probe hangs, no second one is started (a hung NFS server must not collect
// blocked calls); its age alone turns readiness off.
import type { Logger } from 'winston';
import { errorMessage } from '../errors.ts';
import type { Clock } from '../kube/clock.ts';

export interface ProbeState {
  readonly ok: boolean;
  /** When the last probe finished (or the pending one started, if it is overdue). */
  readonly at: number;
  readonly error?: string;
  readonly durationMs?: number;
}

export interface ProbeMonitorOptions {
  readonly probe: (signal: AbortSignal) => Promise<void>;
  /** What is probed, for log lines (an export's name). */
  readonly name?: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** After each probe; `error` is what a failed one threw (or the timeout). */
  readonly onResult?: (ok: boolean, durationMs: number, error?: unknown) => void;
}

export class ProbeMonitor {
  readonly #o: ProbeMonitorOptions;
  #state: ProbeState | undefined;
  #pendingSince: number | undefined;
  #cancel: (() => void) | undefined;
  #stopped = false;
  #controller: AbortController | undefined;

  constructor(options: ProbeMonitorOptions) {
    this.#o = options;
  }

  start(): void {
    this.#stopped = false;
    void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#controller?.abort();
  }

  get state(): ProbeState | undefined {
    return this.#state;
  }

  /** True while a probe has been running for longer than its timeout (a hung target). */
  overdue(): boolean {
    return this.#pendingSince !== undefined && this.#o.clock.now() - this.#pendingSince > this.#o.timeoutMs;
  }

  /** Undefined when healthy; else why not. */
  problem(): string | undefined {
    const now = this.#o.clock.now();
    if (this.#pendingSince !== undefined && now - this.#pendingSince > this.#o.timeoutMs) {
      return `export probe has not answered for ${now - this.#pendingSince} ms`;
    }
    const state = this.#state;
    if (state === undefined) return 'export not probed yet';
    if (!state.ok) return `export probe failed: ${state.error ?? 'unknown error'}`;
    if (now - state.at > this.#o.intervalMs + this.#o.timeoutMs * 2) return 'export probe result is stale';
    return undefined;
  }

  /** Runs one probe now (tests and start-up); resolves when it finished or timed out. */
  async probeOnce(): Promise<void> {
    if (this.#pendingSince !== undefined) return;
    const { clock, timeoutMs, logger } = this.#o;
    const started = clock.now();
    this.#pendingSince = started;
    const controller = new AbortController();
    this.#controller = controller;
    let cancelTimer: () => void = () => undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      cancelTimer = clock.setTimer(() => {
        const error = new Error(`no answer within ${timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    let ok = false;
    let problem: string | undefined;
    let failure: unknown;
    const probe = this.#o.probe(controller.signal);
    try {
      await Promise.race([probe, timeout]);
      ok = true;
    } catch (error: unknown) {
      failure = error;
      problem = errorMessage(error);
    } finally {
      cancelTimer();
    }
    const durationMs = clock.now() - started;
    this.#state = { ok, at: clock.now(), durationMs, ...(problem === undefined ? {} : { error: problem }) };
    if (ok) this.#o.onResult?.(ok, durationMs);
    else this.#o.onResult?.(ok, durationMs, failure);
    if (!ok) logger.warn(this.#o.name === undefined ? 'export probe failed' : `export probe of "${this.#o.name}" failed`, { error: problem, durationMs, ...(this.#o.name === undefined ? {} : { export: this.#o.name }) });
    // A probe that ignored the abort still holds its fs call: start no other until it returns.
    await probe.then(
      () => undefined,
      () => undefined,
    );
    this.#pendingSince = undefined;
  }

  async #run(): Promise<void> {
    if (this.#stopped) return;
    await this.probeOnce();
    if (this.#stopped) return;
    this.#cancel = this.#o.clock.setTimer(() => void this.#run(), this.#o.intervalMs);
  }
}
