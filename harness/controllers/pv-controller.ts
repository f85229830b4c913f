// Stand-in for kube-controller-manager's persistentvolume-controller (pv_controller.go): hands
// claims of external-provisioner classes to their provisioner (storage-provisioner annotations and
// the ExternalProvisioning event), binds claims and volumes (pre-bound volumes, pre-bound claims,
// and static volumes matched by class, size, access modes, volumeMode and selector), keeps the phases
// (Pending / Available / Bound / Released / Failed / Lost), and on claim deletion releases the
// volume, leaving Delete of externally provisioned volumes to their provisioner.
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { isNotFound } from './api-errors.ts';
import type { Controller, ControllerContext } from './controller-context.ts';
import { needsDefaultClass, pickDefaultClass } from './default-class-controller.ts';
import { createEventRecorder } from './event-recorder.ts';
import type { EventTarget } from './event-recorder.ts';
import { resyncingController } from './resyncing-controller.ts';
import { createWorkQueue } from './work-queue.ts';
import {
  claimClassName,
  claimKeyOf,
  findBestMatch,
  isVolumeBoundToClaim,
  volumeMismatchReason,
  volumeModeMismatch,
} from './volume-matching.ts';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  NO_PROVISIONER,
} from './well-known.ts';

export const PV_CONTROLLER_COMPONENT = 'persistentvolume-controller';

export function externalProvisioningMessage(provisioner: string): string {
  return (
    `Waiting for a volume to be created either by the external provisioner '${provisioner}' ` +
    'or manually by the system administrator. If volume creation is delayed, please verify that ' +
    'the provisioner is running and correctly registered.'
  );
}

type ClaimPhase = 'Pending' | 'Bound' | 'Lost';
type VolumePhase = 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';

const claimRefOf = (c: V1PersistentVolumeClaim): EventTarget => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...(c.metadata ? { metadata: c.metadata } : {}) });
const volumeRefOf = (v: V1PersistentVolume): EventTarget => ({ apiVersion: 'v1', kind: 'PersistentVolume', ...(v.metadata ? { metadata: v.metadata } : {}) });

export interface PvControllerOptions {
  workers?: number;
  /**
   * The retroactive default-class stand-in runs too: leave class-less claims to it while a default
   * class exists (Kubernetes does both in one sync), instead of reporting "no storage class".
   */
  defaultClassAssignment?: boolean;
}

