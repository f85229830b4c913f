// Pieces the scenarios share: creating claims at a given concurrency, latencies from the tracker,
// the provisioner's requests in a window, the process figures, and the CPU of a measured phase
// (the provisioner's beside the control plane's).
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { perClaim, summarize } from '../api-requests.ts';
import type { RequestSummary } from '../api-requests.ts';
import { controlPlaneCpu, cpuDelta } from '../control-plane-cpu.ts';
import { runPool } from '../pool.ts';
import type { ScenarioResult } from '../result.ts';
import { percentiles, round } from '../stats.ts';
import { createClaim } from '../subject.ts';
import type { Subject } from '../subject.ts';
import type { World } from '../world.ts';

export async function createClaims(world: World, claimNames: readonly string[], concurrency: number, errors: string[]): Promise<void> {
  await runPool(claimNames, concurrency, async (name) => {
    try {
      await createClaim(world, name);
    } catch (err: unknown) {
      const msg = `create ${name}: ${err instanceof Error ? err.message : String(err)}`;
      if (errors.length < 5) errors.push(msg);
    }
  });
}

export function countWhere(world: World, claimNames: readonly string[], pred: (name: string) => boolean): number {
  let n = 0;
  for (const name of claimNames) if (pred(name)) n++;
  return n;
}

export const hasPv = (world: World) => (name: string): boolean => world.tracker.claims.get(name)?.pvAt !== undefined;
export const isBound = (world: World) => (name: string): boolean => world.tracker.claims.get(name)?.boundAt !== undefined;

export function latencyFigures(world: World, claimNames: readonly string[]): { toPv: number[]; toBound: number[]; lastBound: number; lastPv: number } {
  const toPv: number[] = [];
  const toBound: number[] = [];
  let lastBound = 0;
  let lastPv = 0;
  for (const name of claimNames) {
    const t = world.tracker.claims.get(name);
    if (t?.createdAt === undefined) continue;
    if (t.pvAt !== undefined) {
      toPv.push(Math.max(0, t.pvAt - t.createdAt));
      lastPv = Math.max(lastPv, t.pvAt);
    }
    if (t.boundAt !== undefined) {
      toBound.push(Math.max(0, t.boundAt - t.createdAt));
      lastBound = Math.max(lastBound, t.boundAt);
    }
  }
  return { toPv, toBound, lastBound, lastPv };
}

export function provisionerRequests(world: World, fromMs: number, toMs: number): RequestSummary {
  return summarize(world.cluster.requests.entries(), fromMs, toMs, (e) => world.isSubjectRequest(e));
}

export function applyRequestFigures(r: ScenarioResult, s: RequestSummary, claims: number): void {
  if (claims > 0) {
    r.apiRequestsPerClaim = round(s.total / claims, 3);
    r.apiRequestsByVerbResource = perClaim(s.byKey, claims);
  }
  if (s.userAgents.length) r.userAgents = s.userAgents;
  if (Object.keys(s.errors).length) {
    r.apiErrors = s.errors;
    const forbidden = Object.keys(s.errors).filter((k) => k.endsWith(' 403'));
    if (forbidden.length) r.notes.push(`forbidden by its RBAC (403): ${forbidden.map((k) => k.slice(0, -4)).join(', ')}`);
  }
}

/** Idle window after the work: what the provisioner asks the API server when nothing changes. */
export async function steadyState(world: World, r: ScenarioResult, seconds: number): Promise<void> {
  if (seconds <= 0) return;
  const from = Date.now();
  await sleep(seconds * 1000);
  const s = provisionerRequests(world, from, Date.now());
  r.getsInSteadyState = s.gets;
  r.steadyStateRequests = s.byKey;
  r.steadyStateSeconds = seconds;
}

export function applyProcessFigures(r: ScenarioResult, subject: Subject): void {
  const s = subject.sampler.sample();
  r.rssMiB = round(s.rssMiB, 1);
  r.rssPeakMiB = round(Math.max(subject.sampler.peakMiB, s.rssMiB), 1);
  r.cpuSeconds = round(s.cpuSeconds, 2);
}

export interface PhaseCpu {
  /** The provisioner's CPU seconds in the phase (null without a subject). */
  provisioner: number | null;
  controlPlane: Record<string, number>;
}

/** Starts counting CPU for a measured phase; the returned function ends it. */
export function startPhase(world: World, subject?: Subject): () => PhaseCpu {
  const cp0 = controlPlaneCpu(world.cluster);
  const p0 = subject?.sampler.sample().cpuSeconds;
  return () => {
    const p1 = subject?.sampler.sample().cpuSeconds;
    return {
      provisioner: p0 === undefined || p1 === undefined ? null : round(p1 - p0, 2),
      controlPlane: cpuDelta(cp0, controlPlaneCpu(world.cluster)),
    };
  };
}

/** phaseCpuSeconds, cpuMsPerClaim (per completed claim or volume) and controlPlaneCpuSeconds. */
export function applyPhaseCpu(r: ScenarioResult, cpu: PhaseCpu, completed: number): void {
  r.phaseCpuSeconds = cpu.provisioner;
  r.cpuMsPerClaim = cpu.provisioner !== null && completed > 0 ? round((cpu.provisioner * 1000) / completed, 2) : null;
  r.controlPlaneCpuSeconds = cpu.controlPlane;
}

export function msSince(t0: number): number {
  return performance.now() - t0;
}

export { percentiles, round };
