// The NFS backend's UsageMeter: routes each PV to its export (export-routing.ts, as reclaim does),
// finds its directory with the same rules as reclaim (recorded directory checked against the NFS
// path, no symlink on the way) and walks it on the background view of that export's fs (low lane
// of its own slots, its own timeout). While an export's probe says it is unhealthy, every walk on
// it waits at its next fs call and goes on from there once it is healthy again; walks on the
// other exports are not held.
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1PersistentVolume } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import type { MeasuredUsage, UsageMeter } from '../controller/usage-meter.ts';
import { FsTimeoutError, TransientError } from '../errors.ts';
import { exportRoot, locateConfinedDirectory } from './confine.ts';
import type { LocatedDirectory } from './confine.ts';
import type { ExportFs } from './export-fs.ts';
import type { PauseGate } from './usage-walker.ts';
import { walkUsage } from './usage-walker.ts';

/** Whether an export answers (main.ts: that export's probe, as /readyz reports it). */
export interface UsageHealth {
  healthy(exportName: string): boolean;
}

/** The export a volume lives on, as the walker uses it. */
export interface UsageExport {
  readonly name: string;
  /** ExportFs.background() of the export. */
  readonly fs: ExportFs;
  readonly mountPath: string;
  /** Calls in flight per walk (the export's fs concurrency: the walker may fill its slots when nothing else runs). */
  readonly lanes: number;
}

export interface NfsUsageMeterOptions {
  readonly health: UsageHealth;
  readonly logger: Logger;
  /**
   * The PV's export and directory below its root; undefined when not ours to measure (not ours,
   * on no export of ours); throws when unsafe.
   */
  readonly locate: (pv: V1PersistentVolume) => { readonly export: UsageExport; readonly components: readonly string[] } | undefined;
  /** The `export` label of a PV ('' when it is on no export of ours). */
  readonly exportOf: (pv: V1PersistentVolume) => string;
  /** How often a paused walk looks at the health again (default 500 ms). */
  readonly pollMs?: number;
}

export class NfsUsageMeter implements UsageMeter {
  readonly #o: NfsUsageMeterOptions;
  readonly #gates = new Map<string, PauseGate>();

  constructor(options: NfsUsageMeterOptions) {
    this.#o = options;
  }

  /** The pause gate of one export: its walks wait while its probe fails. */
  #gate(exportName: string): PauseGate {
    const existing = this.#gates.get(exportName);
    if (existing !== undefined) return existing;
    const { health, logger } = this.#o;
    const pollMs = this.#o.pollMs ?? 500;
    let pausedSince: number | undefined;
    const gate: PauseGate = {
      paused: () => !health.healthy(exportName),
      wait: async (signal) => {
        if (health.healthy(exportName)) return;
        if (pausedSince === undefined) {
          pausedSince = Date.now();
          logger.info('usage walk paused: the export is not healthy', { export: exportName });
        }
        while (!health.healthy(exportName)) await sleep(pollMs, undefined, { signal });
        if (pausedSince !== undefined) {
          logger.info('usage walk resumed', { export: exportName, pausedMs: Date.now() - pausedSince });
          pausedSince = undefined;
        }
      },
    };
    this.#gates.set(exportName, gate);
    return gate;
  }

  /**
   * The volume's directory, checked as reclaim checks it. A timeout here (the export froze before
   * its probe noticed) is waited out at the gate and tried again, as the walk does with its calls.
   */
  async #locate(target: UsageExport, gate: PauseGate, components: readonly string[], signal: AbortSignal): Promise<LocatedDirectory> {
    for (let attempt = 1; ; attempt++) {
      if (gate.paused()) await gate.wait(signal);
      try {
        const root = await exportRoot(target.fs, target.mountPath, signal);
        return await locateConfinedDirectory(target.fs, root, components, signal);
      } catch (error: unknown) {
        const timedOut = error instanceof FsTimeoutError || (error instanceof TransientError && error.cause instanceof FsTimeoutError);
        if (!timedOut || attempt >= 3 || signal.aborted) throw error;
      }
    }
  }

  exportOf(pv: V1PersistentVolume): string {
    return this.#o.exportOf(pv);
  }

  async measure(pv: V1PersistentVolume, signal: AbortSignal): Promise<MeasuredUsage | undefined> {
    const found = this.#o.locate(pv);
    if (found === undefined) return undefined;
    const gate = this.#gate(found.export.name);
    const located = await this.#locate(found.export, gate, found.components, signal);
    if (located.kind === 'missing') return undefined;
    const usage = await walkUsage({ fs: found.export.fs, root: located.path, lanes: found.export.lanes, pause: gate, signal });
    return {
      bytes: usage.bytes,
      files: usage.files,
      skipped: usage.skipped,
      ...(usage.firstError === undefined ? {} : { firstError: usage.firstError }),
    };
  }
}
