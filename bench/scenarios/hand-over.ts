// hand-over: replicas with leader election. A leads (it provisioned the probe), B stands by; SIGTERM
// to A and a new claim at once: seconds until B provisions it. Then C stands by and B gets kill -9.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchOptions } from '../args.ts';
import { progress, say } from '../progress.ts';
import { emptyResult } from '../result.ts';
import type { ScenarioResult } from '../result.ts';
import { createClaim, logTail, probe, startSubject } from '../subject.ts';
import type { Subject, SubjectSpec } from '../subject.ts';
import { clusterInfo, startWorld } from '../world.ts';
import type { World } from '../world.ts';
import { applyProcessFigures, round, startPhase } from './common.ts';

async function standBy(subject: Subject): Promise<void> {
  // Ours answers /readyz; any other program gets a fixed head start. Then two more seconds, one
  // lease retry period, so the candidate has tried the lock at least once.
  if (subject.isOurs) await subject.proc.waitReady(10_000).catch(() => undefined);
  else await sleep(3000);
  await sleep(2000);
}

async function takeOver(world: World, name: string, leader: Subject, signal: NodeJS.Signals, timeoutMs: number): Promise<number | null> {
  const t0 = performance.now();
  if (signal === 'SIGKILL') leader.proc.kill();
  else void leader.stop(signal);
  await createClaim(world, name);
  const stopProgress = progress('hand-over', () => `waiting for a replica to provision ${name} after ${signal}`);
  const ok = await world.tracker.until(() => world.tracker.claims.get(name)?.pvAt !== undefined, timeoutMs).finally(stopProgress);
  const pvAt = world.tracker.claims.get(name)?.pvAt;
  return ok && pvAt !== undefined ? round((pvAt - t0) / 1000, 3) : null;
}

export async function runHandOver(o: BenchOptions, spec: SubjectSpec): Promise<ScenarioResult> {
  const r = emptyResult('hand-over', spec.label, 2, clusterInfo(o));
  const world = await startWorld(o, spec.rbacFile !== undefined ? { rbacFile: spec.rbacFile } : {});
  const started: Subject[] = [];
  const timeoutMs = Math.min(o.timeoutSeconds, 120) * 1000;
  try {
    const a = await startSubject(world, spec, { leaderElection: true, podName: 'bench-replica-a' });
    started.push(a);
    if ((await probe(world, a, 'probe')) === null) throw new Error(`no probe PV within 60 s:\n${logTail(a.proc)}`);
    const b = await startSubject(world, spec, { leaderElection: true, podName: 'bench-replica-b' });
    started.push(b);
    await standBy(b);
    const endPhase = startPhase(world);
    const sigterm = await takeOver(world, 'handover-sigterm', a, 'SIGTERM', timeoutMs);
    say(`  hand-over: SIGTERM -> new leader provisioned in ${String(sigterm)} s`);
    const c = await startSubject(world, spec, { leaderElection: true, podName: 'bench-replica-c' });
    started.push(c);
    await standBy(c);
    const kill9 = await takeOver(world, 'handover-kill9', b, 'SIGKILL', timeoutMs);
    say(`  hand-over: kill -9 -> new leader provisioned in ${String(kill9)} s`);
    r.handoverSeconds = { sigterm, kill9 };
    r.controlPlaneCpuSeconds = endPhase().controlPlane;
    r.completed = [sigterm, kill9].filter((v) => v !== null).length;
    r.timedOut = r.completed < 2;
    r.seconds = sigterm;
    applyProcessFigures(r, c);
    r.notes.push('seconds = handoverSeconds.sigterm; rssMiB/cpuSeconds of the last leader');
  } finally {
    for (const s of started) await s.stop().catch(() => undefined);
    r.notes.push(...world.notes);
    await world.stop();
  }
  return r;
}
