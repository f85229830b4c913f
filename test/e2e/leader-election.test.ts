// Two replicas with leader election on the same Lease (default timings: 15 s / 10 s / 2 s): only
// the leader provisions (no duplicate PVs, nothing in the follower's logs or metrics); SIGTERM on
// the leader releases the Lease so the follower provisions a new claim in under 3 s, and the
// terminated leader exits 0 within 5 s.
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import type { LogLine } from '../../harness/provisioner-process.ts';
import { PROVISIONER_UA, eventually, setupE2E } from './helpers/e2e.ts';
import { counterValue } from './helpers/metrics.ts';

const field = (l: LogLine, key: string): string => {
  const value = l.json?.[key];
  return typeof value === 'string' ? value : '';
};
const message = (l: LogLine): string => field(l, 'message');
const provisionedIn = (logs: readonly LogLine[]): string[] =>
  logs.filter((l) => message(l) === 'provisioned volume').map((l) => field(l, 'pv'));

void t.test('leader election: one acts, SIGTERM hands over in under 3 s', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  const e2e = await setupE2E(t);
  const { cluster } = e2e;
  await e2e.createClass('nfs');
  const a = await e2e.provisioner({ leaderElection: true, podName: 'replica-a' });
  await a.waitForLog((l) => message(l) === 'became leader', 20_000);
  const b = await e2e.provisioner({ leaderElection: true, podName: 'replica-b' });
  await b.waitForLog((l) => message(l) === 'leader observed' && l.json?.['leader'] === 'replica-a', 20_000);

  const pvCreates = (): number => cluster.requests.count({ verb: 'create', resource: 'persistentvolumes', userAgent: PROVISIONER_UA });

  await t.test('only the leader provisions', async (t) => {
    const names = ['one', 'two', 'three', 'four', 'five'];
    await Promise.all(names.map((n) => e2e.createClaim(n, { storageClassName: 'nfs' })));
    const pvs = await Promise.all(names.map(async (n) => (await e2e.waitBound(n)).pv.metadata?.name ?? ''));
    // Log lines come through a pipe and may trail the binding on the real control plane.
    await eventually('the leader to log every provisioned volume', () => pvs.every((pv) => provisionedIn(a.logs).includes(pv)), 10_000);
    t.same(provisionedIn(a.logs).sort(), [...pvs].sort(), 'the leader logged every provisioned volume');
    t.same(provisionedIn(b.logs), [], 'the follower provisioned nothing');
    t.equal(pvCreates(), names.length, 'one PV create per claim: no duplicates');
    t.equal(await counterValue(a.httpUrl, 'nfs_provisioner_leader'), 1, 'leader gauge 1 on the leader');
    t.equal(await counterValue(b.httpUrl, 'nfs_provisioner_leader'), 0, 'leader gauge 0 on the follower');
    t.equal(await counterValue(b.httpUrl, 'nfs_provisioner_provisions_total'), 0, 'no provision attempts on the follower');
    t.equal((await fetch(`${b.httpUrl}/readyz`)).status, 200, 'the follower is ready (caches synced) while it waits');
  });

  await t.test('SIGTERM on the leader: the follower takes over in under 3 s', async (t) => {
    const sigtermAt = Date.now();
    const stopping = a.stop('SIGTERM', 10_000);
    const exitedAt = a.exited.then(() => Date.now());
    const created = await e2e.createClaim('after-handover', { storageClassName: 'nfs' });
    const pvName = `pvc-${created.metadata?.uid ?? ''}`;
    await e2e.waitBound('after-handover', 'default', 20_000);

    const exitCode = await stopping;
    t.equal(exitCode, 0, 'the old leader exits 0');
    const exitMs = (await exitedAt) - sigtermAt;
    t.ok(exitMs < 5000, `the old leader exited ${exitMs} ms after SIGTERM (< 5 s)`);
    t.ok(a.logs.some((l) => message(l) === 'released leadership'), 'it released the Lease');

    const create = cluster.requests.entries({ verb: 'create', resource: 'persistentvolumes', userAgent: PROVISIONER_UA }).find((e) => e.code === 201 && e.time >= sigtermAt);
    t.ok(create, 'the new PV was created');
    const handOverMs = (create?.time ?? Infinity) - sigtermAt;
    t.ok(handOverMs < 3000, `hand-over: the new claim's PV was created ${handOverMs} ms after SIGTERM (< 3 s)`);
    // Its log line may reach us after the binder bound the claim (separate pipes): wait for it.
    await b.waitForLog((l) => message(l) === 'provisioned volume' && field(l, 'pv') === pvName, 10_000);
    t.same(provisionedIn(b.logs), [pvName], 'by the new leader');
    t.notOk(provisionedIn(a.logs).includes(pvName), 'not by the old one');
    t.equal(pvCreates(), 6, 'still one PV create per claim');
    await eventually('leader gauge 1 on the new leader', async () => (await counterValue(b.httpUrl, 'nfs_provisioner_leader')) === 1);
  });

  await e2e.checkSentinel(t);
});
