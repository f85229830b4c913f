// The health of one export: its probe (a small write in the root every interval, through the
// export's own slots and timeout) and what the last one says: ok, hung, read-only, full, not
// writable or unusable. /readyz and the `nfs_provisioner_export_state` metric read it; a change
// back to ok is reported so claims that failed meanwhile are retried at once instead of after
// their backoff.
import type { Logger } from 'winston';
import type { Check } from '../http/server.ts';
import type { Clock } from '../kube/clock.ts';
import { ProbeMonitor } from '../http/probe-monitor.ts';
import type { ExportState, NfsExport } from './nfs-export.ts';
import { stateOfError } from './nfs-export.ts';

export interface ExportHealthOptions {
  readonly export: NfsExport;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Bound of one probe (the export's fs timeout). */
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** After each probe, for metrics. */
  readonly onProbe?: (ok: boolean, durationMs: number) => void;
  /** When the state changes (the first result included). */
  readonly onChange?: (state: ExportState, previous: ExportState) => void;
}

export interface ExportCondition {
  readonly state: ExportState;
  /** Why, when not ok. */
  readonly reason?: string;
}

export class ExportHealth {
  readonly export: NfsExport;
  readonly #monitor: ProbeMonitor;
  readonly #o: ExportHealthOptions;
  #last: ExportState = 'unknown';
  #reported: ExportState = 'unknown';

  constructor(options: ExportHealthOptions) {
    this.#o = options;
    this.export = options.export;
    this.#monitor = new ProbeMonitor({
      name: options.export.name,
      probe: (signal) => options.export.probe(signal),
      clock: options.clock,
      logger: options.logger,
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs,
      onResult: (ok, durationMs, error) => {
        // The monitor's own timeout fires when the probe ignores its signal: a hung call.
        this.#last = ok ? 'ok' : durationMs >= options.timeoutMs ? 'hung' : stateOfError(error);
        options.onProbe?.(ok, durationMs);
        this.#notify();
      },
    });
  }

  start(): void {
    this.#monitor.start();
  }

  stop(): void {
    this.#monitor.stop();
  }

  /** Probes once now (start-up, tests). */
  probeOnce(): Promise<void> {
    return this.#monitor.probeOnce();
  }

  /** The export's state now: a probe pending past its timeout is `hung` before it returns. */
  condition(): ExportCondition {
    const problem = this.#monitor.problem();
    if (problem === undefined) return { state: 'ok' };
    // Stale or not probed yet: unknown, whatever the last result said.
    const state: ExportState = this.#monitor.overdue() ? 'hung' : this.#last === 'ok' ? 'unknown' : this.#last;
    return { state, reason: problem };
  }

  #notify(): void {
    const now = this.condition().state;
    if (now === this.#reported) return;
    const previous = this.#reported;
    this.#reported = now;
    if (now === 'ok') this.#o.logger.info('export is usable', { export: this.export.name, was: previous });
    else this.#o.logger.warn('export is not usable', { export: this.export.name, state: now, reason: this.condition().reason });
    this.#o.onChange?.(now, previous);
  }
}

/**
 * The readiness checks of the exports: one per export, naming its state, informational when
 * there are several (one bad export must not make the pod unready: readiness gates rollouts and
 * evictions, and this pod still serves the others), plus `exports`, which fails only when no
 * export is ok, since the process then can serve nothing. With a single export that is the same
 * as before: a hung, read-only or full export makes the process not ready.
 */
export function exportReadinessChecks(healths: readonly ExportHealth[]): Check[] {
  const each: Check[] = healths.map((health) => ({
    name: `export:${health.export.name}`,
    informational: healths.length > 1,
    problem: () => {
      const { state, reason } = health.condition();
      return state === 'ok' ? undefined : `${state}: ${reason ?? ''}`;
    },
  }));
  if (healths.length === 1) return each;
  const all: Check = {
    name: 'exports',
    problem: () => {
      const usable = healths.filter((h) => h.condition().state === 'ok').length;
      return usable > 0 ? undefined : `none of the ${healths.length} exports is usable`;
    },
  };
  return [...each, all];
}
