// scale: the provisioner idle on an empty cluster (RSS, CPU); then, for each --pvs count in turn on
// the same cluster, PVs of its class each pre-bound to a claim (as after months of use; seeded up
// to the count) and a restart: time to ready, time to provision a claim created at spawn time,
// requests made while starting, RSS and CPU with all of it cached. One result per count.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { BenchOptions } from '../args.ts';
import { runPool } from '../pool.ts';
import { boundClaimManagedFields, provisionedVolumeManagedFields } from '../managed-fields.ts';
import { provisionedPvBody } from '../pv-body.ts';
import { progress, say } from '../progress.ts';
import { emptyResult } from '../result.ts';
import type { ScenarioResult } from '../result.ts';
import { claimBody, createClaim, logTail, probe, startSubject } from '../subject.ts';
import type { SubjectSpec } from '../subject.ts';
import { NAMESPACE, startWorld } from '../world.ts';
import type { World } from '../world.ts';
import { applyPhaseCpu, applyProcessFigures, countWhere, isBound, provisionerRequests, round, startPhase, steadyState } from './common.ts';

/** Fixed width, so names sort in creation order across the counts seeded one after another. */
const seedName = (prefix: string, i: number): string => `${prefix}-${String(i + 1).padStart(6, '0')}`;

// The harness stores what a create sends, so its objects get the managedFields a real server
// records (managed-fields.ts); the real server records its own.
function seededPv(world: World, name: string, claim: V1PersistentVolumeClaim): V1PersistentVolume {
  const claimName = claim.metadata?.name ?? '';
  const pv = provisionedPvBody(name, `${NAMESPACE}-${claimName}-${name}`, world.exportDir, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    namespace: NAMESPACE,
    name: claimName,
    uid: claim.metadata?.uid ?? '',
  });
  if (world.info.kind === 'real') return pv;
  return { ...pv, metadata: { ...pv.metadata, managedFields: provisionedVolumeManagedFields('nfs-provisioner-ts') } };
}

