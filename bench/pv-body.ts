// A PV shaped like one our provisioner makes (annotations, finalizer, NFS source), for the
// scenarios that create PVs themselves: `limit` (the API server's ceiling) and `scale` (seeding).
import type { V1ObjectReference, V1PersistentVolume } from '@kubernetes/client-node';
import { PROVISIONER_NAME } from './world.ts';

/** The finalizer ours puts on its PVs (and drops when it has reclaimed the directory). */
export const PV_FINALIZER = 'external-provisioner.volume.kubernetes.io/finalizer';

export function provisionedPvBody(name: string, directory: string, exportDir: string, claimRef?: V1ObjectReference): V1PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name,
      annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER_NAME, 'nfs-provisioner.dev/directory': directory, 'nfs-provisioner.dev/on-delete': 'archive' },
      finalizers: [PV_FINALIZER],
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
