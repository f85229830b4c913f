import t from 'tap';
import type { V1StatefulSet } from '@kubernetes/client-node';
import { claimsForStatefulSet } from '../../../harness/controllers/statefulset-controller.ts';
import { clusterFixture, eventually } from './fixture.ts';

// Seed 002's StatefulSet, as its users apply it.
const seedSet = (): V1StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'web' },
  spec: {
    serviceName: 'nginx-svc',
    replicas: 3,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] },
    },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { storageClassName: 'nfs', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  },
});

void t.test('claims from volumeClaimTemplates', (t) => {
  const set = seedSet();
  set.metadata = { ...set.metadata, namespace: 'apps' };
  const claims = claimsForStatefulSet(set);
  t.same(claims.map((c) => c.metadata?.name), ['www-web-0', 'www-web-1', 'www-web-2']);
  t.same(claims[0]?.metadata?.labels, { app: 'nginx' }, 'selector labels added');
  t.equal(claims[0]?.metadata?.namespace, 'apps');
  t.match(claims[2]?.spec, { storageClassName: 'nfs', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
  t.end();
});

void t.test("seed 002's StatefulSet yields www-web-0..2, bound claims make replicas ready", async (t) => {
  const f = await clusterFixture(t);
  await f.api.apps.createNamespacedStatefulSet({ namespace: 'default', body: seedSet() });
  const claims = await eventually('three claims', async () => {
    const list = await f.api.core.listNamespacedPersistentVolumeClaim({ namespace: 'default' });
    return list.items.length === 3 && list.items;
  });
  t.same(claims.map((c) => c.metadata?.name).sort(), ['www-web-0', 'www-web-1', 'www-web-2']);
  t.same(claims[0]?.metadata?.labels, { app: 'nginx' });
  const pending = await eventually('status.replicas', async () => {
    const s = await f.api.apps.readNamespacedStatefulSet({ name: 'web', namespace: 'default' });
    return s.status?.replicas === 3 && s;
  });
  t.equal(pending.status?.readyReplicas ?? 0, 0, 'no replica is ready while its claim is Pending');

  for (const i of [0, 1, 2]) {
    await f.api.core.createPersistentVolume({
      body: { metadata: { name: `nfs-pv-${i}` }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'nfs', persistentVolumeReclaimPolicy: 'Retain', nfs: { server: 'x', path: `/d${i}` } } },
    });
  }
  await eventually('readyReplicas 3', async () => (await f.api.apps.readNamespacedStatefulSet({ name: 'web', namespace: 'default' })).status?.readyReplicas === 3);

  await f.api.apps.patchNamespacedStatefulSet({ name: 'web', namespace: 'default', body: [{ op: 'replace', path: '/spec/replicas', value: 4 }] });
  await eventually('a fourth claim on scale-up', async () => {
    try {
      await f.api.core.readNamespacedPersistentVolumeClaim({ name: 'www-web-3', namespace: 'default' });
      return true;
    } catch {
      return false;
    }
  });
  t.pass('scaled up');
});