/** Seeds pairs [from, to) and waits until every seeded claim is Bound. */
async function seed(world: World, from: number, to: number, concurrency: number, timeoutMs: number, notes: string[]): Promise<void> {
  const indexes = Array.from({ length: to - from }, (_, k) => from + k);
  const allClaims = Array.from({ length: to }, (_, i) => seedName('seed', i));
  let created = from;
  const errors: string[] = [];
  const stopProgress = progress('scale seed', () => `${created}/${to} claim+PV pairs created, ${countWhere(world, allClaims, isBound(world))} Bound`);
  try {
    await runPool(indexes, concurrency, async (i) => {
      const name = seedName('seed', i);
      const pvName = seedName('seed-pv', i);
      try {
        const body = claimBody(name);
        body.spec = { ...body.spec, volumeName: pvName };
        if (world.info.kind === 'local') body.metadata = { ...body.metadata, managedFields: boundClaimManagedFields() };
        const claim = await world.clients.core.createNamespacedPersistentVolumeClaim({ namespace: NAMESPACE, body });
        await world.clients.core.createPersistentVolume({ body: seededPv(world, pvName, claim) });
        created++;
      } catch (err: unknown) {
        if (errors.length < 5) errors.push(`seed ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    const ok = await world.tracker.until(() => countWhere(world, allClaims, isBound(world)) >= created, timeoutMs);
    if (!ok) notes.push(`seeding: only ${countWhere(world, allClaims, isBound(world))}/${created} claims Bound before the restart`);
  } finally {
    stopProgress();
  }
  notes.push(...errors);
}

/** Restart with everything in place; a new claim arrives at spawn time. */
async function restart(world: World, spec: SubjectSpec, o: BenchOptions, count: number, r: ScenarioResult, settleSeconds: number): Promise<void> {
  const fromMs = Date.now();
  const subject = await startSubject(world, spec);
  const endPhase = startPhase(world, subject);
  const probeName = `probe-scale-${String(count)}`;
  try {
    const exited = subject.proc.exited;
    const probeDone = createClaim(world, probeName).then(() =>
      world.tracker.until(() => world.tracker.claims.get(probeName)?.pvAt !== undefined, o.timeoutSeconds * 1000, exited),
    );
    let readyAt: number | undefined;
    if (subject.isOurs) {
      await subject.proc.waitReady(o.timeoutSeconds * 1000);
      readyAt = performance.now();
    }
    const stopProgress = progress('scale start', () => 'waiting for the probe claim to be provisioned');
    const ok = await probeDone.finally(stopProgress);
    const pvAt = world.tracker.claims.get(probeName)?.pvAt;
    if (!ok || pvAt === undefined) {
      r.timedOut = true;
      r.notes.push(`probe claim not provisioned within ${o.timeoutSeconds} s after the restart`);
    }
    r.startupToFirstPvSeconds = pvAt === undefined ? null : round((pvAt - subject.spawnedAt) / 1000, 3);
    r.startupSeconds = readyAt !== undefined ? round((readyAt - subject.spawnedAt) / 1000, 3) : r.startupToFirstPvSeconds;
    if (readyAt === undefined) r.notes.push('startupSeconds = spawn -> first PV (no /readyz for this command)');
    await sleep(1000);
    // CPU from spawn (the sampler's first reading) until a second after the probe's PV.
    applyPhaseCpu(r, endPhase(), 0);
    r.startupRequests = provisionerRequests(world, fromMs, Date.now()).byKey;
    r.completed = ok ? count : 0;
    r.seconds = r.startupSeconds;
    await steadyState(world, r, settleSeconds);
    applyProcessFigures(r, subject);
    say(`  scale: ready in ${String(r.startupSeconds)} s with ${String(count)} PVs, RSS ${String(r.rssMiB)} MiB`);
  } finally {
    await subject.stop();
  }
}

export async function runScale(o: BenchOptions, spec: SubjectSpec): Promise<ScenarioResult[]> {
  const world = await startWorld(o, spec.rbacFile !== undefined ? { rbacFile: spec.rbacFile } : {});
  const settleSeconds = Math.max(o.steadySeconds, 3);
  const results: ScenarioResult[] = [];
  try {
    // Idle, empty cluster.
    const idle = await startSubject(world, spec);
    let rssIdleMiB: number;
    let cpuIdleSeconds: number;
    try {
      if ((await probe(world, idle, 'probe-idle')) === null) throw new Error(`no probe PV within 60 s:\n${logTail(idle.proc)}`);
      await sleep(settleSeconds * 1000);
      const s = idle.sampler.sample();
      rssIdleMiB = round(s.rssMiB, 1);
      cpuIdleSeconds = round(s.cpuSeconds, 2);
    } finally {
      await idle.stop();
    }
    let seeded = 0;
    for (const count of o.pvs) {
      const r = emptyResult('scale', spec.label, count, world.info);
      results.push(r);
      r.rssIdleMiB = rssIdleMiB;
      r.cpuIdleSeconds = cpuIdleSeconds;
      say(`  scale: idle RSS ${String(rssIdleMiB)} MiB; seeding ${String(count - seeded)} more bound claims + PVs (${String(count)} in all)`);
      const t0 = performance.now();
      // Seeding may take far longer than a phase: at least 50 pairs a second is allowed for.
      await seed(world, seeded, count, Math.max(o.concurrency, 32), o.timeoutSeconds * 1000 + (count - seeded) * 20, r.notes);
      seeded = count;
      r.seedSeconds = round((performance.now() - t0) / 1000, 1);
      say(`  scale: seeded in ${String(r.seedSeconds)} s; restarting the provisioner`);
      await restart(world, spec, o, count, r, settleSeconds);
      r.notes.push('phaseCpuSeconds and controlPlaneCpuSeconds: from spawn until a second after the probe claim got its PV');
    }
  } finally {
    const notes = world.notes;
    await world.stop();
    for (const r of results) r.notes.push(...notes);
  }
  return results;
}
