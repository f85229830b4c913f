// limit: no provisioner. A bare client (@kubernetes/client-node, the bench's --concurrency in
// flight) creates N PVs shaped like a provisioner's: the most PVs per second this API server (and
// its PV binder, which marks each one Available) allows a client on this machine.
import { performance } from 'node:perf_hooks';
import { makeControllerClients } from '../../harness/controllers/kube-clients.ts';
import type { BenchOptions } from '../args.ts';
import { names, runPool } from '../pool.ts';
import { provisionedPvBody } from '../pv-body.ts';
import { progress, say } from '../progress.ts';
import { emptyResult } from '../result.ts';
import type { ScenarioResult } from '../result.ts';
import { percentiles, round } from '../stats.ts';
import { BENCH_USER_AGENT, startWorld } from '../world.ts';

export async function runLimit(o: BenchOptions): Promise<ScenarioResult> {
  const n = o.claims;
  const r = emptyResult('limit', 'bare client (no provisioner)', n);
  const world = await startWorld();
  try {
    const clients = makeControllerClients(world.cluster.kubeconfigPath, `${BENCH_USER_AGENT}-limit`);
    const pvNames = names('limit', n);
    const latencies: number[] = [];
    const errors: string[] = [];
    // One request first so connection set-up is not measured.
    await clients.core.createPersistentVolume({ body: provisionedPvBody('limit-warmup', 'limit-warmup', world.exportDir) });
    const t0 = performance.now();
    const stopProgress = progress('limit', () => `${latencies.length}/${n} PVs`);
    try {
      await runPool(pvNames, o.concurrency, async (name) => {
        const s = performance.now();
        try {
          await clients.core.createPersistentVolume({ body: provisionedPvBody(name, name, world.exportDir) });
          latencies.push(performance.now() - s);
        } catch (err: unknown) {
          if (errors.length < 5) errors.push(`create ${name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
    } finally {
      stopProgress();
    }
    const seconds = (performance.now() - t0) / 1000;
    r.completed = latencies.length;
    r.seconds = round(seconds, 3);
    r.claimsPerSecond = round(latencies.length / seconds, 1);
    r.requestLatencyMs = percentiles(latencies);
    r.apiRequestsPerClaim = 1;
    r.apiRequestsByVerbResource = { 'create persistentvolumes': 1 };
    r.notes.push(`client-side create latency in requestLatencyMs; ${o.concurrency} requests in flight`, ...errors);
    say(`  limit: ${latencies.length}/${n} PVs in ${r.seconds} s`);
  } finally {
    r.notes.push(...world.notes);
    await world.stop();
  }
  return r;
}
