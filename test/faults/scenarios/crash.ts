// crash: kill -9 at random moments during a claim burst and during the mass delete that follows.
// A killed provisioner may leave a directory without a PV, a PV without an event, a half-done
// reclaim: the restarted one must finish every piece, never twice and never losing data.
import type { Scenario } from '../scenario.ts';
import { inWorld } from '../scenario.ts';
import { createClaims, createReclaimClasses, deleteAllClaims, killLoop } from './common.ts';

export const crash: Scenario = async (ctx) => {
  const started = Date.now();
  const full = ctx.mode === 'full';
  const claims = full ? 1000 : 60;
  const burstKills = full ? 12 : 3;
  const deleteKills = full ? 10 : 3;
  const recoveryLimitMs = 30_000;
  let kills = 0;
  const run = await inWorld(ctx, {}, async (world) => {
    await createReclaimClasses(world);
    const first = await world.provisioner();
    await first.waitReady(recoveryLimitMs);
    ctx.log(`crash: ${claims} claims, ${burstKills} kills during the burst`);
    const creating = createClaims(world, 'crash', claims);
    const burst = await killLoop(ctx, world, first, burstKills, {}, recoveryLimitMs);
    kills += burst.kills;
    await creating;
    await world.waitAllBound(full ? 240_000 : 60_000);
    await world.markBoundVolumes();
    await world.checkpoint('all Bound', recoveryLimitMs);
    ctx.log(`crash: mass delete, ${deleteKills} kills`);
    const deleting = deleteAllClaims(world);
    const del = await killLoop(ctx, world, burst.process, deleteKills, {}, recoveryLimitMs);
    kills += del.kills;
    await deleting;
    await world.waitReclaimed(full ? 240_000 : 60_000);
    world.notes.push(`${kills} kill -9`);
    return { claims, recoveryLimitMs };
  });
  return { runs: 1, claims: run.claims, report: run.report, notes: run.notes, durationMs: Date.now() - started };
};
