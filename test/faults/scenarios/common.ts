// Pieces several scenarios share: the three reclaim classes, claim batches, a kill loop.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProvisionerProcess } from '../../../harness/provisioner-process.ts';
import { inParallel } from '../kube-rest.ts';
import type { ScenarioContext } from '../scenario.ts';
import { PROVISIONER_NAME } from '../world.ts';
import type { ProvisionerOverrides, World } from '../world.ts';

export const CLASSES = [
  { name: 'faults-archive', parameters: { archiveOnDelete: 'true' } },
  { name: 'faults-delete', parameters: { onDelete: 'delete' } },
  { name: 'faults-retain', parameters: { onDelete: 'retain' } },
] as const;

export async function createReclaimClasses(world: World): Promise<void> {
  for (const c of CLASSES) await world.api.createClass(c.name, PROVISIONER_NAME, { ...c.parameters });
}

/** Creates count claims in namespace, spread over the three reclaim classes. */
export async function createClaims(world: World, namespace: string, count: number, prefix = 'claim'): Promise<void> {
  await world.api.createNamespace(namespace);
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await inParallel(names, 16, async (name, i) => {
    const cls = CLASSES[i % CLASSES.length]?.name ?? 'faults-archive';
    const a = await world.createClaim({ namespace, name, className: cls });
    if (a.status !== 201) throw new Error(`creating claim ${namespace}/${name}: HTTP ${a.status}`);
  });
}

export async function deleteAllClaims(world: World): Promise<void> {
  const keys = [...world.created.keys()];
  await inParallel(keys, 16, async (key) => {
    const [ns = '', ...rest] = key.split('/');
    await world.api.deleteClaim(ns, rest.join('/'));
  });
}

/**
 * kill -9 the provisioner `kills` times at random moments, each time starting a new one at once
 * (as a Deployment would). About a third of the kills hit a process that is still starting up;
 * the others come a random while after it became ready. Returns the process running at the end
 * (ready) and the number of kills done.
 */
export async function killLoop(
  ctx: ScenarioContext,
  world: World,
  first: ProvisionerProcess,
  kills: number,
  over: ProvisionerOverrides,
  recoveryLimitMs: number,
  until?: () => boolean,
): Promise<{ process: ProvisionerProcess; kills: number }> {
  let p = first;
  let done = 0;
  let killedAt: number | undefined;
  for (let i = 0; i < kills; i++) {
    if (until?.() === true && i > 0) break;
    const early = ctx.rng.next() < 0.33;
    if (!early) {
      if (killedAt !== undefined) await world.measureRecovery(p, killedAt, recoveryLimitMs);
      else await p.waitReady(recoveryLimitMs);
      killedAt = undefined;
    }
    await sleep(early ? ctx.rng.int(20, 600) : ctx.rng.int(100, 2500));
    p.kill();
    await p.exited;
    done++;
    killedAt ??= Date.now();
    p = await world.provisioner(over);
  }
  if (killedAt !== undefined) await world.measureRecovery(p, killedAt, recoveryLimitMs);
  else await p.waitReady(recoveryLimitMs);
  return { process: p, kills: done };
}
