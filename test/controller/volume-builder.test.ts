import t from 'tap';
import { buildVolume } from '../../lib/controller/volume-builder.ts';
import { claim, OURS, storageClass } from './fixtures.ts';

void t.test('the PV around the backend source', (t) => {
  const pv = buildVolume({
    claim: claim('data', { spec: { accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], resources: { requests: { storage: '5Gi' } } } }),
    storageClass: storageClass('nfs', { reclaimPolicy: 'Retain', mountOptions: ['nfsvers=4.1', 'hard'] }),
    pvName: 'pvc-uid-data',
    provisionerName: OURS,
    provisioned: {
      source: { nfs: { server: 'nfs.example.com', path: '/exports/default-data-pvc-uid-data' } },
      annotations: { 'nfs-provisioner.dev/directory': 'default-data-pvc-uid-data', 'nfs-provisioner.dev/on-delete': 'archive', 'pv.kubernetes.io/provisioned-by': 'spoofed' },
    },
  });
  t.same(pv, {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: 'pvc-uid-data',
      annotations: {
        'nfs-provisioner.dev/directory': 'default-data-pvc-uid-data',
        'nfs-provisioner.dev/on-delete': 'archive',
        'pv.kubernetes.io/provisioned-by': OURS,
      },
      finalizers: ['external-provisioner.volume.kubernetes.io/finalizer'],
    },
    spec: {
      capacity: { storage: '5Gi' },
      accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
      volumeMode: 'Filesystem',
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: 'data', uid: 'uid-data', resourceVersion: '10' },
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: 'nfs',
      mountOptions: ['nfsvers=4.1', 'hard'],
      nfs: { server: 'nfs.example.com', path: '/exports/default-data-pvc-uid-data' },
    },
  });
  const plain = buildVolume({ claim: claim(), storageClass: storageClass(), pvName: 'pvc-x', provisionerName: OURS, provisioned: { source: {}, annotations: {} } });
  t.equal(plain.spec?.persistentVolumeReclaimPolicy, 'Delete', 'default reclaim policy Delete');
  t.notOk('mountOptions' in (plain.spec ?? {}), 'no empty mountOptions');
  t.end();
});
