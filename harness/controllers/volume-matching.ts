// Pure helpers of the PV binder, after Kubernetes' pv_controller and component-helpers/storage/volume:
// the class of a claim or volume (beta annotation first), "is this volume bound to this claim", and
// the choice of the best existing volume for a claim.
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { selectorMatches } from './label-selector.ts';
import { parseQuantity } from './quantity.ts';
import { ANN_BETA_STORAGE_CLASS } from './well-known.ts';

/** The claim's class name: the beta annotation wins, then spec.storageClassName, else "". */
export function claimClassName(claim: V1PersistentVolumeClaim): string {
  const beta = claim.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (beta !== undefined) return beta;
  return claim.spec?.storageClassName ?? '';
}

export function volumeClassName(pv: V1PersistentVolume): string {
  const beta = pv.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (beta !== undefined) return beta;
  return pv.spec?.storageClassName ?? '';
}

export function claimKeyOf(claim: V1PersistentVolumeClaim): string {
  return `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`;
}

/** A volume's claimRef names this claim and its uid is this claim's or empty (pre-bound by a user). */
export function isVolumeBoundToClaim(pv: V1PersistentVolume, claim: V1PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata?.name || (ref.namespace ?? '') !== (claim.metadata?.namespace ?? '')) return false;
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

export function volumeModeMismatch(claim: V1PersistentVolumeClaim, pv: V1PersistentVolume): boolean {
  return (claim.spec?.volumeMode ?? 'Filesystem') !== (pv.spec?.volumeMode ?? 'Filesystem');
}

/** The volume offers every access mode the claim asks for. */
export function accessModesSatisfied(claim: V1PersistentVolumeClaim, pv: V1PersistentVolume): boolean {
  const offered = pv.spec?.accessModes ?? [];
  return (claim.spec?.accessModes ?? []).every((m) => offered.includes(m));
}

export function requestedBytes(claim: V1PersistentVolumeClaim): number {
  return parseQuantity(claim.spec?.resources?.requests?.['storage']) ?? 0;
}

export function capacityBytes(pv: V1PersistentVolume): number {
  return parseQuantity(pv.spec?.capacity?.['storage']) ?? 0;
}

/** Why a volume named by claim.spec.volumeName cannot serve the claim, or undefined when it can. */
export function volumeMismatchReason(claim: V1PersistentVolumeClaim, pv: V1PersistentVolume): string | undefined {
  if (capacityBytes(pv) < requestedBytes(claim)) return 'requested PV is too small';
  if (volumeClassName(pv) !== claimClassName(claim)) return 'storageClassName does not match';
  if (volumeModeMismatch(claim, pv)) return 'incompatible volumeMode';
  if (!accessModesSatisfied(claim, pv)) return 'incompatible accessMode';
  return undefined;
}

export interface MatchOptions {
  /** WaitForFirstConsumer without a selected node: only a volume pre-bound to the claim may match. */
  delayBinding: boolean;
  /** Volumes another claim of this binder is binding right now. */
  reserved?: ReadonlySet<string>;
}

/**
 * The volume to bind an unbound claim to (FindMatchingVolume): a volume pre-bound to the claim if one
 * fits; otherwise an Available, unclaimed volume of the claim's class whose labels match the claim's
 * selector, with every requested access mode, the same volumeMode, and at least the requested size;
 * among those the one with the fewest access modes, then the smallest.
 */
export function findBestMatch(
  claim: V1PersistentVolumeClaim,
  volumes: Iterable<V1PersistentVolume>,
  opts: MatchOptions,
): V1PersistentVolume | undefined {
  const requested = requestedBytes(claim);
  const className = claimClassName(claim);
  let best: V1PersistentVolume | undefined;
  for (const pv of volumes) {
    // Cheap rejections first (most volumes are bound to other claims); the outcome is the same as
    // Kubernetes' order: such a volume is skipped by its claimRef check there too.
    const ref = pv.spec?.claimRef;
    if (ref ? !isVolumeBoundToClaim(pv, claim) : opts.delayBinding || pv.status?.phase !== 'Available') continue;
    if (capacityBytes(pv) < requested) continue;
    if (volumeModeMismatch(claim, pv)) continue;
    if (pv.metadata?.deletionTimestamp) continue;
    if (!accessModesSatisfied(claim, pv)) continue;
    if (ref) return pv; // pre-bound to this claim (the first check let no other claimRef through)
    // From here: Available volumes without a claimRef, and binding is not delayed.
    if (opts.reserved?.has(pv.metadata?.name ?? '')) continue;
    if (!selectorMatches(claim.spec?.selector, pv.metadata?.labels)) continue;
    if (volumeClassName(pv) !== className) continue;
    if (!best || isBetter(pv, best)) best = pv;
  }
  return best;
}

function isBetter(a: V1PersistentVolume, b: V1PersistentVolume): boolean {
  const am = a.spec?.accessModes?.length ?? 0;
  const bm = b.spec?.accessModes?.length ?? 0;
  if (am !== bm) return am < bm;
  const ac = capacityBytes(a);
  const bc = capacityBytes(b);
  if (ac !== bc) return ac < bc;
  // Deterministic among equals.
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '');
}
