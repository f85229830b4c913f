// Kubernetes' own annotation and finalizer names that the controller reads and writes.
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const PV_FINALIZER = 'external-provisioner.volume.kubernetes.io/finalizer';

export function pvNameForClaim(uid: string): string {
  return `pvc-${uid}`;
}
