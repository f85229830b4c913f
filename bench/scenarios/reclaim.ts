// reclaim: N claims provisioned (not measured), then all deleted at once; time until every PV is
// gone and every volume directory has left its place (archived: the class says archiveOnDelete).
import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { BenchOptions } from '../args.ts';
import { names, runPool } from '../pool.ts';
import { progress, say } from '../progress.ts';
import { emptyResult } from '../result.ts';
import type { ScenarioResult } from '../result.ts';
import { logTail, probe, startSubject } from '../subject.ts';
import type { SubjectSpec } from '../subject.ts';
import { clusterInfo, NAMESPACE, startWorld } from '../world.ts';
import { applyPhaseCpu, applyProcessFigures, applyRequestFigures, countWhere, createClaims, isBound, percentiles, provisionerRequests, round, startPhase } from './common.ts';

export async function runReclaim(o: BenchOptions, spec: SubjectSpec): Promise<ScenarioResult> {
  const n = o.claims;
  const r = emptyResult('reclaim', spec.label, n, clusterInfo(o));
  const world = await startWorld(o, spec.rbacFile !== undefined ? { rbacFile: spec.rbacFile } : {});
  try {
    const subject = await startSubject(world, spec);
    try {
      if ((await probe(world, subject, 'probe')) === null) throw new Error(`no probe PV within 60 s:\n${logTail(subject.proc)}`);
      const claimNames = names('reclaim', n);
      const errors: string[] = [];
      const exited = subject.proc.exited;
      const stopSetup = progress('reclaim setup', () => `${countWhere(world, claimNames, isBound(world))}/${n} Bound`);
      await createClaims(world, claimNames, o.concurrency, errors);
      const bound = await world.tracker.until(() => countWhere(world, claimNames, isBound(world)) === n, o.timeoutSeconds * 1000, exited).finally(stopSetup);
      if (!bound) r.notes.push(`setup: only ${countWhere(world, claimNames, isBound(world))}/${n} claims Bound; deleting those`);
      const toDelete = claimNames.filter(isBound(world));
      // The volume directories as they are now; done when none of them is left in place.
      const volumeDirs = readdirSync(world.exportDir).filter((d) => d.includes('reclaim-') && !d.startsWith('archived-'));
      const dirsLeft = (): number => {
        const now = new Set(readdirSync(world.exportDir));
        return volumeDirs.filter((d) => now.has(d)).length;
      };
      const pvGone = (name: string): boolean => world.tracker.claims.get(name)?.pvGoneAt !== undefined;
      say(`  reclaim: ${toDelete.length} claims Bound, ${volumeDirs.length} directories; deleting all claims`);
      const fromMs = Date.now();
      const endPhase = startPhase(world, subject);
      const t0 = performance.now();
      const stopProgress = progress('reclaim', () => `${countWhere(world, toDelete, pvGone)}/${toDelete.length} PVs gone, ${dirsLeft()} directories left`);
      let done: boolean;
      try {
        await runPool(toDelete, o.concurrency, async (name) => {
          world.tracker.markDeleteRequested(name);
          try {
            await world.clients.core.deleteNamespacedPersistentVolumeClaim({ name, namespace: NAMESPACE });
          } catch (err: unknown) {
            if (errors.length < 5) errors.push(`delete ${name}: ${err instanceof Error ? err.message : String(err)}`);
          }
        });
        done = await world.tracker.until(() => countWhere(world, toDelete, pvGone) === toDelete.length && dirsLeft() === 0, o.timeoutSeconds * 1000, exited);
      } finally {
        stopProgress();
      }
      const end = performance.now();
      const lat: number[] = [];
      let lastGone = 0;
      for (const name of toDelete) {
        const t = world.tracker.claims.get(name);
        if (t?.deleteRequestedAt !== undefined && t.pvGoneAt !== undefined) {
          lat.push(t.pvGoneAt - t.deleteRequestedAt);
          lastGone = Math.max(lastGone, t.pvGoneAt);
        }
      }
      r.claims = toDelete.length;
      r.completed = lat.length;
      r.timedOut = !done;
      r.seconds = round((done ? Math.max(lastGone, Math.min(end, performance.now())) - t0 : end - t0) / 1000, 3);
      r.claimsPerSecond = r.seconds > 0 ? round(r.completed / r.seconds, 1) : null;
      r.latencyMs = percentiles(lat);
      const archived = readdirSync(world.exportDir).filter((d) => d.startsWith('archived-') && d.includes('reclaim-')).length;
      r.notes.push(`latencyMs here = claim delete request -> PV gone; ${archived} archived directories, ${dirsLeft()} left in place`);
      await new Promise((res) => setTimeout(res, 1000));
      applyPhaseCpu(r, endPhase(), r.completed);
      applyRequestFigures(r, provisionerRequests(world, fromMs, Date.now()), r.completed || 1);
      applyProcessFigures(r, subject);
      r.notes.push(...errors);
      say(`  reclaim: ${r.completed}/${toDelete.length} PVs gone in ${r.seconds} s`);
    } finally {
      await subject.stop();
    }
  } finally {
    r.notes.push(...world.notes);
    await world.stop();
  }
  return r;
}
