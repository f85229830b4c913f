// The merge-patch writes of expansion and usage reporting; lib/kube/patch-api.ts implements them
// on the REST client, tests use a fake. Everything read still comes from the informer caches.
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';

/** A JSON merge patch (RFC 7386): null removes a field; lists are replaced whole. */
export type MergePatch = { readonly [key: string]: unknown };

export interface PatchApi {
  /**
   * Merge-patches a PV. `lowPriority` sends it behind every normal request at the client's rate
   * limit (usage annotations: never ahead of a PV create).
   */
  patchVolume(name: string, patch: MergePatch, signal: AbortSignal, lowPriority?: boolean): Promise<V1PersistentVolume>;
  /**
   * Merge-patches a claim's status subresource. A `metadata.resourceVersion` in the patch makes it
   * conditional: 409 Conflict when the claim changed since (the caller retries from the cache).
   */
  patchClaimStatus(namespace: string, name: string, patch: MergePatch, signal: AbortSignal): Promise<V1PersistentVolumeClaim>;
}
