import type { CoreV1Event } from '@kubernetes/client-node';
import t from 'tap';
import { EventRecorder } from '../../lib/controller/event-recorder.ts';
import { FakeClock } from '../kube/fake-clock.ts';
import { memoryLogger } from '../kube/silent-logger.ts';

function recorder(clock: FakeClock, fail = false): { events: EventRecorder; created: CoreV1Event[]; updates: [string, number][] } {
  const created: CoreV1Event[] = [];
  const updates: [string, number][] = [];
  const events = new EventRecorder({
    api: {
      createEvent: (_namespace, event) => (fail ? Promise.reject(new Error('down')) : (created.push(event), Promise.resolve())),
      updateEventSeries: (_namespace, name, count) => {
        updates.push([name, count]);
        return Promise.resolve();
      },
    },
    clock,
    logger: memoryLogger().logger,
    component: 'example.com/nfs',
    instance: 'pod-1',
  });
  return { events, created, updates };
}

const CLAIM = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: 'data', uid: 'u1' };

void t.test('event shape as the Kubernetes recorder makes it', async (t) => {
  const clock = new FakeClock();
  const { events, created } = recorder(clock);
  await events.record(CLAIM, 'Normal', 'Provisioning', 'External provisioner is provisioning volume for claim "default/data"');
  t.equal(created.length, 1);
  const event = created[0];
  t.match(event, {
    metadata: { namespace: 'default' },
    involvedObject: CLAIM,
    type: 'Normal',
    reason: 'Provisioning',
    message: 'External provisioner is provisioning volume for claim "default/data"',
    count: 1,
    source: { component: 'example.com/nfs' },
    reportingComponent: 'example.com/nfs',
    reportingInstance: 'pod-1',
  });
  t.match(event?.metadata?.name, /^data\.[0-9a-f]+$/);
  t.ok(event?.firstTimestamp instanceof Date);
  await events.record({ kind: 'PersistentVolume', name: 'pvc-1', uid: 'p1' }, 'Warning', 'VolumeFailedDelete', 'x');
  t.equal(created[1]?.metadata?.namespace, 'default', 'cluster-scoped objects get events in default');
});

void t.test('a failure storm becomes one event with a count, updated at most once a minute', async (t) => {
  const clock = new FakeClock();
  const { events, created, updates } = recorder(clock);
  for (let i = 0; i < 100; i++) {
    await events.record(CLAIM, 'Warning', 'ProvisioningFailed', 'export is down');
    await clock.advance(1000);
  }
  t.equal(created.length, 1, 'one Event object');
  t.ok(updates.length <= 2, `at most one update a minute (${updates.length})`);
  t.ok(updates.length >= 1);
  t.equal(updates.at(-1)?.[0], created[0]?.metadata?.name);
  t.ok((updates.at(-1)?.[1] ?? 0) > 50, 'the count carries the repeats');
  await events.record(CLAIM, 'Warning', 'ProvisioningFailed', 'another reason');
  t.equal(created.length, 2, 'a different message is a new event');
});

void t.test('per-object spam filter: burst 25, then dropped', async (t) => {
  const clock = new FakeClock();
  const { events, created } = recorder(clock);
  for (let i = 0; i < 40; i++) await events.record(CLAIM, 'Warning', 'ProvisioningFailed', `distinct ${i}`);
  t.equal(created.length, 25);
  await clock.advance(300_000);
  await events.record(CLAIM, 'Warning', 'ProvisioningFailed', 'after refill');
  t.equal(created.length, 26, 'one more token after 5 minutes');
  await events.record({ ...CLAIM, uid: 'u2' }, 'Warning', 'ProvisioningFailed', 'other object');
  t.equal(created.length, 27, 'other objects have their own bucket');
});

void t.test('recording never throws', async (t) => {
  const clock = new FakeClock();
  const { events } = recorder(clock, true);
  await t.resolves(events.record(CLAIM, 'Normal', 'Provisioning', 'x'));
});
