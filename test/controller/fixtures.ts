// Claims, classes and volumes for controller tests.
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';

export const OURS = 'example.com/nfs';

export function storageClass(name = 'nfs', extra: Partial<V1StorageClass> = {}): V1StorageClass {
  return { metadata: { name, resourceVersion: '1' }, provisioner: OURS, ...extra };
}

export function claim(name = 'data', options: { uid?: string; annotations?: Record<string, string>; spec?: V1PersistentVolumeClaim['spec']; rv?: string } = {}): V1PersistentVolumeClaim {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: options.uid ?? `uid-${name}`,
      resourceVersion: options.rv ?? '10',
      annotations: { 'volume.kubernetes.io/storage-provisioner': OURS, ...options.annotations },
    },
    spec: {
      storageClassName: 'nfs',
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: '1Gi' } },
      ...options.spec,
    },
  };
}

export function volume(name: string, extra: { phase?: string; policy?: string; by?: string; deleting?: boolean; finalizers?: string[]; path?: string } = {}): V1PersistentVolume {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: '20',
      annotations: { 'pv.kubernetes.io/provisioned-by': extra.by ?? OURS },
      finalizers: extra.finalizers ?? ['external-provisioner.volume.kubernetes.io/finalizer'],
      ...(extra.deleting === true ? { deletionTimestamp: new Date(0) } : {}),
    },
    spec: {
      persistentVolumeReclaimPolicy: extra.policy ?? 'Delete',
      storageClassName: 'nfs',
      claimRef: { namespace: 'default', name: 'data', uid: 'uid-data' },
      nfs: { server: 's', path: extra.path ?? `/e/${name}` },
    },
    status: { phase: extra.phase ?? 'Released' },
  };
}
