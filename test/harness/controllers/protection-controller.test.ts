import t from 'tap';
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { claimsUsedByPod, podUsesClaim } from '../../../harness/controllers/protection-controller.ts';
import { clusterFixture, eventually, settle } from './fixture.ts';

const NS = 'default';
const claimBody = (name: string): V1PersistentVolumeClaim => ({
  metadata: { name },
  spec: { storageClassName: 'nfs', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});

void t.test('claims a Pod uses', (t) => {
  const pod = {
    metadata: { name: 'web-0' },
    spec: { containers: [], volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }, { name: 'scratch', ephemeral: {} }, { name: 'cfg', configMap: { name: 'x' } }] },
  };
  t.same(claimsUsedByPod(pod), ['www-web-0', 'web-0-scratch']);
  t.ok(podUsesClaim(pod, 'www-web-0'));
  t.notOk(podUsesClaim({ ...pod, status: { phase: 'Succeeded' } }, 'www-web-0'), 'a finished Pod uses nothing');
  t.end();
});

void t.test('pvc-protection: a claim in use by a Pod stays until the Pod is gone', async (t) => {
  const f = await clusterFixture(t, { pv: false });
  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('used') });
  await eventually('pvc-protection finalizer', async () =>
    (await f.api.core.readNamespacedPersistentVolumeClaim({ name: 'used', namespace: NS })).metadata?.finalizers?.includes('kubernetes.io/pvc-protection'),
  );
  await f.api.core.createNamespacedPod({
    namespace: NS,
    body: { metadata: { name: 'test-pod' }, spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'used' } }] } },
  });
  await f.api.core.deleteNamespacedPersistentVolumeClaim({ name: 'used', namespace: NS });
  await settle(f);
  const held = await f.api.core.readNamespacedPersistentVolumeClaim({ name: 'used', namespace: NS });
  t.ok(held.metadata?.deletionTimestamp, 'marked for deletion');
  t.ok(held.metadata?.finalizers?.includes('kubernetes.io/pvc-protection'), 'still protected while the Pod exists');
  await f.api.core.deleteNamespacedPod({ name: 'test-pod', namespace: NS, gracePeriodSeconds: 0 });
  await eventually('claim gone', async () => {
    try {
      await f.api.core.readNamespacedPersistentVolumeClaim({ name: 'used', namespace: NS });
      return false;
    } catch {
      return true;
    }
  });
  t.pass('claim deleted once unused');
});

void t.test('pv-protection: a Bound volume stays until it is not Bound', async (t) => {
  const f = await clusterFixture(t);
  await f.api.core.createPersistentVolume({
    body: { metadata: { name: 'pv1' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'nfs', persistentVolumeReclaimPolicy: 'Retain', nfs: { server: 'x', path: '/x' } } },
  });
  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claimBody('c1') });
  await eventually('bound', async () => (await f.api.core.readPersistentVolume({ name: 'pv1' })).status?.phase === 'Bound');
  t.ok((await f.api.core.readPersistentVolume({ name: 'pv1' })).metadata?.finalizers?.includes('kubernetes.io/pv-protection'));
  await f.api.core.deletePersistentVolume({ name: 'pv1' });
  await settle(f);
  const held = await f.api.core.readPersistentVolume({ name: 'pv1' });
  t.ok(held.metadata?.deletionTimestamp);
  t.equal(held.status?.phase, 'Bound', 'a Bound volume is kept');
  await f.api.core.deleteNamespacedPersistentVolumeClaim({ name: 'c1', namespace: NS });
  await eventually('volume gone after its claim went', async () => {
    try {
      await f.api.core.readPersistentVolume({ name: 'pv1' });
      return false;
    } catch {
      return true;
    }
  });
  t.pass('volume deleted once Released');
});
