// The NFS backend's UsageMeter: finds a PV's directory with the same rules as reclaim (recorded
// directory checked against the NFS path, no symlink on the way) and walks it on the background
// view of the export's fs (low lane of the same slots). While the export probe says the export is
// unhealthy, every walk waits at its next fs call and goes on from there once it is healthy again.
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1PersistentVolume } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import type { MeasuredUsage, UsageMeter } from '../controller/usage-meter.ts';
import { FsTimeoutError, TransientError } from '../errors.ts';
import { exportRoot, locateConfinedDirectory } from './confine.ts';
import type { LocatedDirectory } from './confine.ts';
import type { ExportFs } from './export-fs.ts';
import { exportNameOf } from './usage-export.ts';
import type { PauseGate } from './usage-walker.ts';
import { walkUsage } from './usage-walker.ts';

/** Whether the export answers (main.ts: the export probe of /readyz). */
export interface ExportHealth {
  healthy(): boolean;
}

export interface NfsUsageMeterOptions {
  /** ExportFs.background() of the provisioner's export. */
  readonly fs: ExportFs;
  readonly mountPath: string;
  /** Calls in flight per walk (FS_CONCURRENCY: the walker may fill the slots when nothing else runs). */
  readonly lanes: number;
  readonly health: ExportHealth;
  readonly logger: Logger;
  /** The PV's directory below the export root; undefined when not ours to measure; throws when unsafe. */
  readonly directoryOf: (pv: V1PersistentVolume) => readonly string[] | undefined;
  /** How often a paused walk looks at the health again (default 500 ms). */
  readonly pollMs?: number;
}

export class NfsUsageMeter implements UsageMeter {
  readonly #o: NfsUsageMeterOptions;
  readonly #gate: PauseGate;
  #pausedSince: number | undefined;

  constructor(options: NfsUsageMeterOptions) {
    this.#o = options;
    const pollMs = options.pollMs ?? 500;
    this.#gate = {
      paused: () => !options.health.healthy(),
      wait: async (signal) => {
        if (options.health.healthy()) return;
        if (this.#pausedSince === undefined) {
          this.#pausedSince = Date.now();
          options.logger.info('usage walk paused: the export is not healthy');
        }
        while (!options.health.healthy()) await sleep(pollMs, undefined, { signal });
        if (this.#pausedSince !== undefined) {
          options.logger.info('usage walk resumed', { pausedMs: Date.now() - this.#pausedSince });
          this.#pausedSince = undefined;
        }
      },
    };
  }

  /**
   * The volume's directory, checked as reclaim checks it. A timeout here (the export froze before
   * its probe noticed) is waited out at the gate and tried again, as the walk does with its calls.
   */
  async #locate(components: readonly string[], signal: AbortSignal): Promise<LocatedDirectory> {
    for (let attempt = 1; ; attempt++) {
      if (this.#gate.paused()) await this.#gate.wait(signal);
      try {
        const root = await exportRoot(this.#o.fs, this.#o.mountPath, signal);
        return await locateConfinedDirectory(this.#o.fs, root, components, signal);
      } catch (error: unknown) {
        const timedOut = error instanceof FsTimeoutError || (error instanceof TransientError && error.cause instanceof FsTimeoutError);
        if (!timedOut || attempt >= 3 || signal.aborted) throw error;
      }
    }
  }

  exportOf(pv: V1PersistentVolume): string {
    return exportNameOf(pv);
  }

  async measure(pv: V1PersistentVolume, signal: AbortSignal): Promise<MeasuredUsage | undefined> {
    const components = this.#o.directoryOf(pv);
    if (components === undefined) return undefined;
    const located = await this.#locate(components, signal);
    if (located.kind === 'missing') return undefined;
    const usage = await walkUsage({ fs: this.#o.fs, root: located.path, lanes: this.#o.lanes, pause: this.#gate, signal });
    return {
      bytes: usage.bytes,
      files: usage.files,
      skipped: usage.skipped,
      ...(usage.firstError === undefined ? {} : { firstError: usage.firstError }),
    };
  }
}
