// Metrics of expansion and usage reporting, on the Registry main.ts passes in (beside
// ProvisionerMetrics). The per-volume gauges are filled at scrape time from the usage monitor's
// records, so the series of a volume disappear as soon as its record does (PV deleted, released,
// no longer ours) and no stale label set can linger.
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

export const VOLUME_LABELS = ['namespace', 'persistentvolumeclaim', 'persistentvolume', 'export'] as const;
export type VolumeLabel = (typeof VOLUME_LABELS)[number];
export type VolumeLabels = Readonly<Record<VolumeLabel, string>>;

export interface VolumeUsageRow {
  readonly labels: VolumeLabels;
  readonly usedBytes: number;
  readonly files: number;
  /** From the PV's spec.capacity; undefined when unreadable. */
  readonly capacityBytes: number | undefined;
}

export class VolumeMetrics {
  readonly resizes: Counter<'result'>;
  readonly usagePasses: Counter;
  readonly usageLastPassSeconds: Gauge;
  readonly usageLastPassFiles: Gauge;
  readonly usageLastPassVolumes: Gauge;
  readonly usageErrors: Counter<'kind'>;
  readonly usageAnnotations: Counter<'result'>;
  #rows: () => readonly VolumeUsageRow[] = () => [];

  constructor(registry: Registry) {
    const registers = [registry];
    const rows = (): readonly VolumeUsageRow[] => this.#rows();
    const perVolume = (name: string, help: string, value: (row: VolumeUsageRow) => number | undefined): Gauge<VolumeLabel> =>
      new Gauge({
        name,
        help,
        labelNames: VOLUME_LABELS,
        registers,
        collect() {
          this.reset();
          for (const row of rows()) {
            const v = value(row);
            if (v !== undefined) this.set(row.labels, v);
          }
        },
      });
    perVolume('nfs_provisioner_volume_used_bytes', 'Bytes a volume holds (allocated, as du counts them), from the last usage pass', (r) => r.usedBytes);
    perVolume('nfs_provisioner_volume_files', 'Files in a volume (non-directory inodes, hard links once), from the last usage pass', (r) => r.files);
    perVolume('nfs_provisioner_volume_capacity_bytes', "A volume's capacity (the PV's spec.capacity)", (r) => r.capacityBytes);
    perVolume('nfs_provisioner_volume_over_capacity', '1 when a volume holds more than its capacity (NFS does not enforce it), else 0', (r) =>
      r.capacityBytes === undefined ? undefined : r.usedBytes > r.capacityBytes ? 1 : 0,
    );
    this.resizes = new Counter({ name: 'nfs_provisioner_resizes_total', help: 'Claim expansions by result (success, failed attempt)', labelNames: ['result'], registers });
    this.usagePasses = new Counter({ name: 'nfs_provisioner_usage_passes_total', help: 'Finished full passes of the usage walker', registers });
    this.usageLastPassSeconds = new Gauge({ name: 'nfs_provisioner_usage_last_pass_duration_seconds', help: 'Duration of the last full usage pass', registers });
    this.usageLastPassFiles = new Gauge({ name: 'nfs_provisioner_usage_last_pass_files', help: 'Files counted by the last full usage pass', registers });
    this.usageLastPassVolumes = new Gauge({ name: 'nfs_provisioner_usage_last_pass_volumes', help: 'Volumes measured by the last full usage pass', registers });
    this.usageErrors = new Counter({
      name: 'nfs_provisioner_usage_errors_total',
      help: 'Volumes the usage walker could not measure (failed) or measured only in part (partial: entries skipped)',
      labelNames: ['kind'],
      registers,
    });
    this.usageAnnotations = new Counter({ name: 'nfs_provisioner_usage_annotation_writes_total', help: 'Usage annotation patches of PVs, by result', labelNames: ['result'], registers });
  }

  setUsageSource(rows: () => readonly VolumeUsageRow[]): void {
    this.#rows = rows;
  }
}
