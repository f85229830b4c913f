// limit: no provisioner. A bare client (@kubernetes/client-node, the bench's --concurrency in
// flight) creates N PVs shaped like a provisioner's: the most PVs per second this API server (and
// its PV binder, which marks each one Available) allows a client on this machine. Then, on a fresh
// cluster, the bound ceiling: N claims, each answered by the bare client at once with a PV
// pre-bound to it (a provisioner that costs nothing and does not wait for the binder's
// storage-provisioner annotation), timed until every claim is Bound. A burst does all of that
// plus the provisioner's own work, so its all-Bound time compares with the second figure.
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
import { claimBody } from '../subject.ts';
import { BENCH_USER_AGENT, NAMESPACE, startWorld } from '../world.ts';
import { countWhere, isBound } from './common.ts';

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

async function boundCeiling(o: BenchOptions, errors: string[]): Promise<number | null> {
  const world = await startWorld();
  try {
    const clients = makeControllerClients(world.cluster.kubeconfigPath, `${BENCH_USER_AGENT}-limit`);
    const claimNames = names('ceiling', o.claims);
    const t0 = performance.now();
    const stopProgress = progress('limit bound ceiling', () => `${countWhere(world, claimNames, isBound(world))}/${o.claims} Bound`);
    try {
      await runPool(claimNames, o.concurrency, async (name, i) => {
        try {
          const claim = await clients.core.createNamespacedPersistentVolumeClaim({ namespace: NAMESPACE, body: claimBody(name) });
          world.tracker.markCreated(name);
          const pvName = `ceiling-pv-${i + 1}`;
          await clients.core.createPersistentVolume({
            body: provisionedPvBody(pvName, `${NAMESPACE}-${name}-${pvName}`, world.exportDir, {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              namespace: NAMESPACE,
              name,
              uid: claim.metadata?.uid ?? '',
            }),
          });
        } catch (err: unknown) {
          if (errors.length < 5) errors.push(`ceiling ${name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
      const ok = await world.tracker.until(() => countWhere(world, claimNames, isBound(world)) === o.claims, o.timeoutSeconds * 1000);
      return ok ? (performance.now() - t0) / 1000 : null;
    } finally {
      stopProgress();
    }
  } finally {
    await world.stop();
  }
}

export async function runLimit(o: BenchOptions): Promise<ScenarioResult> {
  const n = o.claims;
  const r = emptyResult('limit', 'bare client (no provisioner)', n);
  const errors: string[] = [];
  const world = await startWorld();
  try {
    const clients = makeControllerClients(world.cluster.kubeconfigPath, `${BENCH_USER_AGENT}-limit`);
    const { seconds, latencies } = await createVolumes(clients, world.exportDir, n, o.concurrency, errors);
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
  const ceiling = await boundCeiling(o, errors);
  r.boundCeiling = { seconds: ceiling === null ? null : round(ceiling, 3), claimsPerSecond: ceiling === null ? null : round(n / ceiling, 1) };
  say(`  limit: ${n} claims, each given a pre-bound PV at once, all Bound in ${ceiling === null ? 'more than the timeout' : `${r.boundCeiling.seconds} s`}`);
  r.notes.push(
    `client-side create latency in requestLatencyMs; ${o.concurrency} requests in flight`,
    'boundCeiling: the same claims each answered at once with a pre-bound PV, until all are Bound (binder included)',
    ...errors,
  );
  return r;
}
