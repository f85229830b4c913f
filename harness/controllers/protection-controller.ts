// Stand-in for kube-controller-manager's pvc-protection and pv-protection controllers: adds the
// kubernetes.io/pvc-protection / kubernetes.io/pv-protection finalizer to live objects that lack it
// (the API server's admission normally adds it at create time), and removes it from an object being
// deleted once nothing uses it: a claim no non-terminated Pod in its namespace mounts (checked
// against the server, not only the cache, as Kubernetes does), a volume that is not Bound.
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import type { Controller, ControllerContext } from './controller-context.ts';
import { claimKeyOf } from './volume-matching.ts';
import { resyncingController } from './resyncing-controller.ts';
import { createWorkQueue } from './work-queue.ts';
import { FINALIZER_PVC_PROTECTION, FINALIZER_PV_PROTECTION } from './well-known.ts';

/** Claims a Pod needs: persistentVolumeClaim volumes, and generic ephemeral volumes (<pod>-<volume>). */
export function claimsUsedByPod(pod: V1Pod): string[] {
  const names: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) names.push(v.persistentVolumeClaim.claimName);
    if (v.ephemeral) names.push(`${pod.metadata?.name ?? ''}-${v.name}`);
  }
  return names;
}

const isTerminated = (pod: V1Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export function podUsesClaim(pod: V1Pod, claimName: string): boolean {
  return !isTerminated(pod) && claimsUsedByPod(pod).includes(claimName);
}

export function createProtectionController(ctx: ControllerContext): Controller {
  const { informers, log } = ctx;
  const { core } = ctx.clients;

  const withFinalizers = <T extends V1PersistentVolumeClaim | V1PersistentVolume>(obj: T, finalizers: string[]): T => {
    const next = structuredClone(obj);
    next.metadata = { ...next.metadata, finalizers };
    return next;
  };

  const syncClaim = async (key: string): Promise<void> => {
    const claim = informers.claims.get(key);
    if (!claim) return;
    const name = claim.metadata?.name ?? '';
    const namespace = claim.metadata?.namespace ?? '';
    const finalizers = claim.metadata?.finalizers ?? [];
    const has = finalizers.includes(FINALIZER_PVC_PROTECTION);
    if (!claim.metadata?.deletionTimestamp) {
      if (has) return;
      const saved = await core.replaceNamespacedPersistentVolumeClaim({ name, namespace, body: withFinalizers(claim, [...finalizers, FINALIZER_PVC_PROTECTION]) });
      informers.claims.remember(saved);
      return;
    }
    if (!has) return;
    // The cache may not have seen a Pod created a moment ago: ask the server.
    const pods = await core.listNamespacedPod({ namespace });
    const user = pods.items.find((p) => podUsesClaim(p, name));
    if (user) {
      log('claim still in use, keeping pvc-protection', { claim: key, pod: user.metadata?.name });
      return;
    }
    const saved = await core.replaceNamespacedPersistentVolumeClaim({ name, namespace, body: withFinalizers(claim, finalizers.filter((f) => f !== FINALIZER_PVC_PROTECTION)) });
    informers.claims.remember(saved);
    log('removed pvc-protection', { claim: key });
  };

  const syncVolume = async (name: string): Promise<void> => {
    const pv = informers.volumes.get(name);
    if (!pv) return;
    const finalizers = pv.metadata?.finalizers ?? [];
    const has = finalizers.includes(FINALIZER_PV_PROTECTION);
    if (!pv.metadata?.deletionTimestamp) {
      if (has) return;
      const saved = await core.replacePersistentVolume({ name, body: withFinalizers(pv, [...finalizers, FINALIZER_PV_PROTECTION]) });
      informers.volumes.remember(saved);
      return;
    }
    if (!has || pv.status?.phase === 'Bound') return;
    const saved = await core.replacePersistentVolume({ name, body: withFinalizers(pv, finalizers.filter((f) => f !== FINALIZER_PV_PROTECTION)) });
    informers.volumes.remember(saved);
    log('removed pv-protection', { volume: name });
  };

  const queue = createWorkQueue({
    concurrency: 4,
    process: async (key) => {
      if (key.startsWith('claim:')) await syncClaim(key.slice('claim:'.length));
      else if (key.startsWith('volume:')) await syncVolume(key.slice('volume:'.length));
    },
    onError: (key, err) => log('protection sync failed, will retry', { key, error: err instanceof Error ? err.message : String(err) }),
  });
  const lifecycle = resyncingController('pvc-pv-protection', queue, () => resync(), ctx.resyncMs);

  const resync = (): void => {
    for (const c of informers.claims.list()) queue.add(`claim:${claimKeyOf(c)}`);
    for (const v of informers.volumes.list()) queue.add(`volume:${v.metadata?.name ?? ''}`);
  };

  informers.claims.on((type, claim) => {
    if (lifecycle.isRunning() && type !== 'deleted') queue.add(`claim:${claimKeyOf(claim)}`);
  });
  informers.volumes.on((type, pv) => {
    if (lifecycle.isRunning() && type !== 'deleted') queue.add(`volume:${pv.metadata?.name ?? ''}`);
  });
  // A Pod that stops using a claim (deleted, or terminated) may let a deleting claim go.
  informers.pods.on((_type, pod, old) => {
    if (!lifecycle.isRunning()) return;
    const namespace = pod.metadata?.namespace ?? '';
    for (const name of new Set([...claimsUsedByPod(pod), ...(old ? claimsUsedByPod(old) : [])])) queue.add(`claim:${namespace}/${name}`);
  });
  informers.claims.onSynced(() => lifecycle.isRunning() && resync());

  return lifecycle.controller;
}
