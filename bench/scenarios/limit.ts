// limit: no provisioner. A bare client (@kubernetes/client-node, the bench's --concurrency in
// flight) creates N PVs shaped like a provisioner's: the most PVs per second this API server (and
// its PV binder, which marks each one Available) allows a client on this machine. Then, on a fresh
// cluster, the bound and reclaim ceilings (ceilings.ts): what a burst's all-Bound time and a
// reclaim's all-gone time compare with, the control plane's own work included.
import { performance } from 'node:perf_hooks';
import { makeControllerClients } from '../../harness/controllers/kube-clients.ts';
import type { ControllerClients } from '../../harness/controllers/kube-clients.ts';
import type { BenchOptions } from '../args.ts';
import { names, runPool } from '../pool.ts';
import { provisionedPvBody } from '../pv-body.ts';
import { progress, say } from '../progress.ts';
import { emptyResult } from '../result.ts';
import type { ScenarioResult } from '../result.ts';
import { percentiles, round } from '../stats.ts';
import { BENCH_USER_AGENT, clusterInfo, startWorld } from '../world.ts';
import { ceilings } from './ceilings.ts';
import { startPhase } from './common.ts';

async function createVolumes(clients: ControllerClients, exportDir: string, n: number, concurrency: number, errors: string[]): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  // One request first so connection set-up is not measured.
  await clients.core.createPersistentVolume({ body: provisionedPvBody('limit-warmup', 'limit-warmup', exportDir) });
  const t0 = performance.now();
  const stopProgress = progress('limit', () => `${latencies.length}/${n} PVs`);
  try {
    await runPool(names('limit', n), concurrency, async (name) => {
      const s = performance.now();
      try {
        await clients.core.createPersistentVolume({ body: provisionedPvBody(name, name, exportDir) });
        latencies.push(performance.now() - s);
      } catch (err: unknown) {
        if (errors.length < 5) errors.push(`create ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  } finally {
    stopProgress();
  }
  return { seconds: (performance.now() - t0) / 1000, latencies };
}

export async function runLimit(o: BenchOptions): Promise<ScenarioResult> {
  const n = o.claims;
  const r = emptyResult('limit', 'bare client (no provisioner)', n, clusterInfo(o));
  const errors: string[] = [];
  const world = await startWorld(o);
  try {
    const clients = makeControllerClients(world.cluster.kubeconfigPath, `${BENCH_USER_AGENT}-limit`);
    const endPhase = startPhase(world);
    const { seconds, latencies } = await createVolumes(clients, world.exportDir, n, o.concurrency, errors);
    r.controlPlaneCpuSeconds = endPhase().controlPlane;
    r.completed = latencies.length;
    r.seconds = round(seconds, 3);
    r.claimsPerSecond = round(latencies.length / seconds, 1);
    r.requestLatencyMs = percentiles(latencies);
    r.apiRequestsPerClaim = 1;
    r.apiRequestsByVerbResource = { 'create persistentvolumes': 1 };
    say(`  limit: ${latencies.length}/${n} PVs in ${r.seconds} s`);
  } finally {
    r.notes.push(...world.notes);
    await world.stop();
  }
  const c = await ceilings(o, errors);
  r.boundCeiling = c.bound;
  if (c.reclaim) r.reclaimCeiling = c.reclaim;
  const secs = (v: number | null | undefined): string => (v === null || v === undefined ? 'more than the timeout' : `${String(v)} s`);
  say(`  limit: ${String(n)} claims, each given a pre-bound PV at once, all Bound in ${secs(c.bound.seconds)}; all reclaimed by the bare client in ${secs(c.reclaim?.seconds)}`);
  r.notes.push(
    `client-side create latency in requestLatencyMs; ${String(o.concurrency)} requests in flight; controlPlaneCpuSeconds: during the creates`,
    'boundCeiling: the same claims each answered at once with a pre-bound PV, until all are Bound (binder included)',
    'reclaimCeiling: those claims deleted at once; each PV, once Released by the binder, un-finalized and deleted by the bare client, until all are gone',
    ...errors,
  );
  return r;
}
