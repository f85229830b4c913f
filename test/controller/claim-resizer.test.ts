// Expansion through the provisioning controller's queue: the writes, their order, the events,
// crash recovery from each intermediate state, conflicts and failures.
import type { CoreV1Event, V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import t from 'tap';
import type { Test } from 'tap';
import { ClaimResizer } from '../../lib/controller/claim-resizer.ts';
import { ProvisioningController } from '../../lib/controller/controller.ts';
import type { ControllerApi } from '../../lib/controller/controller-api.ts';
import { EventRecorder } from '../../lib/controller/event-recorder.ts';
import type { Provisioner } from '../../lib/controller/provisioner.ts';
import { StatusError } from '../../lib/kube/api-errors.ts';
import { FakeClock, flush } from '../kube/fake-clock.ts';
import { memoryLogger } from '../kube/silent-logger.ts';
import { FakeCache, FakePatchApi } from './fake-cache.ts';
import { OURS, storageClass } from './fixtures.ts';

const inert: Provisioner = {
  validate: () => undefined,
  provision: () => Promise.reject(new Error('not in these tests')),
  delete: () => Promise.resolve(),
  storageLocation: () => undefined,
  probe: () => Promise.resolve(),
};

function boundClaim(request: string, capacity: string, status: Partial<NonNullable<V1PersistentVolumeClaim['status']>> = {}): V1PersistentVolumeClaim {
  return {
    metadata: { name: 'data', namespace: 'default', uid: 'uid-data', resourceVersion: '10' },
    spec: { storageClassName: 'nfs', volumeName: 'pvc-uid-data', resources: { requests: { storage: request } } },
    status: { phase: 'Bound', capacity: { storage: capacity }, accessModes: ['ReadWriteMany'], ...status },
  };
}

function boundVolume(capacity: string, by = OURS): V1PersistentVolume {
  return {
    metadata: { name: 'pvc-uid-data', uid: 'uid-pv', resourceVersion: '20', annotations: { 'pv.kubernetes.io/provisioned-by': by } },
    spec: { capacity: { storage: capacity }, claimRef: { namespace: 'default', name: 'data', uid: 'uid-data' }, storageClassName: 'nfs', nfs: { server: 's', path: '/e/v' } },
    status: { phase: 'Bound' },
  };
}

function setup(t: Test) {
  const clock = new FakeClock();
  const claims = new FakeCache<V1PersistentVolumeClaim>();
  const volumes = new FakeCache<V1PersistentVolume>();
  const classes = new FakeCache<V1StorageClass>();
  const patches = new FakePatchApi(claims, volumes);
  const events: CoreV1Event[] = [];
  const api: ControllerApi = {
    createVolume: () => Promise.reject(new Error('no creates here')),
    deleteVolume: () => Promise.resolve(),
    removeVolumeFinalizer: () => Promise.resolve(),
    createEvent: (_ns, event) => {
      events.push(event);
      return Promise.resolve();
    },
    updateEventSeries: () => Promise.resolve(),
  };
  const { logger } = memoryLogger();
  const recorder = new EventRecorder({ api, clock, logger, component: OURS });
  const results: string[] = [];
  const resizer = new ClaimResizer({ provisionerName: OURS, api: patches, events: recorder, claims, volumes, clock, logger, onResult: (r) => results.push(r) });
  const controller = new ProvisioningController({
    provisionerName: OURS,
    provisioner: inert,
    api,
    events: recorder,
    claims,
    volumes,
    classes,
    workers: 2,
    clock,
    logger,
    baseDelayMs: 1000,
    maxDelayMs: 60_000,
    resizer,
  });
  classes.set(storageClass('nfs', { allowVolumeExpansion: true }));
  const stop = new AbortController();
  const running = controller.run(stop.signal);
  t.teardown(async () => {
    stop.abort();
    await clock.advance(5000);
    await running;
  });
  return { clock, claims, volumes, patches, events, results };
}

const reasons = (events: CoreV1Event[]): string[] => events.map((e) => `${e.type ?? ''} ${e.reason ?? ''}`);

void t.test('a claim grown 1Mi -> 2Mi: mark, PV, claim; Resizing and VolumeResizeSuccessful', async (t) => {
  const { claims, volumes, patches, events, results } = setup(t);
  volumes.set(boundVolume('1Mi'));
  claims.set(boundClaim('1Mi', '1Mi'));
  await flush();
  t.same(patches.calls, [], 'nothing to do at 1Mi');
  claims.set({ ...boundClaim('2Mi', '1Mi'), metadata: { ...boundClaim('2Mi', '1Mi').metadata, resourceVersion: '11' } });
  await flush();
  t.same(patches.calls, ['patch claim status default/data', 'patch pv pvc-uid-data', 'patch claim status default/data']);
  const [mark, grow, finish] = patches.patches;
  t.match(mark?.patch, {
    metadata: { resourceVersion: '11' },
    status: { conditions: [{ type: 'Resizing', status: 'True', lastTransitionTime: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ }], allocatedResources: { storage: '2Mi' }, allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' } },
  });
  t.same(grow?.patch, { spec: { capacity: { storage: '2Mi' } } });
  t.same(finish?.patch.status, { capacity: { storage: '2Mi' }, conditions: null, allocatedResourceStatuses: { storage: null } });
  t.equal(volumes.get('pvc-uid-data')?.spec?.capacity?.['storage'], '2Mi');
  const claim = claims.get('default/data');
  t.equal(claim?.status?.capacity?.['storage'], '2Mi');
  t.equal(claim?.status?.conditions, undefined, 'resize conditions cleared');
  t.same(claim?.status?.allocatedResourceStatuses, {}, 'resize status cleared');
  t.equal(claim?.status?.allocatedResources?.['storage'], '2Mi', 'allocatedResources kept, as the resizer keeps it');
  t.same(reasons(events), ['Normal Resizing', 'Normal VolumeResizeSuccessful']);
  t.equal(events[0]?.message, 'External resizer is resizing volume pvc-uid-data');
  t.same(results, ['success']);
  await flush();
  t.equal(patches.calls.length, 3, 'the finished claim (its own update event) queues nothing more');
});

void t.test('crash after the PV write: only the claim is finished, no second PV write, no Resizing event', async (t) => {
  const { claims, volumes, patches, events } = setup(t);
  volumes.set(boundVolume('2Mi'));
  claims.set(
    boundClaim('2Mi', '1Mi', {
      conditions: [{ type: 'Resizing', status: 'True' }],
      allocatedResources: { storage: '2Mi' },
      allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' },
    }),
  );
  await flush();
  t.same(patches.calls, ['patch claim status default/data']);
  t.equal(claims.get('default/data')?.status?.capacity?.['storage'], '2Mi');
  t.same(reasons(events), ['Normal VolumeResizeSuccessful']);
});

void t.test('crash after the mark: the PV is grown and the claim finished, not marked again', async (t) => {
  const { claims, volumes, patches } = setup(t);
  volumes.set(boundVolume('1Mi'));
  claims.set(
    boundClaim('2Mi', '1Mi', {
      conditions: [{ type: 'Resizing', status: 'True' }, { type: 'Other', status: 'True' }],
      allocatedResources: { storage: '2Mi' },
      allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' },
    }),
  );
  await flush();
  t.same(patches.calls, ['patch pv pvc-uid-data', 'patch claim status default/data']);
  t.same(claims.get('default/data')?.status?.conditions, [{ type: 'Other', status: 'True' }], 'other conditions kept');
});

void t.test('a claim of someone else\'s PV is left alone', async (t) => {
  const { claims, volumes, patches, events } = setup(t);
  volumes.set(boundVolume('1Mi', 'another.example.com/csi'));
  claims.set(boundClaim('2Mi', '1Mi'));
  await flush();
  t.same(patches.calls, []);
  t.same(events, []);
});

void t.test('a stale cache (409) is retried quietly; a failure gets VolumeResizeFailed and a retry', async (t) => {
  const { clock, claims, volumes, patches, events, results } = setup(t);
  volumes.set(boundVolume('1Mi'));
  patches.failures.push(new StatusError(409, 'the object has been modified'), new StatusError(500, 'etcd is sad'));
  claims.set(boundClaim('2Mi', '1Mi'));
  await flush();
  t.same(patches.calls, ['patch claim status default/data'], 'first attempt: conflict');
  t.same(reasons(events), ['Normal Resizing']);
  await clock.advance(1000);
  t.same(patches.calls.length, 2, 'retried after the backoff');
  t.same(reasons(events), ['Normal Resizing', 'Warning VolumeResizeFailed']);
  t.match(events[1]?.message, /resize of volume pvc-uid-data to 2Mi failed: etcd is sad/);
  t.same(results, ['failed']);
  await clock.advance(2000);
  t.equal(claims.get('default/data')?.status?.capacity?.['storage'], '2Mi', 'the third attempt went through');
  t.same(results, ['failed', 'success']);
});

void t.test('a claim whose PV is not cached yet waits and is resized once it shows up', async (t) => {
  const { clock, claims, volumes, patches } = setup(t);
  claims.set(boundClaim('2Mi', '1Mi'));
  await flush();
  t.same(patches.calls, []);
  volumes.set(boundVolume('1Mi'));
  await clock.advance(1000);
  t.equal(patches.calls.length, 3);
});
