// The limit scenario's two ceilings, on one fresh cluster, for --claims claims and a bare client
// (@kubernetes/client-node, --concurrency requests in flight), so a provisioner's burst and reclaim
// each compare with what costs nothing but the control plane's own work:
// - bound: every claim answered at once with a PV pre-bound to it (a provisioner that does not
//   wait for the binder's storage-provisioner annotation), timed until all are Bound;
// - reclaim: then all those claims deleted at once, and each PV, as soon as the binder has
//   released it, stripped of the provisioner's finalizer and deleted (JSON patch test+remove, then
//   delete: the two requests ours makes), timed until every PV is gone.
import { performance } from 'node:perf_hooks';
import { apiStatusCode } from '../../harness/controllers/api-errors.ts';
import { makeControllerClients } from '../../harness/controllers/kube-clients.ts';
import type { ControllerClients } from '../../harness/controllers/kube-clients.ts';
import type { BenchOptions } from '../args.ts';
import { names, runPool } from '../pool.ts';
import { progress } from '../progress.ts';
import { provisionedPvBody, PV_FINALIZER } from '../pv-body.ts';
import type { BoundCeiling, ReclaimCeiling } from '../result.ts';
import { round } from '../stats.ts';
import { claimBody } from '../subject.ts';
import type { WatchedObject } from '../tracker.ts';
import { BENCH_USER_AGENT, NAMESPACE, startWorld } from '../world.ts';
import type { World } from '../world.ts';
import { countWhere, isBound, startPhase } from './common.ts';

type Release = (name: string, pv: WatchedObject) => Promise<void>;

async function bound(world: World, clients: ControllerClients, o: BenchOptions, claimNames: string[], errors: string[]): Promise<BoundCeiling> {
  const endPhase = startPhase(world);
  const t0 = performance.now();
  const stopProgress = progress('limit bound ceiling', () => `${countWhere(world, claimNames, isBound(world))}/${o.claims} Bound`);
  try {
    await runPool(claimNames, o.concurrency, async (name, i) => {
      try {
        const claim = await clients.core.createNamespacedPersistentVolumeClaim({ namespace: NAMESPACE, body: claimBody(name) });
        world.tracker.markCreated(name);
        const pvName = `ceiling-pv-${String(i + 1)}`;
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
    const seconds = ok ? round((performance.now() - t0) / 1000, 3) : null;
    return { seconds, claimsPerSecond: seconds === null ? null : round(o.claims / seconds, 1), controlPlaneCpuSeconds: endPhase().controlPlane };
  } finally {
    stopProgress();
  }
}

/** Drops the finalizer (re-reading the PV when its list changed meanwhile), then deletes; counts requests. */
function releaser(clients: ControllerClients, counter: { requests: number }, errors: string[]): Release {
  return async (name, seen) => {
    let pv = seen;
    for (let attempt = 0; attempt < 5; attempt++) {
      const index = (pv.metadata?.finalizers ?? []).indexOf(PV_FINALIZER);
      if (index < 0) break;
      counter.requests++;
      try {
        await clients.core.patchPersistentVolume({
          name,
          body: [
            { op: 'test', path: `/metadata/finalizers/${String(index)}`, value: PV_FINALIZER },
            { op: 'remove', path: `/metadata/finalizers/${String(index)}` },
          ],
        });
        break;
      } catch (err: unknown) {
        const code = apiStatusCode(err);
        if (code === 404) return;
        if (code !== 422 && code !== 409) {
          if (errors.length < 5) errors.push(`reclaim ceiling: patch ${name}: ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
        counter.requests++;
        pv = await clients.core.readPersistentVolume({ name });
      }
    }
    counter.requests++;
    try {
      await clients.core.deletePersistentVolume({ name });
    } catch (err: unknown) {
      if (apiStatusCode(err) !== 404 && errors.length < 5) errors.push(`reclaim ceiling: delete ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
}

async function reclaim(world: World, clients: ControllerClients, o: BenchOptions, claimNames: string[], errors: string[]): Promise<ReclaimCeiling> {
  const counter = { requests: 0 };
  const release = releaser(clients, counter, errors);
  // Released PVs wait here; at most --concurrency are worked on at once, as the bench's creates.
  const queue: [string, WatchedObject][] = [];
  const handled = new Set<string>();
  let inFlight = 0;
  const pump = (): void => {
    while (inFlight < o.concurrency && queue.length > 0) {
      const [name, pv] = queue.shift() ?? ['', {}];
      inFlight++;
      void release(name, pv).finally(() => {
        inFlight--;
        pump();
      });
    }
  };
  const unsubscribe = world.tracker.onVolumeEvent((type, obj) => {
    const name = obj.metadata?.name;
    if (type === 'DELETED' || name === undefined || !name.startsWith('ceiling-pv-') || handled.has(name) || obj.status?.phase !== 'Released') return;
    handled.add(name);
    queue.push([name, obj]);
    pump();
  });
  const gone = (name: string): boolean => world.tracker.claims.get(name)?.pvGoneAt !== undefined;
  const endPhase = startPhase(world);
  const t0 = performance.now();
  const stopProgress = progress('limit reclaim ceiling', () => `${countWhere(world, claimNames, gone)}/${claimNames.length} PVs gone`);
  try {
    await runPool(claimNames, o.concurrency, async (name) => {
      try {
        await clients.core.deleteNamespacedPersistentVolumeClaim({ name, namespace: NAMESPACE });
      } catch (err: unknown) {
        if (errors.length < 5) errors.push(`reclaim ceiling: delete claim ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    const ok = await world.tracker.until(() => countWhere(world, claimNames, gone) === claimNames.length, o.timeoutSeconds * 1000);
    const seconds = ok ? round((performance.now() - t0) / 1000, 3) : null;
    return {
      seconds,
      volumesPerSecond: seconds === null ? null : round(claimNames.length / seconds, 1),
      requestsPerVolume: round(counter.requests / claimNames.length, 3),
      controlPlaneCpuSeconds: endPhase().controlPlane,
    };
  } finally {
    stopProgress();
    unsubscribe();
  }
}

export async function ceilings(o: BenchOptions, errors: string[]): Promise<{ bound: BoundCeiling; reclaim: ReclaimCeiling | null }> {
  const world = await startWorld(o);
  try {
    const clients = makeControllerClients(world.cluster.kubeconfigPath, `${BENCH_USER_AGENT}-limit`);
    const claimNames = names('ceiling', o.claims);
    const b = await bound(world, clients, o, claimNames, errors);
    const bound_ = claimNames.filter(isBound(world));
    const r = bound_.length > 0 ? await reclaim(world, clients, o, bound_, errors) : null;
    if (r && bound_.length < claimNames.length) errors.push(`reclaim ceiling: only the ${String(bound_.length)} Bound claims were deleted`);
    return { bound: b, reclaim: r };
  } finally {
    await world.stop();
  }
}
