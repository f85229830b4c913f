import type { CoreV1Event, V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import t from 'tap';
import type { Test } from 'tap';
import { ProvisioningController } from '../../lib/controller/controller.ts';
import type { ControllerApi } from '../../lib/controller/controller-api.ts';
import { EventRecorder } from '../../lib/controller/event-recorder.ts';
import { ProvisionerMetrics } from '../../lib/controller/metrics.ts';
import type { ProvisionedVolume, ProvisionRequest, Provisioner } from '../../lib/controller/provisioner.ts';
import { PermanentError, TransientError } from '../../lib/errors.ts';
import { StatusError } from '../../lib/kube/api-errors.ts';
import { FakeClock, flush } from '../kube/fake-clock.ts';
import { memoryLogger } from '../kube/silent-logger.ts';
import { FakeCache } from './fake-cache.ts';
import { claim, OURS, storageClass, volume } from './fixtures.ts';

class FakeApi implements ControllerApi {
  calls: string[] = [];
  created: V1PersistentVolume[] = [];
  events: CoreV1Event[] = [];
  createError: Error | undefined;
  readonly volumes: FakeCache<V1PersistentVolume>;
  constructor(volumes: FakeCache<V1PersistentVolume>) {
    this.volumes = volumes;
  }
  createVolume(pv: V1PersistentVolume): Promise<void> {
    this.calls.push(`create pv ${pv.metadata?.name}`);
    if (this.createError !== undefined) return Promise.reject(this.createError);
    this.created.push(pv);
    return Promise.resolve();
  }
  deleteVolume(name: string): Promise<void> {
    this.calls.push(`delete pv ${name}`);
    return Promise.resolve();
  }
  removeVolumeFinalizer(pv: V1PersistentVolume, finalizer: string): Promise<void> {
    this.calls.push(`remove finalizer ${pv.metadata?.name}`);
    const current = this.volumes.get(pv.metadata?.name ?? '');
    if (current !== undefined) {
      this.volumes.set({ ...current, metadata: { ...current.metadata, resourceVersion: '21', finalizers: (current.metadata?.finalizers ?? []).filter((f) => f !== finalizer) } });
    }
    return Promise.resolve();
  }
  createEvent(_namespace: string, event: CoreV1Event): Promise<void> {
    this.calls.push(`event ${event.reason}`);
    this.events.push(event);
    return Promise.resolve();
  }
  updateEventSeries(): Promise<void> {
    this.calls.push('event update');
    return Promise.resolve();
  }
}

class FakeProvisioner implements Provisioner {
  provisioned: string[] = [];
  deleted: string[] = [];
  failures: Error[] = [];
  deleteFailures: Error[] = [];
  refusal: string | undefined;
  validate(): string | undefined {
    return this.refusal;
  }
  provision(request: ProvisionRequest): Promise<ProvisionedVolume> {
    const failure = this.failures.shift();
    if (failure !== undefined) return Promise.reject(failure);
    this.provisioned.push(request.pvName);
    return Promise.resolve({ source: { nfs: { server: 's', path: `/e/${request.pvName}` } }, annotations: { 'backend/dir': request.pvName } });
  }
  delete(pv: V1PersistentVolume): Promise<void> {
    const failure = this.deleteFailures.shift();
    if (failure !== undefined) return Promise.reject(failure);
    this.deleted.push(pv.metadata?.name ?? '');
    return Promise.resolve();
  }
  storageLocation(pv: V1PersistentVolume): string | undefined {
    const nfs = pv.spec?.nfs;
    return nfs === undefined ? undefined : `${nfs.server}:${nfs.path}`;
  }
  probe(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(t: Test) {
  const clock = new FakeClock();
  const claims = new FakeCache<V1PersistentVolumeClaim>();
  const volumes = new FakeCache<V1PersistentVolume>();
  const classes = new FakeCache<V1StorageClass>();
  const api = new FakeApi(volumes);
  const provisioner = new FakeProvisioner();
  const { logger, lines } = memoryLogger();
  const metrics = new ProvisionerMetrics(new Registry());
  const events = new EventRecorder({ api, clock, logger, component: OURS });
  const controller = new ProvisioningController({
    provisionerName: OURS,
    provisioner,
    api,
    events,
    claims,
    volumes,
    classes,
    workers: 4,
    clock,
    logger,
    metrics,
    baseDelayMs: 1000,
    maxDelayMs: 300_000,
  });
  classes.set(storageClass());
  const stop = new AbortController();
  const running = controller.run(stop.signal);
  t.teardown(async () => {
    stop.abort();
    await clock.advance(5000);
    await running;
  });
  return { clock, claims, volumes, classes, api, provisioner, controller, metrics, lines, stop, running };
}

void t.test('a claim gets its PV with one create and two events, and nothing else', async (t) => {
  const { claims, api, provisioner, metrics, lines } = setup(t);
  await flush();
  claims.set(claim());
  await flush();
  t.same(provisioner.provisioned, ['pvc-uid-data']);
  t.same(api.calls.sort(), ['create pv pvc-uid-data', 'event Provisioning', 'event ProvisioningSucceeded'].sort());
  const pv = api.created[0];
  t.match(pv?.metadata, { name: 'pvc-uid-data', annotations: { 'pv.kubernetes.io/provisioned-by': OURS, 'backend/dir': 'pvc-uid-data' } });
  t.match(api.events.map((e) => e.message), ['External provisioner is provisioning volume for claim "default/data"', 'Successfully provisioned volume pvc-uid-data']);
  // The claim changes (the binder annotates it) before the PV shows up in the cache: no second create.
  claims.set({ ...claim(), metadata: { ...claim().metadata, resourceVersion: '11' } });
  await flush();
  t.equal(api.calls.length, 3, 'no second provision for a PV we just made');
  t.match(lines.find((l) => l['message'] === 'provisioned volume'), { claim: 'default/data', pv: 'pvc-uid-data' });
  t.match(await metrics.registry.getSingleMetricAsString('nfs_provisioner_provisions_total'), /result="success"} 1/);
});

void t.test('AlreadyExists on create counts as success', async (t) => {
  const { claims, api, metrics } = setup(t);
  api.createError = new StatusError(409, 'exists');
  await flush();
  claims.set(claim());
  await flush();
  t.ok(api.calls.includes('event ProvisioningSucceeded'));
  t.match(await metrics.registry.getSingleMetricAsString('nfs_provisioner_provisions_total'), /result="success"} 1/);
});

void t.test('transient failures retry with backoff until success, with events', async (t) => {
  const { claims, api, provisioner, clock } = setup(t);
  provisioner.failures = [new TransientError('export busy'), new TransientError('export busy'), new Error('ECONNRESET')];
  await flush();
  claims.set(claim());
  await flush();
  t.same(provisioner.provisioned, []);
  const failed = api.events.filter((e) => e.reason === 'ProvisioningFailed');
  t.match(failed[0]?.message, /failed to provision volume with StorageClass "nfs": export busy/);
  await clock.advance(1000);
  await clock.advance(2000);
  t.same(provisioner.provisioned, [], 'still failing after 2 retries');
  await clock.advance(4000);
  t.same(provisioner.provisioned, ['pvc-uid-data'], 'succeeded on the 4th attempt');
  t.equal(api.created.length, 1);
});

void t.test('retryFailed: what waits out a backoff goes again at once (the backend recovered)', async (t) => {
  const { claims, provisioner, controller, clock, metrics } = setup(t);
  provisioner.failures = Array.from({ length: 6 }, () => new TransientError('export "a" is not answering'));
  await flush();
  claims.set(claim());
  await flush();
  // 1 + 2 + 4 + 8 + 16 s of backoff: six attempts, the next one due 32 s later.
  for (const ms of [1000, 2000, 4000, 8000, 16_000]) await clock.advance(ms);
  t.equal(provisioner.failures.length, 0, 'six attempts failed');
  t.same(provisioner.provisioned, []);
  t.equal(controller.retryFailed(), 1, 'one key was waiting');
  await flush();
  t.same(provisioner.provisioned, ['pvc-uid-data'], 'provisioned without waiting out the 32 s');
  t.equal(controller.retryFailed(), 0, 'nothing waits any more');
  t.match(await metrics.registry.getSingleMetricAsString('nfs_provisioner_queue_depth'), /nfs_provisioner_queue_depth 0/);
});

void t.test('the queue depth metric sums the controllers of several provisioner names', async (t) => {
  const metrics = new ProvisionerMetrics(new Registry());
  metrics.setQueueDepthSource(() => 2, 'a');
  metrics.setQueueDepthSource(() => 3, 'b');
  metrics.setQueueDepthSource(() => 1, 'a');
  t.match(await metrics.registry.getSingleMetricAsString('nfs_provisioner_queue_depth'), /nfs_provisioner_queue_depth 4/);
});

void t.test('permanent failures: one event, no hot loop, retried after the cap or a change', async (t) => {
  const { claims, provisioner, api, clock } = setup(t);
  provisioner.failures = [new PermanentError('pathPattern escapes the export'), new PermanentError('pathPattern escapes the export')];
  await flush();
  claims.set(claim());
  await flush();
  t.equal(api.events.filter((e) => e.reason === 'ProvisioningFailed').length, 1);
  // Resync-style update with the same resourceVersion: no retry.
  claims.set(claim());
  await clock.advance(60_000);
  t.same(provisioner.provisioned, []);
  t.equal(api.calls.filter((c) => c === 'create pv pvc-uid-data').length, 0);
  // The claim changes: retried at once (and fails again).
  claims.set(claim('data', { rv: '12' }));
  await flush();
  t.equal(provisioner.failures.length, 0, 'second attempt happened on the change');
  // Then only after the cap.
  await clock.advance(299_000);
  t.same(provisioner.provisioned, []);
  await clock.advance(2_000);
  t.same(provisioner.provisioned, ['pvc-uid-data'], 'retried after the 5 min cap: never gives up');
});

void t.test('refusals produce ProvisioningFailed with the reason, no provision', async (t) => {
  const { claims, provisioner, api } = setup(t);
  await flush();
  claims.set(claim('blk', { spec: { volumeMode: 'Block' } }));
  provisioner.refusal = 'archiveOnDelete: "maybe" is not a boolean';
  claims.set(claim('bad'));
  await flush();
  t.same(provisioner.provisioned, []);
  const messages = api.events.filter((e) => e.reason === 'ProvisioningFailed').map((e) => e.message ?? '');
  t.equal(messages.length, 2);
  t.ok(messages.some((m) => /Block/.test(m)));
  t.ok(messages.some((m) => /archiveOnDelete: "maybe"/.test(m)));
  t.notOk(api.calls.some((c) => c.startsWith('create pv')));
});

void t.test('a new class unblocks the claims that waited for it', async (t) => {
  const { claims, classes, provisioner } = setup(t);
  await flush();
  claims.set(claim('late', { spec: { storageClassName: 'later' } }));
  await flush();
  t.same(provisioner.provisioned, []);
  classes.set(storageClass('later'));
  await flush();
  t.same(provisioner.provisioned, ['pvc-uid-late']);
});

void t.test('reclaim: backend delete, finalizer removed, PV deleted; failures retried with VolumeFailedDelete', async (t) => {
  const { volumes, provisioner, api, clock } = setup(t);
  await flush();
  provisioner.deleteFailures = [new TransientError('rename timed out')];
  volumes.set(volume('pvc-1'));
  await flush();
  t.same(provisioner.deleted, []);
  t.match(api.events.find((e) => e.reason === 'VolumeFailedDelete'), { involvedObject: { kind: 'PersistentVolume', name: 'pvc-1' }, message: 'rename timed out', type: 'Warning' });
  await clock.advance(1000);
  t.same(provisioner.deleted, ['pvc-1']);
  t.same(api.calls.filter((c) => !c.startsWith('event')), ['remove finalizer pvc-1', 'delete pv pvc-1']);
  // The finalizer-less PV comes back through the informer: nothing is repeated.
  await flush();
  t.equal(api.calls.filter((c) => c === 'delete pv pvc-1').length, 1);
  t.same(provisioner.deleted, ['pvc-1']);
});

void t.test('storage shared with another PV is left in place, with a warning event; the last one reclaims it', async (t) => {
  const { volumes, provisioner, api } = setup(t);
  await flush();
  volumes.set(volume('pvc-live', { phase: 'Bound', path: '/e/shared' }));
  volumes.set(volume('pvc-nested', { phase: 'Bound', path: '/e/team/x' }));
  volumes.set(volume('pvc-gone', { path: '/e/shared' }));
  volumes.set(volume('pvc-outer', { path: '/e/team' }));
  await flush();
  t.same(provisioner.deleted, [], 'neither the shared nor the enclosing directory was reclaimed');
  t.same(api.calls.filter((c) => c.startsWith('delete pv')).sort(), ['delete pv pvc-gone', 'delete pv pvc-outer'], 'the PV objects still go');
  t.equal(api.events.filter((e) => e.reason === 'VolumeStorageShared').length, 2);
  t.match(api.events.find((e) => e.involvedObject.name === 'pvc-gone'), { type: 'Warning', message: /shared with PV pvc-live/ });
  // Once the live volume is gone, the last PV on that storage reclaims it as its class says.
  volumes.remove(volumes.get('pvc-live') ?? volume('pvc-live'));
  volumes.remove(volumes.get('pvc-gone') ?? volume('pvc-gone'));
  volumes.set(volume('pvc-last', { path: '/e/shared/' }));
  await flush();
  t.same(provisioner.deleted, ['pvc-last']);
});

void t.test('two released PVs sharing storage are both reclaimed (neither keeps it for the other)', async (t) => {
  const { volumes, provisioner } = setup(t);
  await flush();
  volumes.set(volume('pvc-a', { path: '/e/shared' }));
  volumes.set(volume('pvc-b', { path: '/e/shared' }));
  volumes.set(volume('pvc-retained', { path: '/e/kept', policy: 'Retain' }));
  volumes.set(volume('pvc-c', { path: '/e/kept' }));
  await flush();
  t.same(provisioner.deleted.sort(), ['pvc-a', 'pvc-b'], 'a retained PV on the same storage still counts as live');
});

void t.test('a PV left deleting with our finalizer after a crash is finished', async (t) => {
  const { volumes, provisioner, api } = setup(t);
  await flush();
  volumes.set(volume('pvc-2', { deleting: true }));
  volumes.set(volume('pvc-3', { deleting: true, policy: 'Retain' }));
  volumes.set(volume('pvc-4', { phase: 'Bound' }));
  volumes.set(volume('pvc-5', { by: 'someone-else' }));
  await flush();
  t.same(provisioner.deleted, ['pvc-2'], 'storage reclaimed only for the Delete policy');
  t.same(api.calls.filter((c) => !c.startsWith('event')).sort(), ['remove finalizer pvc-2', 'remove finalizer pvc-3']);
});

void t.test('leadership loss stops the workers; run() returns', async (t) => {
  const { claims, provisioner, stop, running, clock } = setup(t);
  await flush();
  stop.abort();
  await clock.advance(3000);
  await running;
  claims.set(claim('after'));
  await flush();
  t.same(provisioner.provisioned, [], 'nothing happens once stopped');
});
