import t from 'tap';
import type { Test } from 'tap';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { markScheduled } from '../../../harness/controllers/mark-scheduled.ts';
import { externalProvisioningMessage } from '../../../harness/controllers/pv-controller.ts';
import { clusterFixture, eventually, settle } from './fixture.ts';
import type { Fixture } from './fixture.ts';

const PROVISIONER = 'example.com/nfs';
const NS = 'default';

async function createClass(f: Fixture, name: string, mode: 'Immediate' | 'WaitForFirstConsumer' = 'Immediate', provisioner = PROVISIONER): Promise<void> {
  await f.api.storage.createStorageClass({ body: { metadata: { name }, provisioner, volumeBindingMode: mode, reclaimPolicy: 'Delete' } });
}

function claimBody(name: string, opts: { cls?: string; size?: string; modes?: string[]; selector?: V1PersistentVolumeClaim['spec'] extends infer S ? (S extends { selector?: infer X } ? X : never) : never; volumeName?: string } = {}): V1PersistentVolumeClaim {
  return {
    metadata: { name },
    spec: {
      ...(opts.cls !== undefined ? { storageClassName: opts.cls } : {}),
      accessModes: opts.modes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: opts.size ?? '1Gi' } },
      ...(opts.selector ? { selector: opts.selector } : {}),
      ...(opts.volumeName ? { volumeName: opts.volumeName } : {}),
    },
  };
}

function staticPv(name: string, opts: { cls?: string; size?: string; modes?: string[]; labels?: Record<string, string>; reclaim?: string; claimRef?: { name: string; namespace: string; uid?: string }; annotations?: Record<string, string> } = {}): V1PersistentVolume {
  return {
    metadata: { name, ...(opts.labels ? { labels: opts.labels } : {}), ...(opts.annotations ? { annotations: opts.annotations } : {}) },
    spec: {
      capacity: { storage: opts.size ?? '1Gi' },
      accessModes: opts.modes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: opts.reclaim ?? 'Retain',
      storageClassName: opts.cls ?? 'nfs',
      nfs: { server: '172.16.1.30', path: '/nfsdata' },
      ...(opts.claimRef ? { claimRef: opts.claimRef } : {}),
    },
  };
}

const readClaim = (f: Fixture, name: string): Promise<V1PersistentVolumeClaim> => f.api.core.readNamespacedPersistentVolumeClaim({ name, namespace: NS });
const readPv = (f: Fixture, name: string): Promise<V1PersistentVolume> => f.api.core.readPersistentVolume({ name });

async function claimEvents(f: Fixture, claimName: string): Promise<{ reason: string; message: string; component: string }[]> {
  const list = await f.api.core.listNamespacedEvent({ namespace: NS });
  return list.items
    .filter((e) => e.involvedObject.kind === 'PersistentVolumeClaim' && e.involvedObject.name === claimName)
    .map((e) => ({ reason: e.reason ?? '', message: e.message ?? '', component: e.source?.component ?? '' }));
}

async function expectBound(t: Test, f: Fixture, claimName: string, pvName: string, boundByController: boolean): Promise<void> {
  const claim = await eventually(`claim ${claimName} Bound`, async () => {
    const c = await readClaim(f, claimName);
    return c.status?.phase === 'Bound' && c;
  });
  const pv = await eventually(`volume ${pvName} Bound`, async () => {
    const v = await readPv(f, pvName);
    return v.status?.phase === 'Bound' && v;
  });
  t.equal(claim.spec?.volumeName, pvName, 'claim.spec.volumeName');
  t.equal(claim.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  t.equal(claim.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], boundByController ? 'yes' : undefined);
  t.same(claim.status?.capacity, pv.spec?.capacity, 'claim capacity = volume capacity');
  t.same(claim.status?.accessModes, pv.spec?.accessModes);
  t.match(pv.spec?.claimRef, { name: claimName, namespace: NS, uid: claim.metadata?.uid });
}


