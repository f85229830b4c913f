// The pure decision about one PersistentVolume: reclaim it (Released, reclaim policy Delete,
// provisioned by us), finish a reclaim that a crash interrupted (deletionTimestamp set and our
// finalizer still there), release our finalizer from a retained volume, or leave it alone.
import type { V1PersistentVolume } from '@kubernetes/client-node';
import { ANN_PROVISIONED_BY, PV_FINALIZER } from './well-known.ts';

export type VolumeDecision =
  | { readonly action: 'ignore'; readonly reason: string }
  /** Reclaim the storage, then delete the PV (unless already deleting), then drop our finalizer. */
  | { readonly action: 'reclaim'; readonly deletePv: boolean }
  /** Only drop our finalizer (the storage is kept: reclaim policy Retain). */
  | { readonly action: 'release-finalizer' };

export function hasOurFinalizer(pv: V1PersistentVolume): boolean {
  return (pv.metadata?.finalizers ?? []).includes(PV_FINALIZER);
}

export function decideVolume(pv: V1PersistentVolume, provisionerName: string): VolumeDecision {
  if (pv.metadata?.annotations?.[ANN_PROVISIONED_BY] !== provisionerName) return { action: 'ignore', reason: 'not provisioned by us' };
  const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Delete';
  const phase = pv.status?.phase;
  const deleting = pv.metadata?.deletionTimestamp !== undefined && pv.metadata.deletionTimestamp !== null;
  if (deleting) {
    if (!hasOurFinalizer(pv)) return { action: 'ignore', reason: 'being deleted, nothing of ours to finish' };
    if (phase === 'Bound') return { action: 'ignore', reason: 'being deleted but still bound (pv-protection holds it)' };
    if (policy === 'Delete') return { action: 'reclaim', deletePv: false };
    return { action: 'release-finalizer' };
  }
  if (phase !== 'Released') return { action: 'ignore', reason: `phase ${phase ?? 'unknown'}` };
  if (policy !== 'Delete') return { action: 'ignore', reason: `reclaim policy ${policy}` };
  return { action: 'reclaim', deletePv: true };
}
