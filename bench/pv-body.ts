// A PV shaped like one our provisioner makes (annotations, finalizer, NFS source), for the
// scenarios that create PVs themselves: `limit` (the API server's ceiling) and `scale` (seeding).
import type { V1ObjectReference, V1PersistentVolume } from '@kubernetes/client-node';
import { PROVISIONER_NAME } from './world.ts';

export function provisionedPvBody(name: string, directory: string, exportDir: string, claimRef?: V1ObjectReference): V1PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name,
      annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER_NAME, 'nfs-provisioner.dev/directory': directory, 'nfs-provisioner.dev/on-delete': 'archive' },
      finalizers: ['external-provisioner.volume.kubernetes.io/finalizer'],
    },
    spec: {
      capacity: { storage: '1Mi' },
      accessModes: ['ReadWriteMany'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'bench-nfs',
      nfs: { server: '127.0.0.1', path: `${exportDir}/${directory}` },
      ...(claimRef === undefined ? {} : { claimRef }),
    },
  };
}
