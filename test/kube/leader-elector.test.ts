/* eslint-disable @typescript-eslint/require-await -- the fakes mimic async APIs */
import type { V1Lease } from '@kubernetes/client-node';
import t from 'tap';
import { StatusError } from '../../lib/kube/api-errors.ts';
import { LeaderElector } from '../../lib/kube/leader-elector.ts';
import type { LeaseApi } from '../../lib/kube/leader-elector.ts';
import { FakeClock, flush } from './fake-clock.ts';
import { memoryLogger } from './silent-logger.ts';

/** One Lease with resourceVersion checks, like the API server; `down` makes every call fail. */
class FakeLeaseApi implements LeaseApi {
  lease: V1Lease | undefined;
  rv = 0;
  calls: string[] = [];
  down = false;
  /** The last object written, as the elector passed it (before any JSON round trip). */
  written: V1Lease | undefined;

  #check(): void {
    if (this.down) throw new StatusError(503, 'unavailable');
  }

  async get(): Promise<V1Lease | undefined> {
    this.calls.push('get');
    this.#check();
    return this.lease === undefined ? undefined : structuredClone(this.lease);
  }

  async create(lease: V1Lease): Promise<V1Lease> {
    this.calls.push('create');
    this.#check();
    if (this.lease !== undefined) throw new StatusError(409, 'exists');
    this.written = lease;
    this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  }

  async replace(lease: V1Lease): Promise<V1Lease> {
    this.calls.push('replace');
    this.#check();
    if (this.lease === undefined) throw new StatusError(404, 'not found');
    if (lease.metadata?.resourceVersion !== this.lease.metadata?.resourceVersion) throw new StatusError(409, 'conflict');
    this.lease = { ...structuredClone(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } };
    return structuredClone(this.lease);
  }

  /** Another replica writes the Lease. */
  steal(holder: string): void {
    if (this.lease?.spec === undefined) throw new Error('no lease');
    this.lease.spec.holderIdentity = holder;
    this.lease.metadata = { ...this.lease.metadata, resourceVersion: String(++this.rv) };
  }
}

function elector(api: FakeLeaseApi, clock: FakeClock, identity: string, record: string[]): LeaderElector {
  return new LeaderElector({
    api,
    name: 'example.com-nfs',
    namespace: 'default',
    identity,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    clock,
    logger: memoryLogger().logger,
    jitter: 0,
    onStartedLeading: (signal) => {
      record.push(`${identity} started`);
      signal.addEventListener('abort', () => record.push(`${identity} signal aborted`));
    },
    onStoppedLeading: () => {
      record.push(`${identity} stopped`);
    },
  });
}

void t.test('acquires a missing Lease, renews without GETs, releases on stop', async (t) => {
  const api = new FakeLeaseApi();
  const clock = new FakeClock();
  const record: string[] = [];
  const a = elector(api, clock, 'a', record);
  const stop = new AbortController();
  const done = a.run(stop.signal);
  await flush();
  t.ok(a.isLeader());
  t.same(record, ['a started']);
  t.same(api.calls, ['get', 'create']);
  t.match(api.lease?.spec, { holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
  t.match(JSON.stringify(api.written?.spec?.renewTime), /\.\d{6}Z"$/, 'MicroTime serialized with microseconds');
  api.calls = [];
  await clock.advance(10_000);
  t.same(api.calls, ['replace', 'replace', 'replace', 'replace', 'replace'], 'renew every retry period, no GET');
  stop.abort();
  await done;
  t.same(record, ['a started', 'a signal aborted', 'a stopped']);
  t.equal(api.lease?.spec?.holderIdentity, '', 'released: holder cleared');
  t.equal(api.lease?.spec?.leaseDurationSeconds, 1);
  t.notOk(a.isLeader());
});

void t.test('a candidate waits for a held Lease, takes it when released, counts the transition', async (t) => {
  const api = new FakeLeaseApi();
  const clock = new FakeClock();
  const record: string[] = [];
  const stopA = new AbortController();
  const stopB = new AbortController();
  const a = elector(api, clock, 'a', record);
  const b = elector(api, clock, 'b', record);
  const runA = a.run(stopA.signal);
  await flush();
  const runB = b.run(stopB.signal);
  await clock.advance(6_000);
  t.ok(a.isLeader());
  t.notOk(b.isLeader(), 'b waits while a renews');
  stopA.abort();
  await runA;
  await clock.advance(2_000);
  t.ok(b.isLeader(), 'b took over within one retry period after the release');
  t.equal(api.lease?.spec?.holderIdentity, 'b');
  t.equal(api.lease?.spec?.leaseTransitions, 1);
  stopB.abort();
  await runB;
});

void t.test('a Lease that is not renewed expires and is taken over', async (t) => {
  const api = new FakeLeaseApi();
  const clock = new FakeClock();
  api.lease = {
    metadata: { name: 'example.com-nfs', namespace: 'default', resourceVersion: '1' },
    spec: { holderIdentity: 'dead', leaseDurationSeconds: 15, leaseTransitions: 3 },
  };
  api.rv = 1;
  const record: string[] = [];
  const b = elector(api, clock, 'b', record);
  const stop = new AbortController();
  const run = b.run(stop.signal);
  await clock.advance(14_000);
  t.notOk(b.isLeader(), 'not before leaseDurationSeconds since the record last changed');
  await clock.advance(2_000);
  t.ok(b.isLeader());
  t.equal(api.lease.spec?.leaseTransitions, 4);
  stop.abort();
  await run;
});

void t.test('renew failures for renewDeadline lose leadership at once, then it is a candidate again', async (t) => {
  const api = new FakeLeaseApi();
  const clock = new FakeClock();
  const record: string[] = [];
  const a = elector(api, clock, 'a', record);
  const stop = new AbortController();
  const run = a.run(stop.signal);
  await flush();
  t.ok(a.isLeader());
  api.down = true;
  await clock.advance(8_000);
  t.ok(a.isLeader(), 'still leader within the renew deadline');
  await clock.advance(2_000);
  t.notOk(a.isLeader(), 'lost after 10 s without a renew');
  t.same(record, ['a started', 'a signal aborted', 'a stopped']);
  api.down = false;
  await clock.advance(2_000);
  t.ok(a.isLeader(), 'the Lease was still ours: re-acquired');
  t.same(record.slice(3), ['a started']);
  stop.abort();
  await run;
});

void t.test('a Lease taken by someone else ends leadership at the next renew', async (t) => {
  const api = new FakeLeaseApi();
  const clock = new FakeClock();
  const record: string[] = [];
  const a = elector(api, clock, 'a', record);
  const stop = new AbortController();
  const run = a.run(stop.signal);
  await flush();
  api.steal('intruder');
  await clock.advance(2_000);
  t.notOk(a.isLeader());
  t.same(record, ['a started', 'a signal aborted', 'a stopped']);
  t.equal(a.observedHolder, 'intruder');
  stop.abort();
  await run;
  t.equal(api.lease?.spec?.holderIdentity, 'intruder', 'a does not release a Lease it does not hold');
});