void t.test('dynamic provisioning: storage-provisioner annotations and event, binding, Released on delete', async (t) => {
  const f = await clusterFixture(t);
  await createClass(f, 'managed-nfs-storage');
  const created = await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('nfs-pv1', { cls: 'managed-nfs-storage', modes: ['ReadWriteMany'], size: '100Mi' }) });
  const annotated = await eventually('storage-provisioner annotations', async () => {
    const c = await readClaim(f, 'nfs-pv1');
    return c.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'] === PROVISIONER && c;
  });
  t.equal(annotated.metadata?.annotations?.['volume.beta.kubernetes.io/storage-provisioner'], PROVISIONER);
  t.equal(annotated.status?.phase, 'Pending');
  const events = await eventually('ExternalProvisioning event', async () => {
    const ev = await claimEvents(f, 'nfs-pv1');
    return ev.some((e) => e.reason === 'ExternalProvisioning') && ev;
  });
  t.match(events.find((e) => e.reason === 'ExternalProvisioning'), { message: externalProvisioningMessage(PROVISIONER), component: 'persistentvolume-controller' });

  // What an external provisioner does: a PV pre-bound to the claim (with uid).
  const uid = created.metadata?.uid ?? '';
  const pvName = `pvc-${uid}`;
  await f.api.core.createPersistentVolume({
    body: staticPv(pvName, { cls: 'managed-nfs-storage', size: '100Mi', modes: ['ReadWriteMany'], reclaim: 'Delete', claimRef: { name: 'nfs-pv1', namespace: NS, uid }, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } }),
  });
  await expectBound(t, f, 'nfs-pv1', pvName, true);

  await f.api.core.deleteNamespacedPersistentVolumeClaim({ name: 'nfs-pv1', namespace: NS });
  await eventually('volume Released', async () => (await readPv(f, pvName)).status?.phase === 'Released');
  await settle(f);
  const pv = await readPv(f, pvName);
  t.equal(pv.status?.phase, 'Released', 'Delete of an externally provisioned volume is left to its provisioner');
  t.notOk(pv.metadata?.deletionTimestamp, 'the controller did not delete it');
});

void t.test('WaitForFirstConsumer: no provisioner annotation until markScheduled', async (t) => {
  const f = await clusterFixture(t);
  await createClass(f, 'wffc', 'WaitForFirstConsumer');
  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('late', { cls: 'wffc' }) });
  await eventually('WaitForFirstConsumer event', async () => (await claimEvents(f, 'late')).some((e) => e.reason === 'WaitForFirstConsumer'));
  await settle(f);
  t.equal((await readClaim(f, 'late')).metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'], undefined, 'not yet handed to the provisioner');
  await markScheduled(f.api.core, NS, 'late', 'node-1');
  const c = await eventually('annotation after scheduling', async () => {
    const c = await readClaim(f, 'late');
    return c.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'] === PROVISIONER && c;
  });
  t.equal(c.metadata?.annotations?.['volume.kubernetes.io/selected-node'], 'node-1');
});

void t.test('static volumes (seed 003): class, smallest size, access modes, selector; Retain keeps Released', async (t) => {
  const f = await clusterFixture(t);
  await f.api.core.createPersistentVolume({ body: staticPv('nfs-pv', { size: '1Gi' }) });
  await f.api.core.createPersistentVolume({ body: staticPv('nfs-pv-big', { size: '10Gi' }) });
  await f.api.core.createPersistentVolume({ body: staticPv('nfs-pv-rwx', { size: '1Gi', modes: ['ReadWriteMany'] }) });
  await f.api.core.createPersistentVolume({ body: staticPv('nfs-pv-gold', { size: '5Gi', labels: { tier: 'gold' } }) });
  await f.api.core.createPersistentVolume({ body: staticPv('other-class', { size: '1Gi', cls: 'slow' }) });
  await eventually('volumes Available', async () => (await f.api.core.listPersistentVolume()).items.every((v) => v.status?.phase === 'Available'));

  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('nfs-pvc', { cls: 'nfs', size: '1Gi' }) });
  await expectBound(t, f, 'nfs-pvc', 'nfs-pv', true);

  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('shared', { cls: 'nfs', size: '500Mi', modes: ['ReadWriteMany'] }) });
  await expectBound(t, f, 'shared', 'nfs-pv-rwx', true);

  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('gold', { cls: 'nfs', size: '1Gi', selector: { matchLabels: { tier: 'gold' } } }) });
  await expectBound(t, f, 'gold', 'nfs-pv-gold', true);

  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('too-big', { cls: 'nfs', size: '20Gi' }) });
  await settle(f);
  t.equal((await readClaim(f, 'too-big')).status?.phase, 'Pending', 'no volume is big enough');
  t.equal((await readPv(f, 'nfs-pv-big')).status?.phase, 'Available');

  await f.api.core.deleteNamespacedPersistentVolumeClaim({ name: 'nfs-pvc', namespace: NS });
  await eventually('Released', async () => (await readPv(f, 'nfs-pv')).status?.phase === 'Released');
  await settle(f);
  const pv = await readPv(f, 'nfs-pv');
  t.equal(pv.status?.phase, 'Released', 'Retain: stays Released');
  t.equal(pv.spec?.claimRef?.name, 'nfs-pvc', 'keeps its claimRef');
});

