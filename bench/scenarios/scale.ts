// scale: the provisioner idle on an empty cluster (RSS, CPU); then --pvs PVs of its class, each
// pre-bound to a claim (as after months of use), and a restart: time to ready, time to provision a
// claim created at spawn time, requests made while starting, RSS and CPU with all of it cached.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { BenchOptions } from '../args.ts';
import { names, runPool } from '../pool.ts';
import { boundClaimManagedFields, provisionedVolumeManagedFields } from '../managed-fields.ts';
import { provisionedPvBody } from '../pv-body.ts';
import { progress, say } from '../progress.ts';
import { emptyResult } from '../result.ts';
import type { ScenarioResult } from '../result.ts';
import { claimBody, createClaim, logTail, probe, startSubject } from '../subject.ts';
import type { SubjectSpec } from '../subject.ts';
import { NAMESPACE, startWorld } from '../world.ts';
import type { World } from '../world.ts';
import { applyProcessFigures, countWhere, isBound, provisionerRequests, round, steadyState } from './common.ts';

function seededPv(name: string, claim: V1PersistentVolumeClaim, exportDir: string): V1PersistentVolume {
  const claimName = claim.metadata?.name ?? '';
  const pv = provisionedPvBody(name, `${NAMESPACE}-${claimName}-${name}`, exportDir, {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    namespace: NAMESPACE,
    name: claimName,
    uid: claim.metadata?.uid ?? '',
  });
  return { ...pv, metadata: { ...pv.metadata, managedFields: provisionedVolumeManagedFields('nfs-provisioner-ts') } };
}

async function seed(world: World, n: number, concurrency: number, timeoutMs: number, notes: string[]): Promise<void> {
  const claimNames = names('seed', n);
  let created = 0;
  const errors: string[] = [];
  const stopProgress = progress('scale seed', () => `${created}/${n} claim+PV pairs created, ${countWhere(world, claimNames, isBound(world))} Bound`);
  try {
    await runPool(claimNames, concurrency, async (name, i) => {
      const pvName = `seed-pv-${String(i + 1).padStart(String(n).length, '0')}`;
      try {
        const body = claimBody(name);
        body.spec = { ...body.spec, volumeName: pvName };
        body.metadata = { ...body.metadata, managedFields: boundClaimManagedFields() };
        const claim = await world.clients.core.createNamespacedPersistentVolumeClaim({ namespace: NAMESPACE, body });
        await world.clients.core.createPersistentVolume({ body: seededPv(pvName, claim, world.exportDir) });
        created++;
      } catch (err: unknown) {
        if (errors.length < 5) errors.push(`seed ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    const ok = await world.tracker.until(() => countWhere(world, claimNames, isBound(world)) >= created, timeoutMs);
    if (!ok) notes.push(`seeding: only ${countWhere(world, claimNames, isBound(world))}/${created} claims Bound before the restart`);
  } finally {
    stopProgress();
  }
  notes.push(...errors);
}

export async function runScale(o: BenchOptions, spec: SubjectSpec): Promise<ScenarioResult> {
  const r = emptyResult('scale', spec.label, o.pvs);
  const world = await startWorld();
  const settleSeconds = Math.max(o.steadySeconds, 3);
  try {
    // Idle, empty cluster.
    const idle = await startSubject(world, spec);
    try {
      if ((await probe(world, idle, 'probe-idle')) === null) throw new Error(`no probe PV within 60 s:\n${logTail(idle.proc)}`);
      await sleep(settleSeconds * 1000);
      const s = idle.sampler.sample();
      r.rssIdleMiB = round(s.rssMiB, 1);
      r.cpuIdleSeconds = round(s.cpuSeconds, 2);
    } finally {
      await idle.stop();
    }
    say(`  scale: idle RSS ${r.rssIdleMiB} MiB; seeding ${o.pvs} bound claims + PVs`);
    const t0seed = performance.now();
    await seed(world, o.pvs, Math.max(o.concurrency, 32), o.timeoutSeconds * 1000, r.notes);
    say(`  scale: seeded in ${((performance.now() - t0seed) / 1000).toFixed(1)} s; restarting the provisioner`);

    // Restart with everything in place; a new claim arrives at spawn time.
    const fromMs = Date.now();
    const subject = await startSubject(world, spec);
    try {
      const exited = subject.proc.exited;
      const probeDone = createClaim(world, 'probe-scale').then(() =>
        world.tracker.until(() => world.tracker.claims.get('probe-scale')?.pvAt !== undefined, o.timeoutSeconds * 1000, exited),
      );
      let readyAt: number | undefined;
      if (subject.isOurs) {
        await subject.proc.waitReady(o.timeoutSeconds * 1000);
        readyAt = performance.now();
      }
      const stopProgress = progress('scale start', () => 'waiting for the probe claim to be provisioned');
      const ok = await probeDone.finally(stopProgress);
      const pvAt = world.tracker.claims.get('probe-scale')?.pvAt;
      if (!ok || pvAt === undefined) {
        r.timedOut = true;
        r.notes.push(`probe claim not provisioned within ${o.timeoutSeconds} s after the restart`);
      }
      r.startupToFirstPvSeconds = pvAt === undefined ? null : round((pvAt - subject.spawnedAt) / 1000, 3);
      r.startupSeconds = readyAt !== undefined ? round((readyAt - subject.spawnedAt) / 1000, 3) : r.startupToFirstPvSeconds;
      if (readyAt === undefined) r.notes.push('startupSeconds = spawn -> first PV (no /readyz for this command)');
      await sleep(1000);
      r.startupRequests = provisionerRequests(world, fromMs, Date.now()).byKey;
      r.completed = ok ? o.pvs : 0;
      r.seconds = r.startupSeconds;
      await steadyState(world, r, settleSeconds);
      applyProcessFigures(r, subject);
      say(`  scale: ready in ${r.startupSeconds} s with ${o.pvs} PVs, RSS ${r.rssMiB} MiB`);
    } finally {
      await subject.stop();
    }
  } finally {
    r.notes.push(...world.notes);
    await world.stop();
  }
  return r;
}
