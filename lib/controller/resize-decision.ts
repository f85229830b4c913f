// The pure decision about expanding one claim, after the Kubernetes external-resizer's
// (kubernetes-csi/external-resizer, pkg/controller: pvcNeedResize, pvCanBeExpanded,
// expandAndRecover): a Bound claim whose request is larger than its status capacity, bound to a
// PV this provisioner made (the resizer's "CanSupport": for it the PV's CSI driver, for us
// pv.kubernetes.io/provisioned-by) whose claimRef is this claim. kube-controller-manager's
// expand controller only records ExternalExpanding for such a PV (no in-tree plugin expands NFS)
// and leaves the rest to us. Whether the class allows expansion is the API server's to enforce
// (PersistentVolumeClaimResize admission), as for the resizer.
//
// NFS has nothing to grow: the work is recording the size. The steps, each skipped when a crash
// left it done: (1) mark the claim Resizing (condition, allocatedResources,
// allocatedResourceStatuses = ControllerResizeInProgress), (2) raise the PV's spec.capacity, (3)
// set the claim's status.capacity to the PV's and clear the resize conditions and status. Whatever
// step a crash interrupted, the next run finds "request > status capacity" still true and does
// what is left: a PV already as large as the request skips (2).
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1PersistentVolumeClaimCondition } from '@kubernetes/client-node';
import { compareQuantities } from './quantity.ts';
import { ANN_PROVISIONED_BY } from './well-known.ts';

/** The claim condition types the resizer owns (MergeResizeConditionsOfPVC's known set). */
export const RESIZE_CONDITIONS: ReadonlySet<string> = new Set(['Resizing', 'FileSystemResizePending', 'ControllerResizeError', 'NodeResizeError']);
export const CONTROLLER_RESIZE_IN_PROGRESS = 'ControllerResizeInProgress';

export type ResizeDecision =
  | { readonly action: 'none'; readonly reason: string }
  /** Ours, probably, but the PV is not in the cache yet: look again later. */
  | { readonly action: 'wait'; readonly reason: string }
  | {
      readonly action: 'resize';
      readonly pvName: string;
      /** The size to record on the PV and the claim (a quantity string, as the claim or PV spells it). */
      readonly target: string;
      /** Step 1 still to do (a crash did not leave the claim marked for this size). */
      readonly markInProgress: boolean;
      /** Step 2 still to do (the PV is smaller than the request). */
      readonly growVolume: boolean;
    };

/** A quantity as JSON has it (a string; a bare number from some clients). */
export function quantityText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function storageRequest(claim: V1PersistentVolumeClaim): string | undefined {
  return quantityText(claim.spec?.resources?.requests?.['storage']);
}

function statusCapacity(claim: V1PersistentVolumeClaim): string | undefined {
  return quantityText(claim.status?.capacity?.['storage']);
}

/** Cheap first filter for informer events: Bound and asking for more than it has. */
export function claimWantsResize(claim: V1PersistentVolumeClaim): boolean {
  if (claim.status?.phase !== 'Bound' || (claim.spec?.volumeName ?? '') === '') return false;
  return compareQuantities(storageRequest(claim), statusCapacity(claim)) === 1;
}

function hasCondition(conditions: readonly V1PersistentVolumeClaimCondition[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

export function decideResize(claim: V1PersistentVolumeClaim, pv: V1PersistentVolume | undefined, provisionerName: string): ResizeDecision {
  const metadata = claim.metadata ?? {};
  if ((metadata.uid ?? '') === '' || (metadata.name ?? '') === '' || (metadata.namespace ?? '') === '') {
    return { action: 'none', reason: 'claim without uid, name or namespace' };
  }
  if (metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null) return { action: 'none', reason: 'claim is being deleted' };
  if (!claimWantsResize(claim)) return { action: 'none', reason: 'not Bound, or the request is not larger than the capacity' };
  const request = storageRequest(claim) ?? '';
  const pvName = claim.spec?.volumeName ?? '';
  if (pv === undefined) return { action: 'wait', reason: `PV ${pvName} is not in the cache yet` };
  if (pv.metadata?.annotations?.[ANN_PROVISIONED_BY] !== provisionerName) return { action: 'none', reason: `PV ${pvName} was not provisioned by ${provisionerName}` };
  const ref = pv.spec?.claimRef;
  if (ref === undefined || ref.uid !== metadata.uid || ref.namespace !== metadata.namespace || ref.name !== metadata.name) {
    return { action: 'none', reason: `PV ${pvName} is not bound to this claim` };
  }
  const pvSize = quantityText(pv.spec?.capacity?.['storage']);
  // A PV already as large as the request was grown before a crash (or by hand): its size is the
  // volume's, and the claim gets it, as the PV controller gives a claim its PV's size at binding.
  const comparison = compareQuantities(pvSize, request);
  const growVolume = comparison !== 0 && comparison !== 1; // smaller, or no size we can read
  const target = growVolume || pvSize === undefined ? request : pvSize;
  const status = claim.status ?? {};
  const markedForTarget =
    status.allocatedResourceStatuses?.['storage'] === CONTROLLER_RESIZE_IN_PROGRESS &&
    compareQuantities(quantityText(status.allocatedResources?.['storage']), target) === 0 &&
    hasCondition(status.conditions, 'Resizing');
  return { action: 'resize', pvName, target, markInProgress: !markedForTarget, growVolume };
}

/**
 * The claim's conditions without the resize ones, plus `added` (MergeResizeConditionsOfPVC), as
 * plain JSON for a merge patch (which replaces the list whole).
 */
export function withResizeConditions(conditions: readonly { readonly type: string }[] | undefined, added: readonly object[]): object[] {
  return [...(conditions ?? []).filter((c) => !RESIZE_CONDITIONS.has(c.type)), ...added];
}
