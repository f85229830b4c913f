// burst: N claims created at once (the bench keeps --concurrency creates in flight); time until
// all are Bound. api-cost: claims created one after another (each once the previous is Bound), so
// requests per claim and the unloaded latency are not blurred by batching; then an idle window.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchOptions } from '../args.ts';
import { names } from '../pool.ts';
import { progress, say } from '../progress.ts';
import { emptyResult } from '../result.ts';
import type { ScenarioResult } from '../result.ts';
import { createClaim, logTail, probe, startSubject } from '../subject.ts';
import type { SubjectSpec } from '../subject.ts';
import { clusterInfo, startWorld } from '../world.ts';
import {
  applyPhaseCpu,
  applyProcessFigures,
  applyRequestFigures,
  countWhere,
  createClaims,
  hasPv,
  isBound,
  latencyFigures,
  percentiles,
  provisionerRequests,
  round,
  startPhase,
  steadyState,
} from './common.ts';

export async function runBurst(o: BenchOptions, spec: SubjectSpec, mode: 'burst' | 'api-cost'): Promise<ScenarioResult> {
  const n = mode === 'burst' ? o.claims : (o.apiCostClaims ?? Math.min(o.claims, 100));
  const r = emptyResult(mode, spec.label, n, clusterInfo(o));
  const world = await startWorld(o, spec.rbacFile !== undefined ? { rbacFile: spec.rbacFile } : {});
  try {
    const subject = await startSubject(world, spec);
    try {
      const probeSeconds = await probe(world, subject, 'probe');
      if (probeSeconds === null) throw new Error(`the provisioner did not provision a probe claim within 60 s:\n${logTail(subject.proc)}`);
      const claimNames = names(mode, n);
      const errors: string[] = [];
      const fromMs = Date.now();
      const endPhase = startPhase(world, subject);
      const t0 = performance.now();
      const exited = subject.proc.exited;
      const stopProgress = progress(mode, () => `${countWhere(world, claimNames, hasPv(world))}/${n} PVs, ${countWhere(world, claimNames, isBound(world))}/${n} Bound`);
      let allBound: boolean;
      try {
        if (mode === 'burst') {
          await createClaims(world, claimNames, o.concurrency, errors);
          allBound = await world.tracker.until(() => countWhere(world, claimNames, isBound(world)) === n, o.timeoutSeconds * 1000, exited);
        } else {
          allBound = true;
          const deadline = performance.now() + o.timeoutSeconds * 1000;
          for (const name of claimNames) {
            try {
              await createClaim(world, name);
            } catch (err: unknown) {
              if (errors.length < 5) errors.push(`create ${name}: ${err instanceof Error ? err.message : String(err)}`);
              continue;
            }
            const ok = await world.tracker.until(() => isBound(world)(name), Math.max(0, deadline - performance.now()), exited);
            if (!ok) {
              allBound = false;
              break;
            }
          }
        }
      } finally {
        stopProgress();
      }
      const lat = latencyFigures(world, claimNames);
      r.completed = lat.toBound.length;
      r.timedOut = !allBound;
      const end = lat.lastBound > 0 ? lat.lastBound : performance.now();
      r.seconds = round((end - t0) / 1000, 3);
      r.claimsPerSecond = r.seconds > 0 ? round(r.completed / r.seconds, 1) : null;
      r.latencyMs = percentiles(lat.toPv);
      r.latencyToBoundMs = percentiles(lat.toBound);
      // Trailing requests (events after the PV) belong to these claims too.
      await sleep(1000);
      applyPhaseCpu(r, endPhase(), r.completed);
      applyRequestFigures(r, provisionerRequests(world, fromMs, Date.now()), r.completed || n);
      await steadyState(world, r, o.steadySeconds);
      applyProcessFigures(r, subject);
      if (errors.length) r.notes.push(...errors);
      if (r.timedOut) r.notes.push(`only ${r.completed}/${n} claims Bound within ${o.timeoutSeconds} s`);
      say(`  ${mode}: ${r.completed}/${n} Bound in ${r.seconds} s`);
    } finally {
      await subject.stop();
    }
  } finally {
    r.notes.push(...world.notes);
    await world.stop();
  }
  return r;
}
