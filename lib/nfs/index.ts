// The NFS backend's public surface, for lib/main.ts (wiring) and other modules that act on an
// export's files (usage, clones): the per-export object, routing, health and metrics.
export { NfsProvisioner, UNKNOWN_PARAMETER_REASON } from './nfs-provisioner.ts';
export type { Clock, NfsProvisionerOptions } from './nfs-provisioner.ts';
export { NfsExport, ExportStateError, stateOfError } from './nfs-export.ts';
export type { ExportState, NfsExportOptions, StartCheck } from './nfs-export.ts';
export { exportForClass, exportForVolume } from './export-routing.ts';
export type { Routed } from './export-routing.ts';
export { ExportHealth, exportReadinessChecks } from './export-health.ts';
export type { ExportCondition } from './export-health.ts';
export { ExportMetrics } from './export-metrics.ts';
export { ExportFs, FsStalledError } from './export-fs.ts';
export type { FsImplementation, FsObserver, FsOperation, FsOutcome } from './export-fs.ts';
export { DIRECTORY_ANNOTATION, EXPORT_ANNOTATION, ON_DELETE_ANNOTATION, PROVISIONED_BY_ANNOTATION } from './annotations.ts';
export type { ReclaimDecision } from './annotations.ts';
export type { UsageExport, UsageHealth } from './usage-meter.ts';
