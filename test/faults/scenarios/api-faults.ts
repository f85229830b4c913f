// api-faults: the provisioner's requests (only its User-Agent) get 10% 500s, some 429s with
// Retry-After, 200 ms added latency; every watch is dropped every few seconds; the history is
// short, so a re-watch is answered 410 Gone; the API server restarts (keeping its state) during
// provisioning and during deletion. It runs on the local harness only, whatever the suite's
// cluster (args.ts LOCAL_ONLY): the faults, the short history and the restart with state are the
// harness API server's; the real kube-apiserver offers none of them.
import { setTimeout as sleep } from 'node:timers/promises';
import { localApiServer } from '../../../harness/cluster.ts';
import type { ProvisionerProcess } from '../../../harness/provisioner-process.ts';
import type { Scenario, ScenarioContext } from '../scenario.ts';
import { inWorld } from '../scenario.ts';
import { fetchMetrics, sumMetric } from '../metrics.ts';
import { PROVISIONER_UA } from '../refused-requests.ts';
import type { World } from '../world.ts';
import { createClaims, createReclaimClasses, deleteAllClaims } from './common.ts';


async function restarts(ctx: ScenarioContext, world: World, p: ProvisionerProcess, count: number, limitMs: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await sleep(ctx.rng.int(1000, 4000));
    await localApiServer(world.cluster).restart();
    await world.measureRecovery(p, Date.now(), limitMs);
  }
}

export const apiFaults: Scenario = async (ctx) => {
  const started = Date.now();
  const full = ctx.mode === 'full';
  const claims = full ? 300 : 40;
  const restartsPerPhase = full ? 3 : 1;
  const recoveryLimitMs = 30_000;
  // A short history: a watch resumed after a drop finds its resourceVersion compacted (410).
  const run = await inWorld(ctx, { historySize: 20 }, async (world) => {
    await createReclaimClasses(world);
    const p = await world.provisioner({ leaderElection: true, podName: 'api-faults' });
    await p.waitReady(recoveryLimitMs);
    const faults = localApiServer(world.cluster).faults;
    faults.add({ userAgent: PROVISIONER_UA, errorRate: 0.1, code: 500 });
    faults.add({ userAgent: PROVISIONER_UA, errorRate: 0.03, code: 429, retryAfterSeconds: 1 });
    faults.add({ userAgent: PROVISIONER_UA, latencyMs: 200 });
    faults.dropWatchesEvery(full ? 3000 : 2000);
    ctx.log(`api-faults: ${claims} claims under 500/429/latency/dropped watches, ${restartsPerPhase} API restarts`);
    const creating = createClaims(world, 'api', claims);
    await restarts(ctx, world, p, restartsPerPhase, recoveryLimitMs);
    await creating;
    await world.waitAllBound(full ? 240_000 : 90_000);
    await world.markBoundVolumes();
    await world.checkpoint('all Bound', recoveryLimitMs);
    ctx.log('api-faults: delete all under the same faults');
    const deleting = deleteAllClaims(world);
    await restarts(ctx, world, p, restartsPerPhase, recoveryLimitMs);
    await deleting;
    await world.waitReclaimed(full ? 240_000 : 90_000);
    const log = world.cluster.requests;
    // A too-old resourceVersion is answered as the real server does: 200, then an ERROR event with a
    // 410 Status, so it shows in the provisioner's log, not as a response code.
    const gone = p.logs.filter((l) => l.json?.['message'] === 'resourceVersion too old; relisting').length;
    world.notes.push(
      `provisioner requests: ${log.count({ userAgent: PROVISIONER_UA })}, answered 500: ${log.count({ userAgent: PROVISIONER_UA, code: 500 })}, 429: ${log.count({ userAgent: PROVISIONER_UA, code: 429 })}; watches ended by 410 Gone: ${gone}`,
    );
    if (gone === 0) world.violation('no watch of the provisioner ended in 410 Gone: the scenario did not test relisting');
    const metrics = await fetchMetrics(p.httpUrl);
    world.notes.push(`informer relists ${sumMetric(metrics, 'nfs_provisioner_informer_restarts_total', { kind: 'list' })}, re-watches ${sumMetric(metrics, 'nfs_provisioner_informer_restarts_total', { kind: 'watch' })}`);
    const clearedAt = Date.now();
    faults.clear();
    await world.measureRecovery(p, clearedAt, recoveryLimitMs);
    if (world.processes.size === 0 || !world.processes.has(p)) world.violation('the provisioner exited during API faults');
    return { claims, recoveryLimitMs };
  });
  return { runs: 1, claims: run.claims, report: run.report, notes: run.notes, durationMs: Date.now() - started };
};
