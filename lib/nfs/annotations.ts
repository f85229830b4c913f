// Annotation keys this backend reads and writes on PersistentVolumes (shared contract, see
// CONVENTIONS.md: PV shape).

/** Set by the controller on every PV it creates; PVs of the Go project carry it too. */
export const PROVISIONED_BY_ANNOTATION = 'pv.kubernetes.io/provisioned-by';
/** The volume's directory relative to the export root, recorded at provision time. */
export const DIRECTORY_ANNOTATION = 'nfs-provisioner.dev/directory';
/** What delete does with the directory (archive | delete | retain), decided at provision time. */
export const ON_DELETE_ANNOTATION = 'nfs-provisioner.dev/on-delete';

/** The export (by name) the volume's directory was made on; reclaim goes there. */
export const EXPORT_ANNOTATION = 'nfs-provisioner.dev/export';

export type ReclaimDecision = 'archive' | 'delete' | 'retain';

export function isReclaimDecision(value: string | undefined): value is ReclaimDecision {
  return value === 'archive' || value === 'delete' || value === 'retain';
}
