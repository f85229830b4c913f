// The pure decision about one claim, from the claim and what the caches know. It follows the
// claim-selection rules of sig-storage-lib-external-provisioner: the claim's class is the legacy
// `volume.beta.kubernetes.io/storage-class` annotation, else spec.storageClassName; the claim is
// ours when the PV controller assigned it to us (`volume.kubernetes.io/storage-provisioner`, or
// its beta form) and the class names us; WaitForFirstConsumer waits for the selected node.
import type { V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { ProvisionRequest } from './provisioner.ts';
import {
  ANN_BETA_STORAGE_CLASS,
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  pvNameForClaim,
} from './well-known.ts';

export type ClaimDecision =
  /** Not ours, or nothing to do ever (bound, being deleted). */
  | { readonly action: 'ignore'; readonly reason: string }
  /** Ours, but not yet: the informers will bring the change that unblocks it. */
  | { readonly action: 'wait'; readonly reason: string }
  /** Its PV exists already. */
  | { readonly action: 'done'; readonly reason: string }
  /** Ours, and it cannot be served as it is: report, do not retry hot. */
  | { readonly action: 'refuse'; readonly reason: string; readonly storageClass: V1StorageClass }
  | { readonly action: 'provision'; readonly request: ProvisionRequest };

export interface ClaimDecisionInput {
  readonly claim: V1PersistentVolumeClaim;
  readonly provisionerName: string;
  getStorageClass(name: string): V1StorageClass | undefined;
  volumeExists(pvName: string): boolean;
  /** The backend's Provisioner.validate. */
  validate(request: ProvisionRequest): string | undefined;
}

/** The claim's class name as Kubernetes resolves it (beta annotation first), '' when none. */
export function claimClassName(claim: V1PersistentVolumeClaim): string {
  const annotated = claim.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (annotated !== undefined) return annotated;
  return claim.spec?.storageClassName ?? '';
}

export function claimProvisioner(claim: V1PersistentVolumeClaim): string | undefined {
  const annotations = claim.metadata?.annotations ?? {};
  return annotations[ANN_STORAGE_PROVISIONER] ?? annotations[ANN_BETA_STORAGE_PROVISIONER];
}

export function decideClaim(input: ClaimDecisionInput): ClaimDecision {
  const { claim, provisionerName } = input;
  const metadata = claim.metadata ?? {};
  const uid = metadata.uid ?? '';
  if (uid === '' || (metadata.name ?? '') === '' || (metadata.namespace ?? '') === '') {
    return { action: 'ignore', reason: 'claim without uid, name or namespace' };
  }
  if ((claim.spec?.volumeName ?? '') !== '') return { action: 'ignore', reason: 'already bound to a volume' };
  if (metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null) {
    return { action: 'ignore', reason: 'claim is being deleted' };
  }
  const assigned = claimProvisioner(claim);
  if (assigned === undefined) return { action: 'ignore', reason: 'no provisioner assigned to the claim yet' };
  if (assigned !== provisionerName) return { action: 'ignore', reason: `assigned to provisioner "${assigned}"` };
  const className = claimClassName(claim);
  if (className === '') return { action: 'ignore', reason: 'claim has no storage class' };
  const storageClass = input.getStorageClass(className);
  if (storageClass === undefined) return { action: 'wait', reason: `StorageClass "${className}" not found` };
  if (storageClass.provisioner !== provisionerName) {
    return { action: 'ignore', reason: `StorageClass "${className}" belongs to provisioner "${storageClass.provisioner}"` };
  }
  const pvName = pvNameForClaim(uid);
  if (input.volumeExists(pvName)) return { action: 'done', reason: `volume ${pvName} exists` };

  const selectedNode = metadata.annotations?.[ANN_SELECTED_NODE];
  if (storageClass.volumeBindingMode === 'WaitForFirstConsumer' && (selectedNode === undefined || selectedNode === '')) {
    return { action: 'wait', reason: 'waiting for first consumer to be created before binding' };
  }
  const spec = claim.spec ?? {};
  const refuse = (reason: string): ClaimDecision => ({ action: 'refuse', reason, storageClass });
  if (spec.volumeMode === 'Block') return refuse('volumeMode Block is not supported: NFS volumes are file systems');
  if (spec.selector !== undefined && spec.selector !== null) return refuse('claim Selector is not supported');
  const source = spec.dataSourceRef ?? spec.dataSource;
  if (source !== undefined && source !== null) {
    return refuse(`data source ${source.kind}/${source.name} is not supported: only empty volumes can be provisioned`);
  }
  const storage = spec.resources?.requests?.['storage'];
  if (storage === undefined || String(storage).trim() === '') return refuse('claim has no storage request (spec.resources.requests.storage)');

  const request: ProvisionRequest = {
    claim,
    storageClass,
    pvName,
    ...(selectedNode === undefined || selectedNode === '' ? {} : { selectedNode }),
  };
  const problem = input.validate(request);
  if (problem !== undefined) return refuse(problem);
  return { action: 'provision', request };
}
