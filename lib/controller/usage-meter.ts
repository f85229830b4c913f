// The seam between the usage monitor (generic: schedules passes, publishes gauges, annotations and
// events) and a backend that can measure what a volume holds. controller/ never imports a backend:
// main.ts wires one in.
import type { V1PersistentVolume } from '@kubernetes/client-node';

export interface MeasuredUsage {
  /** Bytes allocated (as du counts them). */
  readonly bytes: number;
  /** Files (non-directory inodes, hard links once). */
  readonly files: number;
  /** Entries that could not be read: the figures are then a lower bound. */
  readonly skipped: number;
  readonly firstError?: string;
}

export interface UsageMeter {
  /** The `export` label of the PV's series. */
  exportOf(pv: V1PersistentVolume): string;
  /**
   * Measures the storage of a PV this provisioner made; undefined when there is nothing to
   * measure (not ours, another server, directory missing). Rejects on failure or abort. May take
   * long: it waits while the backend is unhealthy and yields to provisioning.
   */
  measure(pv: V1PersistentVolume, signal: AbortSignal): Promise<MeasuredUsage | undefined>;
}
