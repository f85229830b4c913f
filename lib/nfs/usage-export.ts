// The `export` label of a volume's usage series. One export per install for now, so every volume
// is on "default"; the work on several exports replaces this one function with its routing.
import type { V1PersistentVolume } from '@kubernetes/client-node';

export const DEFAULT_EXPORT_NAME = 'default';

export function exportNameOf(_pv: V1PersistentVolume): string {
  return DEFAULT_EXPORT_NAME;
}
