// leader-race: two replicas with leader election; the leader is found from the Lease and killed
// (kill -9, so the Lease is not released) and restarted, again and again, while claims are
// provisioned and then deleted. No claim may get two PVs; a 409 AlreadyExists on a PV create is
// fine (counted in the notes).
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProvisionerProcess } from '../../../harness/provisioner-process.ts';
import type { Scenario, ScenarioContext } from '../scenario.ts';
import { inWorld } from '../scenario.ts';
import { PROVISIONER_UA } from '../refused-requests.ts';
import type { World } from '../world.ts';
import { createClaims, createReclaimClasses, deleteAllClaims } from './common.ts';

/** The Lease's holder (leases live in the provisioner's namespace). */
async function holder(world: World): Promise<string | undefined> {
  for (const l of await world.leases()) {
    const h = (l as { spec?: { holderIdentity?: string } }).spec?.holderIdentity;
    if (h) return h;
  }
  return undefined;
}

async function killLeaders(ctx: ScenarioContext, world: World, replicas: Map<string, ProvisionerProcess>, kills: number, limitMs: number): Promise<number> {
  let done = 0;
  for (let i = 0; i < kills; i++) {
    await sleep(ctx.rng.int(300, 3000));
    // Wait for a leader (the lease may be between holders).
    const deadline = Date.now() + limitMs;
    let leader = await holder(world);
    while ((leader === undefined || !replicas.has(leader)) && Date.now() < deadline) {
      await sleep(100);
      leader = await holder(world);
    }
    const p = leader === undefined ? undefined : replicas.get(leader);
    if (!leader || !p) {
      world.violation(`no replica holds the lease for ${limitMs} ms`);
      return done;
    }
    p.kill();
    await p.exited;
    done++;
    const killedAt = Date.now();
    await sleep(ctx.rng.int(0, 1500));
    const next = await world.provisioner({ leaderElection: true, podName: leader });
    replicas.set(leader, next);
    await world.measureRecovery(next, killedAt, limitMs);
  }
  return done;
}

export const leaderRace: Scenario = async (ctx) => {
  const started = Date.now();
  const full = ctx.mode === 'full';
  const claims = full ? 300 : 40;
  const kills = full ? 10 : 3;
  const recoveryLimitMs = 30_000;
  const run = await inWorld(ctx, {}, async (world) => {
    await createReclaimClasses(world);
    const replicas = new Map<string, ProvisionerProcess>();
    for (const name of ['replica-a', 'replica-b']) {
      const p = await world.provisioner({ leaderElection: true, podName: name });
      replicas.set(name, p);
    }
    for (const p of replicas.values()) await p.waitReady(recoveryLimitMs);
    ctx.log(`leader-race: ${claims} claims, ${kills} leader kills while provisioning`);
    const creating = createClaims(world, 'race', claims);
    let done = await killLeaders(ctx, world, replicas, kills, recoveryLimitMs);
    await creating;
    await world.waitAllBound(full ? 180_000 : 60_000);
    await world.markBoundVolumes();
    await world.checkpoint('all Bound', recoveryLimitMs);
    ctx.log(`leader-race: delete all, ${kills} leader kills`);
    const deleting = deleteAllClaims(world);
    done += await killLeaders(ctx, world, replicas, kills, recoveryLimitMs);
    await deleting;
    await world.waitReclaimed(full ? 180_000 : 60_000);
    const creates = (code: number): number => world.cluster.requests.count({ verb: 'create', resource: 'persistentvolumes', userAgent: PROVISIONER_UA, code });
    world.notes.push(`${done} leader kills; PV creates answered 201: ${creates(201)}, 409 AlreadyExists: ${creates(409)}`);
    return { claims, recoveryLimitMs };
  });
  return { runs: 1, claims: run.claims, report: run.report, notes: run.notes, durationMs: Date.now() - started };
};
