// hung-export: a FUSE pass-through (bindfs) sits between the export and the provisioner's
// NFS_MOUNT_PATH; SIGSTOP to bindfs makes every file call there hang, as on a dead hard NFS
// mount. Meanwhile: /healthz answers 200, /readyz says not ready, /metrics counts fs timeouts,
// the Lease is renewed or given up cleanly (never held stale), the process stays up. After
// SIGCONT every claim that waited gets Bound.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { availability, startPassThroughMount } from '../../../harness/nfs/index.ts';
import type { Scenario } from '../scenario.ts';
import { inWorld } from '../scenario.ts';
import { fetchMetrics, sumMetric } from '../metrics.ts';
import { FAST_ENV } from '../world.ts';
import { createClaims, createReclaimClasses, deleteAllClaims } from './common.ts';

const POD = 'hung-export';

async function status(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

export const hungExport: Scenario = async (ctx) => {
  const started = Date.now();
  const a = availability({ need: 'hung-mount' });
  if (!a.ok) {
    if (process.env.CI === 'true') throw new Error(`${a.message} (CI=true: the hung-export scenario must run)`);
    return { runs: 0, claims: 0, report: { violations: [], lostVolumes: 0, doubleProvisions: 0, writesOutside: 0, dataLost: 0, leftovers: 0, worstRecoveryMs: 0 }, notes: [a.message], skipped: a.message, durationMs: 0 };
  }
  const full = ctx.mode === 'full';
  const hangMs = full ? 60_000 : 12_000;
  const waiting = full ? 20 : 5;
  const recoveryLimitMs = 30_000;
  const leaseMs = 4000;
  const run = await inWorld(ctx, { otherExports: ['mount'] }, async (world) => {
    const target = join(world.base, 'mount');
    mkdirSync(target);
    const mount = await startPassThroughMount({ source: world.exportDir, target });
    world.cleanups.push(() => mount.stop());
    await createReclaimClasses(world);
    const p = await world.provisioner({ exportDir: target, leaderElection: true, podName: POD });
    await p.waitReady(recoveryLimitMs);
    await createClaims(world, 'before', 6, 'before');
    await world.waitAllBound(30_000);
    await world.markBoundVolumes();
    await world.checkpoint('all Bound', recoveryLimitMs);

    ctx.log(`hung-export: SIGSTOP bindfs for ${hangMs / 1000} s, ${waiting} claims created meanwhile`);
    mount.hang();
    const hungAt = Date.now();
    await createClaims(world, 'waiting', waiting, 'waiting');
    let healthzBad = 0;
    let notReadySeen = false;
    let staleLease = 0;
    let gaveUp = false;
    let leaseSamples = 0;
    while (Date.now() - hungAt < hangMs) {
      const [h, r] = await Promise.all([status(`${p.httpUrl}/healthz`), status(`${p.httpUrl}/readyz`)]);
      if (h !== 200) healthzBad++;
      if (r !== 200 && r !== 0) notReadySeen = true;
      for (const l of await world.leases()) {
        leaseSamples++;
        const spec = (l as { spec?: { holderIdentity?: string; renewTime?: string } }).spec;
        if (spec?.holderIdentity !== POD) {
          gaveUp = true;
          continue;
        }
        const age = Date.now() - Date.parse(spec.renewTime ?? '');
        if (!(age <= leaseMs + 1500)) staleLease++;
      }
      await sleep(500);
    }
    const metrics = await fetchMetrics(p.httpUrl).catch(() => '');
    const timeouts = sumMetric(metrics, 'nfs_provisioner_fs_timeouts_total');
    if (healthzBad > 0) world.violation(`/healthz did not answer 200 ${healthzBad} times while the export hung`);
    if (!notReadySeen) world.violation('/readyz never said not ready while the export hung');
    if (!(timeouts > 0)) world.violation('/metrics shows no nfs_provisioner_fs_timeouts_total while the export hung');
    // Without a Lease to look at, "never stale" would pass by itself.
    if (leaseSamples === 0) world.violation(`no Lease in namespace ${world.identity.namespace} while the export hung: leader election not checked`);
    if (staleLease > 0) world.violation(`the Lease stayed held by the hung replica without renewal (${staleLease} samples older than ${leaseMs} ms + 1.5 s)`);
    if (!world.processes.has(p)) world.violation('the provisioner exited while the export hung');
    world.notes.push(`fs timeouts ${timeouts}, lease ${gaveUp ? 'given up (cleanly: never stale)' : 'kept renewed'}, FS_TIMEOUT ${FAST_ENV['FS_TIMEOUT'] ?? '?'}`);

    mount.resume();
    const resumedAt = Date.now();
    await world.measureRecovery(p, resumedAt, recoveryLimitMs);
    await world.waitAllBound(recoveryLimitMs);
    world.notes.push(`all waiting claims Bound ${Date.now() - resumedAt} ms after the export came back`);
    await world.markBoundVolumes();
    await world.checkpoint('after resume', recoveryLimitMs);
    await deleteAllClaims(world);
    await world.waitReclaimed(30_000);
    return { claims: 6 + waiting, recoveryLimitMs };
  });
  return { runs: 1, claims: run.claims, report: run.report, notes: run.notes, durationMs: Date.now() - started };
};
