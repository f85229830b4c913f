// The seam between the generic provisioning controller and a storage backend.
// The controller owns watching, queueing, retries, events, finalizers and building the
// PersistentVolume object; a backend only makes and reclaims storage. controller/ never imports
// a backend: main.ts wires one in.
import type {
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1PersistentVolumeSpec,
  V1StorageClass,
} from '@kubernetes/client-node';

/** One claim to provision, as the controller decided it is ours and may start now. */
export interface ProvisionRequest {
  /** The claim as the informer saw it (metadata.uid, namespace and name are always set). */
  readonly claim: V1PersistentVolumeClaim;
  /** The claim's class (spec.provisioner is ours). Its parameters are the backend's to validate. */
  readonly storageClass: V1StorageClass;
  /** The name the PV will get: `pvc-<claim uid>`. */
  readonly pvName: string;
  /** `volume.kubernetes.io/selected-node`, when the class binds on first consumer. */
  readonly selectedNode?: string;
}

/**
 * What a backend returns for a provisioned claim. The controller builds the PV around it: name,
 * capacity, access modes, volume mode, claimRef, reclaim policy, mount options, class name,
 * `pv.kubernetes.io/provisioned-by` and the finalizer.
 */
export interface ProvisionedVolume {
  /** The volume source fields of the PV spec (for NFS: `{ nfs: { server, path } }`). */
  readonly source: Pick<V1PersistentVolumeSpec, 'nfs'>;
  /** Annotations the backend needs at delete time (for NFS: the directory and the reclaim decision). */
  readonly annotations: Readonly<Record<string, string>>;
}

export interface Provisioner {
  /**
   * Checks that a claim and class can be served at all, without side effects. Returns the reason
   * for refusal (e.g. unknown or bad class parameter, a dataSource it cannot serve), or undefined.
   * The controller reports a refusal as a ProvisioningFailed event and does not retry hot.
   */
  validate(request: ProvisionRequest): string | undefined;

  /**
   * Makes the storage for a claim. Must be idempotent: a retry after a crash or a failed PV create
   * reuses what the first attempt made. Throws the errors of lib/errors.ts.
   */
  provision(request: ProvisionRequest, signal: AbortSignal): Promise<ProvisionedVolume>;

  /**
   * Reclaims the storage of a Released PV that this provisioner made (reclaim policy Delete).
   * Must work from the PV alone (the class may be gone; it is passed when it still exists), treat
   * storage already gone as done, and never touch anything it did not create.
   */
  delete(pv: V1PersistentVolume, storageClass: V1StorageClass | undefined, signal: AbortSignal): Promise<void>;

  /**
   * Where a PV's storage lives, as a '/'-separated location (for NFS: `server:/path`), or undefined
   * when unknown. Two PVs overlap when one's location equals or lies below the other's (a
   * pathPattern without a unique part, or one class nesting inside another's directory); the
   * controller then leaves the storage in place rather than archive or delete data another
   * volume still uses.
   */
  storageLocation(pv: V1PersistentVolume): string | undefined;

  /** Resolves when the backend answers (for NFS: the export responds within its timeout); for /readyz. */
  probe(signal: AbortSignal): Promise<void>;
}
