// Stand-in for the StatefulSet controller's storage half: for every StatefulSet it creates the
// claims of spec.volumeClaimTemplates for ordinals 0..replicas-1, named
// <template>-<set>-<ordinal>, in the set's namespace, with the template's labels plus the set's
// selector.matchLabels (as Kubernetes' getPersistentVolumeClaims). Claims are never deleted on
// scale-down (the default Retain retention policy) and carry no owner reference.
//
// No Pods are created: nothing here could run them, and a Pod object without a kubelet would sit
// Pending forever and only mislead. Status therefore reports storage readiness: replicas is the
// desired count, readyReplicas/availableReplicas count ordinals whose claims are all Bound (a real
// Pod could not start before that).
import type { V1PersistentVolumeClaim, V1StatefulSet, V1StatefulSetStatus } from '@kubernetes/client-node';
import { isAlreadyExists } from './api-errors.ts';
import type { Controller, ControllerContext } from './controller-context.ts';
import { objectKey } from './reflector.ts';
import { resyncingController } from './resyncing-controller.ts';
import { createWorkQueue } from './work-queue.ts';

export function statefulSetClaimName(templateName: string, setName: string, ordinal: number): string {
  return `${templateName}-${setName}-${ordinal}`;
}

/** The claims a StatefulSet's ordinals need, as Kubernetes builds them from the templates. */
export function claimsForStatefulSet(set: V1StatefulSet): V1PersistentVolumeClaim[] {
  const replicas = set.spec?.replicas ?? 1;
  const setName = set.metadata?.name ?? '';
  const namespace = set.metadata?.namespace ?? 'default';
  const claims: V1PersistentVolumeClaim[] = [];
  for (let ordinal = 0; ordinal < replicas; ordinal++) {
    for (const tmpl of set.spec?.volumeClaimTemplates ?? []) {
      const labels = { ...tmpl.metadata?.labels, ...set.spec?.selector?.matchLabels };
      claims.push({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: statefulSetClaimName(tmpl.metadata?.name ?? '', setName, ordinal),
          namespace,
          ...(Object.keys(labels).length > 0 ? { labels } : {}),
          ...(tmpl.metadata?.annotations ? { annotations: { ...tmpl.metadata.annotations } } : {}),
        },
        spec: structuredClone(tmpl.spec ?? {}),
      });
    }
  }
  return claims;
}

export function createStatefulSetController(ctx: ControllerContext): Controller {
  const { informers, log } = ctx;
  const { core, apps } = ctx.clients;

  const sync = async (key: string): Promise<void> => {
    const set = informers.statefulSets.get(key);
    if (!set || set.metadata?.deletionTimestamp) return;
    const namespace = set.metadata?.namespace ?? 'default';
    const wanted = claimsForStatefulSet(set);
    for (const claim of wanted) {
      const name = claim.metadata?.name ?? '';
      if (informers.claims.get(`${namespace}/${name}`)) continue;
      try {
        const saved = await core.createNamespacedPersistentVolumeClaim({ namespace, body: claim });
        log('created claim for statefulset', { statefulSet: key, claim: name });
        informers.claims.remember(saved);
      } catch (err: unknown) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    const replicas = set.spec?.replicas ?? 1;
    const templates = set.spec?.volumeClaimTemplates ?? [];
    let ready = 0;
    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      const allBound = templates.every(
        (t) => informers.claims.get(`${namespace}/${statefulSetClaimName(t.metadata?.name ?? '', set.metadata?.name ?? '', ordinal)}`)?.status?.phase === 'Bound',
      );
      if (allBound) ready++;
    }
    const status: V1StatefulSetStatus = {
      ...set.status,
      replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: replicas,
      updatedReplicas: replicas,
      ...(set.metadata?.generation !== undefined ? { observedGeneration: set.metadata.generation } : {}),
    };
    const old = set.status ?? { replicas: 0 };
    const same = (['replicas', 'readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas', 'observedGeneration'] as const).every(
      (k) => old[k] === status[k],
    );
    if (same) return;
    const next = structuredClone(set);
    next.status = status;
    const saved = await apps.replaceNamespacedStatefulSetStatus({ name: set.metadata?.name ?? '', namespace, body: next });
    informers.statefulSets.remember(saved);
  };

  const queue = createWorkQueue({
    concurrency: 2,
    process: sync,
    onError: (key, err) => log('statefulset sync failed, will retry', { key, error: err instanceof Error ? err.message : String(err) }),
  });
  const lifecycle = resyncingController('statefulset', queue, () => resync(), ctx.resyncMs);
  const resync = (): void => {
    for (const s of informers.statefulSets.list()) queue.add(objectKey(s));
  };

  informers.statefulSets.on((type, set) => {
    if (lifecycle.isRunning() && type !== 'deleted') queue.add(objectKey(set));
  });
  // A claim that changes phase (or disappears) changes its set's readiness, or must be re-created.
  informers.claims.on((_type, claim) => {
    if (!lifecycle.isRunning()) return;
    const namespace = claim.metadata?.namespace ?? '';
    const name = claim.metadata?.name ?? '';
    for (const s of informers.statefulSets.list()) {
      if (s.metadata?.namespace !== namespace) continue;
      const owns = (s.spec?.volumeClaimTemplates ?? []).some((t) => {
        const prefix = `${t.metadata?.name ?? ''}-${s.metadata?.name ?? ''}-`;
        return name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length));
      });
      if (owns) queue.add(objectKey(s));
    }
  });
  informers.statefulSets.onSynced(() => lifecycle.isRunning() && resync());

  return lifecycle.controller;
}
