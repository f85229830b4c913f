// The NFS backend's public surface, for lib/main.ts (wiring) and lib/http (metrics hooks).
export { NfsProvisioner } from './nfs-provisioner.ts';
export type { Clock, NfsProvisionerOptions } from './nfs-provisioner.ts';
export type { FsImplementation, FsObserver, FsOperation, FsOutcome } from './export-fs.ts';
export { DIRECTORY_ANNOTATION, ON_DELETE_ANNOTATION, PROVISIONED_BY_ANNOTATION } from './annotations.ts';
export type { ReclaimDecision } from './annotations.ts';
export type { ExportHealth } from './usage-meter.ts';