void t.test('pre-bound volume and pre-bound claim', async (t) => {
  const f = await clusterFixture(t);
  await f.api.core.createPersistentVolume({ body: staticPv('reserved', { claimRef: { name: 'mine', namespace: NS } }) });
  await f.api.core.createPersistentVolume({ body: staticPv('decoy', {}) });
  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('mine', { cls: 'nfs' }) });
  await expectBound(t, f, 'mine', 'reserved', true);

  await f.api.core.createPersistentVolume({ body: staticPv('by-name', { size: '2Gi' }) });
  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('asks-by-name', { cls: 'nfs', volumeName: 'by-name' }) });
  await expectBound(t, f, 'asks-by-name', 'by-name', false);
  t.equal((await readPv(f, 'decoy')).status?.phase, 'Available', 'the other volume stays free');
});

void t.test('a bound claim whose volume is gone is Lost; Delete without provisioner fails the volume', async (t) => {
  const f = await clusterFixture(t, { protection: false });
  await f.api.core.createPersistentVolume({ body: staticPv('doomed') });
  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('victim', { cls: 'nfs' }) });
  await expectBound(t, f, 'victim', 'doomed', true);
  // The API server's admission may have added pv-protection; with that controller off, drop it ourselves.
  const pv = await readPv(f, 'doomed');
  if (pv.metadata?.finalizers?.length) {
    pv.metadata.finalizers = [];
    await f.api.core.replacePersistentVolume({ name: 'doomed', body: pv });
  }
  await f.api.core.deletePersistentVolume({ name: 'doomed' });
  await eventually('claim Lost', async () => (await readClaim(f, 'victim')).status?.phase === 'Lost');
  await eventually('ClaimLost event', async () => (await claimEvents(f, 'victim')).some((e) => e.reason === 'ClaimLost'));

  await f.api.core.createPersistentVolume({ body: staticPv('static-delete', { reclaim: 'Delete' }) });
  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('short-lived', { cls: 'nfs' }) });
  await expectBound(t, f, 'short-lived', 'static-delete', true);
  const claim = await readClaim(f, 'short-lived');
  if (claim.metadata?.finalizers?.length) {
    claim.metadata.finalizers = [];
    await f.api.core.replaceNamespacedPersistentVolumeClaim({ name: 'short-lived', namespace: NS, body: claim });
  }
  await f.api.core.deleteNamespacedPersistentVolumeClaim({ name: 'short-lived', namespace: NS });
  const failed = await eventually('volume Failed', async () => {
    const v = await readPv(f, 'static-delete');
    return v.status?.phase === 'Failed' && v;
  });
  t.match(failed.status?.message, /no deletable volume plugin matched/);
});

void t.test('claims without a class and no volumes get a FailedBinding event', async (t) => {
  const f = await clusterFixture(t);
  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('classless', { cls: '' }) });
  await eventually('FailedBinding', async () => (await claimEvents(f, 'classless')).some((e) => e.reason === 'FailedBinding'));
  t.equal((await readClaim(f, 'classless')).status?.phase, 'Pending');
});

void t.test('a Bound claim keeps its status capacity when its PV grows (kube-controller-manager copies it only on binding)', async (t) => {
  const f = await clusterFixture(t);
  await f.api.core.createPersistentVolume({ body: staticPv('grow-pv', { size: '1Mi', modes: ['ReadWriteMany'] }) });
  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('grow', { cls: 'nfs', size: '1Mi', modes: ['ReadWriteMany'] }) });
  await expectBound(t, f, 'grow', 'grow-pv', true);
  const pv = await readPv(f, 'grow-pv');
  await f.api.core.replacePersistentVolume({ name: 'grow-pv', body: { ...pv, spec: { ...pv.spec, capacity: { storage: '2Mi' } } } });
  await settle(f);
  t.same((await readClaim(f, 'grow')).status?.capacity, { storage: '1Mi' }, 'not clobbered: that is the resizer\'s write');
});