export function createPvController(ctx: ControllerContext, opts: PvControllerOptions = {}): Controller {
  const { informers, log } = ctx;
  const { core } = ctx.clients;
  const recorder = createEventRecorder(core, PV_CONTROLLER_COMPONENT);
  // Kubernetes' event correlator folds repeats into a count; here each (object, reason, message) is
  // recorded once per controller run, enough for `kubectl describe` and for tests.
  const emitted = new Set<string>();
  // Static volumes chosen for a claim whose binding is still being written.
  const reserved = new Set<string>();

  const eventOnce = async (target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> => {
    const key = `${target.metadata?.uid ?? ''}|${reason}|${message}`;
    if (emitted.has(key)) return;
    emitted.add(key);
    try {
      await recorder.event(target, type, reason, message);
    } catch (err: unknown) {
      emitted.delete(key);
      throw err;
    }
  };

  // ---- writes (each keeps the written object in the cache, as storeObjectUpdate does) ----

  const updateClaim = async (claim: V1PersistentVolumeClaim): Promise<V1PersistentVolumeClaim> => {
    const name = claim.metadata?.name ?? '';
    const namespace = claim.metadata?.namespace ?? '';
    const saved = await core.replaceNamespacedPersistentVolumeClaim({ name, namespace, body: claim });
    informers.claims.remember(saved);
    return saved;
  };
  const updateClaimStatus = async (claim: V1PersistentVolumeClaim): Promise<V1PersistentVolumeClaim> => {
    const name = claim.metadata?.name ?? '';
    const namespace = claim.metadata?.namespace ?? '';
    const saved = await core.replaceNamespacedPersistentVolumeClaimStatus({ name, namespace, body: claim });
    informers.claims.remember(saved);
    return saved;
  };
  const updateVolume = async (pv: V1PersistentVolume): Promise<V1PersistentVolume> => {
    const saved = await core.replacePersistentVolume({ name: pv.metadata?.name ?? '', body: pv });
    informers.volumes.remember(saved);
    return saved;
  };
  const updateVolumeStatus = async (pv: V1PersistentVolume): Promise<V1PersistentVolume> => {
    const saved = await core.replacePersistentVolumeStatus({ name: pv.metadata?.name ?? '', body: pv });
    informers.volumes.remember(saved);
    return saved;
  };

  const setClaimPhase = async (claim: V1PersistentVolumeClaim, phase: ClaimPhase): Promise<V1PersistentVolumeClaim> => {
    if (claim.status?.phase === phase) return claim;
    const next = structuredClone(claim);
    next.status = { ...next.status, phase };
    return updateClaimStatus(next);
  };
  const setVolumePhase = async (pv: V1PersistentVolume, phase: VolumePhase, message?: string): Promise<V1PersistentVolume> => {
    // An empty message clears it; the server may drop empty strings, so "" and absent are equal.
    if (pv.status?.phase === phase && (message === undefined || (pv.status.message ?? '') === message)) return pv;
    const next = structuredClone(pv);
    const { message: oldMessage, ...rest } = next.status ?? {};
    const keep = message === undefined ? oldMessage : message;
    next.status = { ...rest, phase, ...(keep ? { message: keep } : {}) };
    return updateVolumeStatus(next);
  };

  // ---- binding ----

  const bind = async (pv: V1PersistentVolume, claim: V1PersistentVolumeClaim): Promise<void> => {
    const before = `${pv.metadata?.resourceVersion ?? ''}/${claim.metadata?.resourceVersion ?? ''}`;
    // 1. volume -> claim
    const ref = pv.spec?.claimRef;
    if (!ref || ref.uid !== claim.metadata?.uid || ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace) {
      const next = structuredClone(pv);
      const setByController = !ref || !isVolumeBoundToClaim(pv, claim);
      next.spec = {
        ...next.spec,
        claimRef: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          name: claim.metadata?.name ?? '',
          namespace: claim.metadata?.namespace ?? '',
          ...(claim.metadata?.uid ? { uid: claim.metadata.uid } : {}),
          ...(claim.metadata?.resourceVersion ? { resourceVersion: claim.metadata.resourceVersion } : {}),
        },
      };
      if (setByController) next.metadata = { ...next.metadata, annotations: { ...next.metadata?.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' } };
      pv = await updateVolume(next);
    }
    pv = await setVolumePhase(pv, 'Bound', '');
    // 2. claim -> volume
    const pvName = pv.metadata?.name ?? '';
    const anns = claim.metadata?.annotations ?? {};
    if (claim.spec?.volumeName !== pvName || anns[ANN_BIND_COMPLETED] !== 'yes') {
      const next = structuredClone(claim);
      const annotations: Record<string, string> = { ...next.metadata?.annotations, [ANN_BIND_COMPLETED]: 'yes' };
      if (claim.spec?.volumeName !== pvName) annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      next.metadata = { ...next.metadata, annotations };
      next.spec = { ...next.spec, volumeName: pvName };
      claim = await updateClaim(next);
    }
    // 3. claim status. As kube-controller-manager's updateClaimStatus: the capacity is copied only
    // when the claim becomes Bound, never onto a claim already Bound (after that it is the
    // resizer's to set, and a PV grown before a crash must not finish an expansion for it).
    const accessModes = pv.spec?.accessModes ?? [];
    const st = claim.status;
    const becomingBound = st?.phase !== 'Bound';
    if (becomingBound || JSON.stringify(st.accessModes ?? []) !== JSON.stringify(accessModes)) {
      const next = structuredClone(claim);
      next.status = { ...next.status, phase: 'Bound', accessModes, ...(becomingBound ? { capacity: pv.spec?.capacity ?? {} } : {}) };
      claim = await updateClaimStatus(next);
    }
    if (`${pv.metadata?.resourceVersion ?? ''}/${claim.metadata?.resourceVersion ?? ''}` !== before) log('bound', { claim: claimKeyOf(claim), volume: pvName });
  };

  // ---- claims ----

  const provisionClaim = async (claim: V1PersistentVolumeClaim, className: string, sc: V1StorageClass | undefined): Promise<void> => {
    if (!sc) {
      await eventOnce(claimRefOf(claim), 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    const provisioner = sc.provisioner;
    if (provisioner === NO_PROVISIONER) {
      await eventOnce(claimRefOf(claim), 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class provisioner is set');
      return;
    }
    const anns = claim.metadata?.annotations ?? {};
    if (anns[ANN_STORAGE_PROVISIONER] !== provisioner || anns[ANN_BETA_STORAGE_PROVISIONER] !== provisioner) {
      const next = structuredClone(claim);
      next.metadata = { ...next.metadata, annotations: { ...anns, [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner } };
      claim = await updateClaim(next);
    }
    await eventOnce(claimRefOf(claim), 'Normal', 'ExternalProvisioning', externalProvisioningMessage(provisioner));
  };

  const syncUnboundClaim = async (claim: V1PersistentVolumeClaim): Promise<void> => {
    const className = claimClassName(claim);
    const sc = className ? informers.classes.get(className) : undefined;
    const selectedNode = claim.metadata?.annotations?.[ANN_SELECTED_NODE];
    const delayBinding = !selectedNode && sc?.volumeBindingMode === 'WaitForFirstConsumer';
    const volumeName = claim.spec?.volumeName;
    if (opts.defaultClassAssignment && needsDefaultClass(claim) && pickDefaultClass(informers.classes.list())) return;
    if (!volumeName) {
      const pv = findBestMatch(claim, informers.volumes.list(), { delayBinding, reserved });
      if (!pv) {
        if (claim.status?.phase !== 'Pending') claim = await setClaimPhase(claim, 'Pending');
        if (delayBinding) {
          await eventOnce(claimRefOf(claim), 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
        } else if (className !== '') {
          // A claim being deleted is not handed to a provisioner any more.
          if (!claim.metadata?.deletionTimestamp) await provisionClaim(claim, className, sc);
        } else {
          await eventOnce(claimRefOf(claim), 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
        }
        return;
      }
      const pvName = pv.metadata?.name ?? '';
      reserved.add(pvName);
      try {
        await bind(pv, claim);
      } finally {
        reserved.delete(pvName);
      }
      return;
    }
    // The user asked for a particular volume.
    const pv = informers.volumes.get(volumeName);
    if (!pv) {
      if (claim.status?.phase !== 'Pending') claim = await setClaimPhase(claim, 'Pending');
      await eventOnce(claimRefOf(claim), 'Normal', 'FailedBinding', `volume "${volumeName}" not found`);
      return;
    }
    if (!pv.spec?.claimRef) {
      const reason = volumeMismatchReason(claim, pv);
      if (reason) {
        if (claim.status?.phase !== 'Pending') claim = await setClaimPhase(claim, 'Pending');
        await eventOnce(claimRefOf(claim), 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${reason}`);
        return;
      }
      await bind(pv, claim);
      return;
    }
    if (isVolumeBoundToClaim(pv, claim)) {
      await bind(pv, claim);
      return;
    }
    if (claim.status?.phase !== 'Pending') claim = await setClaimPhase(claim, 'Pending');
    await eventOnce(claimRefOf(claim), 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
  };

  const volumeExistsLive = async (name: string): Promise<V1PersistentVolume | undefined> => {
    try {
      return await core.readPersistentVolume({ name });
    } catch (err: unknown) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };

  const syncBoundClaim = async (claim: V1PersistentVolumeClaim): Promise<void> => {
    const volumeName = claim.spec?.volumeName;
    if (!volumeName) {
      claim = await setClaimPhase(claim, 'Lost');
      await eventOnce(claimRefOf(claim), 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      return;
    }
    // The cache can lag (or be fresh after a relist); ask the server before declaring data lost.
    const pv = informers.volumes.get(volumeName) ?? (await volumeExistsLive(volumeName));
    if (!pv) {
      claim = await setClaimPhase(claim, 'Lost');
      await eventOnce(claimRefOf(claim), 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      return;
    }
    const ref = pv.spec?.claimRef;
    if (!ref || ref.uid === claim.metadata?.uid) {
      await bind(pv, claim);
      return;
    }
    claim = await setClaimPhase(claim, 'Lost');
    await eventOnce(claimRefOf(claim), 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
  };

  const syncClaim = async (key: string): Promise<void> => {
    const claim = informers.claims.get(key);
    if (!claim) return;
    if (claim.metadata?.annotations?.[ANN_BIND_COMPLETED] === undefined) await syncUnboundClaim(claim);
    else await syncBoundClaim(claim);
  };

  // ---- volumes ----

  const claimLive = async (namespace: string, name: string): Promise<V1PersistentVolumeClaim | undefined> => {
    try {
      return await core.readNamespacedPersistentVolumeClaim({ name, namespace });
    } catch (err: unknown) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };

  const reclaimVolume = async (pv: V1PersistentVolume): Promise<void> => {
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain') return;
    if (policy === 'Delete') {
      // Provisioned by an external provisioner: deleting the volume is that provisioner's job.
      if (pv.metadata?.annotations?.[ANN_PROVISIONED_BY]) return;
      const message = `error getting deleter volume plugin for volume "${pv.metadata?.name ?? ''}": no deletable volume plugin matched`;
      pv = await setVolumePhase(pv, 'Failed', message);
      await eventOnce(volumeRefOf(pv), 'Warning', 'VolumeFailedDelete', message);
      return;
    }
    const message = `recycling of volume "${pv.metadata?.name ?? ''}" is not supported by the harness (Recycle is deprecated)`;
    pv = await setVolumePhase(pv, 'Failed', message);
    await eventOnce(volumeRefOf(pv), 'Warning', 'VolumeFailedRecycle', message);
  };

  const unbindVolume = async (pv: V1PersistentVolume): Promise<void> => {
    const next = structuredClone(pv);
    if (next.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER] !== undefined) {
      const { [ANN_BOUND_BY_CONTROLLER]: _gone, ...annotations } = next.metadata.annotations;
      next.metadata = { ...next.metadata, annotations };
      if (next.spec) delete next.spec.claimRef;
    } else if (next.spec?.claimRef) {
      // Pre-bound by the user: keep the pointer, forget the uid.
      delete next.spec.claimRef.uid;
    }
    const saved = await updateVolume(next);
    await setVolumePhase(saved, 'Available', '');
  };

  const syncVolume = async (name: string): Promise<void> => {
    let pv = informers.volumes.get(name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    if (!ref) {
      if (pv.status?.phase !== 'Available') pv = await setVolumePhase(pv, 'Available', '');
      return;
    }
    const claimKey = `${ref.namespace ?? ''}/${ref.name ?? ''}`;
    if (!ref.uid) {
      // Pre-bound to a claim that has not been bound yet: the claim's sync finishes it.
      if (pv.status?.phase !== 'Available') await setVolumePhase(pv, 'Available', '');
      queue.add(`claim:${claimKey}`);
      return;
    }
    let claim = informers.claims.get(claimKey);
    if (!claim) claim = await claimLive(ref.namespace ?? '', ref.name ?? '');
    if (claim && claim.metadata?.uid !== ref.uid) claim = undefined; // a new claim of the same name
    if (!claim) {
      if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') pv = await setVolumePhase(pv, 'Released', '');
      await reclaimVolume(pv);
      return;
    }
    if (!claim.spec?.volumeName) {
      if (volumeModeMismatch(claim, pv)) {
        await eventOnce(volumeRefOf(pv), 'Warning', 'VolumeMismatch', 'Cannot bind PersistentVolume to requested PersistentVolumeClaim due to incompatible volumeMode.');
        return;
      }
      queue.add(`claim:${claimKey}`);
      return;
    }
    if (claim.spec.volumeName === name) {
      if (pv.status?.phase !== 'Bound') await setVolumePhase(pv, 'Bound', '');
      return;
    }
    // The claim is bound to another volume.
    if (pv.metadata?.annotations?.[ANN_PROVISIONED_BY] && pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
      if (pv.status?.phase !== 'Released' && pv.status?.phase !== 'Failed') pv = await setVolumePhase(pv, 'Released', '');
      await reclaimVolume(pv);
      return;
    }
    await unbindVolume(pv);
  };

  const queue = createWorkQueue({
    concurrency: opts.workers ?? 4,
    process: async (key) => {
      if (key.startsWith('claim:')) await syncClaim(key.slice('claim:'.length));
      else if (key.startsWith('volume:')) await syncVolume(key.slice('volume:'.length));
    },
    onError: (key, err) => log('sync failed, will retry', { key, error: err instanceof Error ? err.message : String(err) }),
  });
  const lifecycle = resyncingController('persistentvolume-binder', queue, () => resync(), ctx.resyncMs);

  const enqueueUnboundClaims = (filter: (c: V1PersistentVolumeClaim) => boolean = () => true): void => {
    for (const c of informers.claims.list()) {
      if (c.metadata?.annotations?.[ANN_BIND_COMPLETED] === undefined && filter(c)) queue.add(`claim:${claimKeyOf(c)}`);
    }
  };
  const resync = (): void => {
    for (const c of informers.claims.list()) queue.add(`claim:${claimKeyOf(c)}`);
    for (const v of informers.volumes.list()) queue.add(`volume:${v.metadata?.name ?? ''}`);
  };

  informers.claims.on((type, claim) => {
    if (!lifecycle.isRunning()) return;
    if (type === 'deleted') {
      const uid = claim.metadata?.uid ?? '';
      for (const k of [...emitted]) if (k.startsWith(`${uid}|`)) emitted.delete(k);
      if (claim.spec?.volumeName) queue.add(`volume:${claim.spec.volumeName}`);
      return;
    }
    queue.add(`claim:${claimKeyOf(claim)}`);
  });
  informers.volumes.on((type, pv) => {
    if (!lifecycle.isRunning()) return;
    const ref = pv.spec?.claimRef;
    if (ref) queue.add(`claim:${ref.namespace ?? ''}/${ref.name ?? ''}`);
    if (type === 'deleted') return;
    queue.add(`volume:${pv.metadata?.name ?? ''}`);
    // Kubernetes finds waiting claims on its 15 s resync; a new Available volume is offered at once.
    if (!ref && pv.status?.phase === 'Available') enqueueUnboundClaims((c) => !c.spec?.volumeName);
  });
  informers.classes.on((type, sc) => {
    if (!lifecycle.isRunning() || type === 'deleted') return;
    enqueueUnboundClaims((c) => claimClassName(c) === sc.metadata?.name);
  });
  informers.claims.onSynced(() => lifecycle.isRunning() && resync());
  informers.volumes.onSynced(() => lifecycle.isRunning() && resync());

  return lifecycle.controller;
}
