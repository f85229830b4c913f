// Prometheus metrics of the exports, every one labelled `export` (the export's name), registered
// on the Registry main.ts passes in. They live here, not with the controller's, because only the
// NFS backend knows what an export is. Other per-export metrics (usage, ...) take the label from
// NfsExport.name the same way.
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { FsObserver } from './export-fs.ts';
import type { ExportState, NfsExport } from './nfs-export.ts';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const STATES: readonly ExportState[] = ['ok', 'unknown', 'hung', 'read-only', 'full', 'not-writable', 'unusable'];

export class ExportMetrics {
  readonly probeDuration: Histogram<'export' | 'result'>;
  readonly probeSuccess: Gauge<'export'>;
  readonly state: Gauge<'export' | 'state'>;
  readonly fsDuration: Histogram<'export' | 'operation' | 'outcome'>;
  readonly fsTimeouts: Counter<'export' | 'operation'>;
  readonly operations: Counter<'export' | 'operation' | 'result'>;
  readonly operationDuration: Histogram<'export' | 'operation' | 'result'>;
  #exports: readonly NfsExport[] = [];

  constructor(registry: Registry) {
    const registers = [registry];
    // The exports are made with this.observer(), so they come in later, through track().
    const exports = (): readonly NfsExport[] => this.#exports;
    this.probeDuration = new Histogram({
      name: 'nfs_provisioner_export_probe_duration_seconds',
      help: 'Latency of the export health probe, by export and result',
      labelNames: ['export', 'result'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.probeSuccess = new Gauge({ name: 'nfs_provisioner_export_probe_success', help: '1 if the last probe of the export succeeded', labelNames: ['export'], registers });
    this.state = new Gauge({
      name: 'nfs_provisioner_export_state',
      help: '1 for the state each export is in (ok, unknown, hung, read-only, full, not-writable, unusable), 0 for the others',
      labelNames: ['export', 'state'],
      registers,
    });
    this.fsDuration = new Histogram({
      name: 'nfs_provisioner_fs_operation_duration_seconds',
      help: 'File-system calls on an export, by export, operation and outcome (ok, error, timeout, stalled)',
      labelNames: ['export', 'operation', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.fsTimeouts = new Counter({ name: 'nfs_provisioner_fs_timeouts_total', help: 'File-system calls on an export that timed out', labelNames: ['export', 'operation'], registers });
    new Gauge({
      name: 'nfs_provisioner_fs_calls_active',
      help: 'File-system calls holding one of the export\'s slots (hung ones included): libuv threads it occupies',
      labelNames: ['export'],
      registers,
      collect() {
        for (const e of exports()) this.labels(e.name).set(e.fsLoad().active);
      },
    });
    new Gauge({
      name: 'nfs_provisioner_fs_calls_waiting',
      help: 'File-system calls waiting for one of the export\'s slots',
      labelNames: ['export'],
      registers,
      collect() {
        for (const e of exports()) this.labels(e.name).set(e.fsLoad().pending);
      },
    });
    this.operations = new Counter({
      name: 'nfs_provisioner_export_operations_total',
      help: 'Directory work of provisions and reclaims, by export, operation (provision, delete) and result',
      labelNames: ['export', 'operation', 'result'],
      registers,
    });
    this.operationDuration = new Histogram({
      name: 'nfs_provisioner_export_operation_duration_seconds',
      help: 'Time of the directory work of one provision or reclaim, by export, operation and result',
      labelNames: ['export', 'operation', 'result'],
      buckets: DURATION_BUCKETS,
      registers,
    });
  }

  /** The exports whose slot gauges are collected; each starts in state `unknown`. */
  track(exports: readonly NfsExport[]): void {
    this.#exports = exports;
    for (const e of exports) this.setState(e.name, 'unknown');
  }

  /** The FsObserver of one export's ExportFs. */
  observer(exportName: string): FsObserver {
    return {
      onFsCall: (operation, milliseconds, outcome) => {
        this.fsDuration.labels(exportName, operation, outcome).observe(milliseconds / 1000);
        if (outcome === 'timeout') this.fsTimeouts.labels(exportName, operation).inc();
      },
    };
  }

  recordProbe(exportName: string, ok: boolean, milliseconds: number): void {
    this.probeDuration.labels(exportName, ok ? 'success' : 'failed').observe(milliseconds / 1000);
    this.probeSuccess.labels(exportName).set(ok ? 1 : 0);
  }

  setState(exportName: string, state: ExportState): void {
    for (const s of STATES) this.state.labels(exportName, s).set(s === state ? 1 : 0);
  }

  recordOperation(exportName: string, operation: 'provision' | 'delete', result: 'success' | 'failed', milliseconds: number): void {
    this.operations.labels(exportName, operation, result).inc();
    this.operationDuration.labels(exportName, operation, result).observe(milliseconds / 1000);
  }
}
