// The stand-ins must survive what the fault suite does: dropped watches, an API server restart,
// and a watch that resumes from a resourceVersion older than the server's history (410: relist).
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { CONTROLLER_USER_AGENT } from '../../../harness/controllers/kube-clients.ts';
import { localApiServer } from '../../../harness/cluster.ts';
import { clusterFixture, eventually } from './fixture.ts';
import type { Fixture } from './fixture.ts';

const NS = 'default';
const PROVISIONER = 'example.com/nfs';

async function createClaim(f: Fixture, name: string): Promise<void> {
  await f.api.core.createNamespacedPersistentVolumeClaim({
    namespace: NS,
    body: { metadata: { name }, spec: { storageClassName: 'nfs-client', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Mi' } } } },
  });
}
const handled = async (f: Fixture, name: string): Promise<boolean> =>
  (await f.api.core.readNamespacedPersistentVolumeClaim({ name, namespace: NS })).metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'] === PROVISIONER;

void t.test('dropped watches, an API restart and a 410 do not stop the controllers', async (t) => {
  const f = await clusterFixture(t, true, 5);
  await f.api.storage.createStorageClass({ body: { metadata: { name: 'nfs-client' }, provisioner: PROVISIONER } });
  await createClaim(f, 'before');
  await eventually('first claim handled', () => handled(f, 'before'));

  t.ok(localApiServer(f.cluster).faults.dropWatches() > 0, 'watches were open');
  await createClaim(f, 'after-drop');
  await eventually('claim after dropped watches', () => handled(f, 'after-drop'));

  await localApiServer(f.cluster).restart();
  // This test's own pooled connection was cut by the restart too: its first request may fail with
  // "other side closed", as a client's would against a restarted API server. One retry.
  await createClaim(f, 'after-restart').catch(() => createClaim(f, 'after-restart'));
  await eventually('claim after API restart', () => handled(f, 'after-restart'), 20_000);

  // Keep the controllers from watching while more changes happen than the history (5) holds:
  // their next watch asks for a resourceVersion the server no longer has.
  const removeRule = localApiServer(f.cluster).faults.add({ verbs: ['watch'], userAgent: CONTROLLER_USER_AGENT, code: 500 });
  localApiServer(f.cluster).faults.dropWatches();
  for (let i = 0; i < 10; i++) await createClaim(f, `burst-${i}`);
  await sleep(300);
  const listsBefore = f.cluster.requests.count({ verb: 'list', resource: 'persistentvolumeclaims', userAgent: CONTROLLER_USER_AGENT });
  removeRule();
  for (let i = 0; i < 10; i++) await eventually(`burst-${i} handled after 410`, () => handled(f, `burst-${i}`), 20_000);
  t.ok(
    f.cluster.requests.count({ verb: 'list', resource: 'persistentvolumeclaims', userAgent: CONTROLLER_USER_AGENT }) > listsBefore,
    'the claims cache was relisted',
  );
});
