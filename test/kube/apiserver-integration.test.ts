// The informer wrapper and the leader elector against the harness API server: real HTTP, real
// watches, dropped connections, restarts, and our User-Agent in its request log.
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { startApiServer } from '../../harness/apiserver/index.ts';
import { createKubeClient, userAgentFor } from '../../lib/kube/client.ts';
import type { RestClient } from '../../lib/kube/rest-client.ts';
import { systemClock } from '../../lib/kube/clock.ts';
import { Informer } from '../../lib/kube/informer.ts';
import { LeaderElector } from '../../lib/kube/leader-elector.ts';
import { leaseApi } from '../../lib/kube/lease-api.ts';
import { claimSource } from '../../lib/kube/list-watch.ts';
import { memoryLogger } from './silent-logger.ts';

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const pvc = (name: string): V1PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'x' },
});

void t.test('informer: lists, watches, survives dropped watches and a server restart', async (t) => {
  const server = await startApiServer();
  t.teardown(() => server.stop());
  const other = new KubeConfig();
  other.loadFromFile(server.kubeconfigPath);
  const core = other.makeApiClient(CoreV1Api);
  await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: pvc('before') });

  const clients: RestClient = createKubeClient({ kubeconfigPath: server.kubeconfigPath, userAgent: userAgentFor('9.9.9'), qps: 100, burst: 100 });
  const informer = new Informer<V1PersistentVolumeClaim>({
    name: 'persistentvolumeclaims',
    source: claimSource(clients),
    clock: systemClock,
    logger: memoryLogger().logger,
    resyncPeriodMs: 0,
    backoffBaseMs: 50,
  });
  const seen: string[] = [];
  informer.addHandlers({ add: (o) => seen.push(`add ${o.metadata?.name}`), delete: (o) => seen.push(`delete ${o.metadata?.name}`) });
  informer.start();
  t.teardown(() => informer.stop());
  await informer.waitForSync();
  t.same(informer.keys(), ['default/before']);

  await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: pvc('live') });
  await until('watch event', () => informer.get('default/live') !== undefined);

  server.faults.dropWatches({ abrupt: true });
  await sleep(100);
  await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: pvc('after-drop') });
  await until('event after a dropped watch', () => informer.get('default/after-drop') !== undefined);

  await server.restart();
  await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: pvc('after-restart') });
  await until('event after a server restart', () => informer.get('default/after-restart') !== undefined);
  t.same(seen, ['add before', 'add live', 'add after-drop', 'add after-restart']);

  const ours = server.requests.entries({ userAgent: 'nfs-provisioner-ts/9.9.9' });
  t.ok(ours.length > 0, 'requests carry our User-Agent');
  t.equal(ours.filter((e) => e.verb === 'get').length, 0, 'no GETs');
  t.equal(server.requests.count({ userAgent: /nfs-provisioner-ts/, verb: 'list' }), 1, 'one list: watches resume from their resourceVersion');
});

void t.test('leader election: one leader, hand-over on release, takeover after expiry', async (t) => {
  const server = await startApiServer();
  t.teardown(() => server.stop());
  const make = (identity: string, record: string[]): { elector: LeaderElector; clients: RestClient } => {
    const clients = createKubeClient({ kubeconfigPath: server.kubeconfigPath, userAgent: userAgentFor(identity), qps: 100, burst: 100 });
    const elector = new LeaderElector({
      api: leaseApi(clients, 'default', 'example.com-nfs'),
      name: 'example.com-nfs',
      namespace: 'default',
      identity,
      leaseDurationMs: 2_000,
      renewDeadlineMs: 1_500,
      retryPeriodMs: 200,
      clock: systemClock,
      logger: memoryLogger().logger,
      onStartedLeading: () => record.push(`${identity} leads`),
      onStoppedLeading: () => {
        record.push(`${identity} stopped`);
      },
    });
    return { elector, clients };
  };
  const record: string[] = [];
  const a = make('a', record);
  const b = make('b', record);
  const stopA = new AbortController();
  const stopB = new AbortController();
  const runA = a.elector.run(stopA.signal);
  await until('a leads', () => a.elector.isLeader());
  const runB = b.elector.run(stopB.signal);
  await sleep(1_000);
  t.notOk(b.elector.isLeader(), 'only one leader');
  server.requests.reset();
  await sleep(1_000);
  t.equal(server.requests.count({ userAgent: 'nfs-provisioner-ts/a', verb: 'get' }), 0, 'the leader renews without GETs');
  t.ok(server.requests.count({ userAgent: 'nfs-provisioner-ts/a', verb: 'update' }) >= 3, 'the leader renews');

  const stoppedAt = Date.now();
  stopA.abort();
  await runA;
  await until('b leads', () => b.elector.isLeader(), 3_000);
  t.ok(Date.now() - stoppedAt < 1_000, 'hand-over within a few retry periods after release');

  const viewer = new KubeConfig();
  viewer.loadFromFile(server.kubeconfigPath);
  const lease = await viewer.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'example.com-nfs', namespace: 'default' });
  t.equal(lease.spec?.holderIdentity, 'b');
  t.equal(lease.spec?.leaseTransitions, 1);

  // b's API requests start failing: it gives up leadership after the renew deadline.
  const release = server.faults.add({ userAgent: 'nfs-provisioner-ts/b', code: 503 });
  await until('b loses the lease', () => !b.elector.isLeader(), 3_000);
  release();
  stopB.abort();
  await runB;
  t.same(record, ['a leads', 'a stopped', 'b leads', 'b stopped']);
});
