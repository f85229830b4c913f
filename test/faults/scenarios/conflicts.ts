// conflicts: while claims are provisioned (and later deleted), another client keeps changing
// their labels and annotations, including the ones the class's pathPattern reads. Every claim
// must still end with exactly one PV and one directory; whatever the pattern read at provision
// time is what the PV records, and delete uses that record.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Scenario } from '../scenario.ts';
import { inWorld } from '../scenario.ts';
import { PROVISIONER_NAME } from '../world.ts';
import { inParallel } from '../kube-rest.ts';
import { deleteAllClaims } from './common.ts';

export const conflicts: Scenario = async (ctx) => {
  const started = Date.now();
  const full = ctx.mode === 'full';
  const claims = full ? 300 : 40;
  const recoveryLimitMs = 30_000;
  const run = await inWorld(ctx, {}, async (world) => {
    await world.api.createClass('faults-pattern', PROVISIONER_NAME, { pathPattern: '${.PVC.namespace}/${.PVC.labels.team}/${.PVC.annotations.owner}-${.PVC.name}', onDelete: 'delete' });
    await world.api.createClass('faults-pattern-archive', PROVISIONER_NAME, { pathPattern: '${.PVC.labels.team}-${.PVC.name}', archiveOnDelete: 'true' });
    await world.api.createNamespace('conflicts');
    const p = await world.provisioner();
    await p.waitReady(recoveryLimitMs);
    const names = Array.from({ length: claims }, (_, i) => `c-${i}`);
    let stop = false;
    let patches = 0;
    const meddle = async (): Promise<void> => {
      while (!stop) {
        const name = ctx.rng.pick(names);
        const team = ctx.rng.pick(['red', 'blue', 'green', 'x'.repeat(63)]);
        await world.api.patchClaim('conflicts', name, {
          metadata: {
            labels: { team, churn: String(ctx.rng.int(0, 1e6)) },
            annotations: { owner: ctx.rng.pick(['alice', 'bob', '../eve', 'carol/dave']), 'example.com/touched': String(Date.now()) },
          },
        });
        patches++;
        await sleep(ctx.rng.int(0, 5));
      }
    };
    const meddlers = [meddle(), meddle()];
    ctx.log(`conflicts: ${claims} claims, labels/annotations patched meanwhile`);
    await inParallel(names, 16, async (name, i) => {
      await world.createClaim({ namespace: 'conflicts', name, className: i % 2 === 0 ? 'faults-pattern' : 'faults-pattern-archive', labels: { team: 'red' }, annotations: { owner: 'alice' } });
    });
    await world.waitAllBound(full ? 120_000 : 60_000);
    await world.markBoundVolumes();
    await world.checkpoint('all Bound', recoveryLimitMs);
    await deleteAllClaims(world);
    await world.waitReclaimed(full ? 120_000 : 60_000);
    stop = true;
    await Promise.all(meddlers);
    world.notes.push(`${patches} patches by another client`);
    if (!world.processes.has(p)) world.violation('the provisioner exited');
    return { claims, recoveryLimitMs };
  });
  return { runs: 1, claims: run.claims, report: run.report, notes: run.notes, durationMs: Date.now() - started };
};
