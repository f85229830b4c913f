// The PersistentVolume for a provisioned claim: everything but the volume source and the backend's
// annotations comes from the claim and its class, as the Kubernetes provisioner library builds it.
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { ProvisionedVolume } from './provisioner.ts';
import { ANN_PROVISIONED_BY, PV_FINALIZER } from './well-known.ts';

export interface VolumeBuildInput {
  readonly claim: V1PersistentVolumeClaim;
  readonly storageClass: V1StorageClass;
  readonly pvName: string;
  readonly provisionerName: string;
  readonly provisioned: ProvisionedVolume;
}

export function buildVolume(input: VolumeBuildInput): V1PersistentVolume {
  const { claim, storageClass, pvName, provisionerName, provisioned } = input;
  const metadata = claim.metadata ?? {};
  const storage = claim.spec?.resources?.requests?.['storage'] ?? '0';
  const mountOptions = storageClass.mountOptions;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: pvName,
      annotations: { ...provisioned.annotations, [ANN_PROVISIONED_BY]: provisionerName },
      finalizers: [PV_FINALIZER],
    },
    spec: {
      capacity: { storage },
      accessModes: [...(claim.spec?.accessModes ?? [])],
      volumeMode: 'Filesystem',
      claimRef: {
        kind: 'PersistentVolumeClaim',
        apiVersion: 'v1',
        namespace: metadata.namespace ?? '',
        name: metadata.name ?? '',
        uid: metadata.uid ?? '',
        ...(metadata.resourceVersion === undefined ? {} : { resourceVersion: metadata.resourceVersion }),
      },
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
      storageClassName: storageClass.metadata?.name ?? '',
      ...(mountOptions === undefined || mountOptions.length === 0 ? {} : { mountOptions: [...mountOptions] }),
      ...provisioned.source,
    },
  };
}
