// StorageObjectInUseProtection admission: new claims get kubernetes.io/pvc-protection and new
// volumes kubernetes.io/pv-protection; the protection controller (harness/controllers) removes them.
import type { AdmissionPlugin } from './types.ts';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

export const storageObjectInUseProtection: AdmissionPlugin = {
  name: 'StorageObjectInUseProtection',
  admit({ operation, resource, object }) {
    if (operation !== 'CREATE' || resource.group !== '') return;
    const finalizer =
      resource.kind === 'PersistentVolumeClaim' ? PVC_PROTECTION_FINALIZER : resource.kind === 'PersistentVolume' ? PV_PROTECTION_FINALIZER : undefined;
    if (!finalizer) return;
    const current = object.metadata.finalizers ?? [];
    if (!current.includes(finalizer)) object.metadata.finalizers = [...current, finalizer];
  },
};
