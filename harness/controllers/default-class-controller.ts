// Retroactive default StorageClass assignment (Kubernetes 1.28+, part of the PV controller there):
// an unbound claim whose spec.storageClassName is unset (nil, not "") and that has no beta class
// annotation gets the default class once one exists. Create-time defaulting is the API server's
// admission. With several defaults, the newest wins (ties: name), as Kubernetes' GetDefaultClass.
import type { V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { Controller, ControllerContext } from './controller-context.ts';
import { claimKeyOf } from './volume-matching.ts';
import { resyncingController } from './resyncing-controller.ts';
import { createWorkQueue } from './work-queue.ts';
import { ANN_BETA_DEFAULT_CLASS, ANN_BETA_STORAGE_CLASS, ANN_DEFAULT_CLASS } from './well-known.ts';

export function isDefaultClass(sc: V1StorageClass): boolean {
  const anns = sc.metadata?.annotations ?? {};
  return anns[ANN_DEFAULT_CLASS] === 'true' || anns[ANN_BETA_DEFAULT_CLASS] === 'true';
}

const createdAt = (sc: V1StorageClass): number => {
  const t = sc.metadata?.creationTimestamp;
  return t === undefined ? 0 : new Date(t).getTime();
};

export function pickDefaultClass(classes: Iterable<V1StorageClass>): V1StorageClass | undefined {
  let best: V1StorageClass | undefined;
  for (const sc of classes) {
    if (!isDefaultClass(sc)) continue;
    if (!best) best = sc;
    else if (createdAt(sc) > createdAt(best)) best = sc;
    else if (createdAt(sc) === createdAt(best) && (sc.metadata?.name ?? '') < (best.metadata?.name ?? '')) best = sc;
  }
  return best;
}

export function needsDefaultClass(claim: V1PersistentVolumeClaim): boolean {
  if (claim.metadata?.deletionTimestamp) return false;
  if (claim.spec?.volumeName) return false;
  if (claim.spec?.storageClassName !== undefined && claim.spec.storageClassName !== null) return false;
  return claim.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] === undefined;
}

export function createDefaultClassController(ctx: ControllerContext): Controller {
  const { informers, log } = ctx;
  const { core } = ctx.clients;

  const sync = async (key: string): Promise<void> => {
    const claim = informers.claims.get(key);
    if (!claim || !needsDefaultClass(claim)) return;
    const sc = pickDefaultClass(informers.classes.list());
    if (!sc?.metadata?.name) return;
    const next = structuredClone(claim);
    next.spec = { ...next.spec, storageClassName: sc.metadata.name };
    const saved = await core.replaceNamespacedPersistentVolumeClaim({ name: claim.metadata?.name ?? '', namespace: claim.metadata?.namespace ?? '', body: next });
    informers.claims.remember(saved);
    log('assigned default storage class', { claim: key, storageClass: sc.metadata.name });
  };

  const queue = createWorkQueue({
    concurrency: 2,
    process: sync,
    onError: (key, err) => log('default class sync failed, will retry', { key, error: err instanceof Error ? err.message : String(err) }),
  });
  const lifecycle = resyncingController('default-storage-class', queue, () => enqueueAll(), ctx.resyncMs);
  const enqueueAll = (): void => {
    for (const c of informers.claims.list()) if (needsDefaultClass(c)) queue.add(claimKeyOf(c));
  };

  informers.claims.on((type, claim) => {
    if (lifecycle.isRunning() && type !== 'deleted' && needsDefaultClass(claim)) queue.add(claimKeyOf(claim));
  });
  informers.classes.on((type, sc) => {
    if (lifecycle.isRunning() && type !== 'deleted' && isDefaultClass(sc)) enqueueAll();
  });
  informers.claims.onSynced(() => lifecycle.isRunning() && enqueueAll());

  return lifecycle.controller;
}
