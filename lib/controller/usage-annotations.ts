// The usage shown on the PV itself, so `kubectl get pv -o custom-columns=...` shows it without
// Prometheus. Its API cost is bounded: a PV is patched only when its usage moved by more than 1 %
// (bytes or files) from what the annotations say, and at most once an hour; the time of the last
// write is an annotation too, so the bound holds across restarts and leader changes. At 10 000
// volumes that is at most 10 000 patches an hour (2.8/s, low priority) if every volume changes by
// more than 1 % every hour, and none for volumes that do not change.
import type { MergePatch } from './patch-api.ts';

export const USED_BYTES_ANNOTATION = 'nfs-provisioner.dev/used-bytes';
export const USED_FILES_ANNOTATION = 'nfs-provisioner.dev/used-files';
export const USAGE_UPDATED_ANNOTATION = 'nfs-provisioner.dev/usage-updated-at';

export interface AnnotationPolicy {
  /** Least time between two writes to one PV (default 1 h). */
  readonly minIntervalMs: number;
  /** Relative change that is worth a write (default 0.01). */
  readonly changeRatio: number;
}

export const DEFAULT_ANNOTATION_POLICY: AnnotationPolicy = { minIntervalMs: 3_600_000, changeRatio: 0.01 };

function readCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/u.test(value)) return undefined;
  return Number(value);
}

function moved(previous: number, current: number, ratio: number): boolean {
  return Math.abs(current - previous) > previous * ratio;
}

/** The merge patch to write, or undefined when the annotations are close enough or recent. */
export function usageAnnotationPatch(
  annotations: Readonly<Record<string, string>> | undefined,
  usage: { readonly bytes: number; readonly files: number },
  now: number,
  policy: AnnotationPolicy = DEFAULT_ANNOTATION_POLICY,
): MergePatch | undefined {
  const bytes = readCount(annotations?.[USED_BYTES_ANNOTATION]);
  const files = readCount(annotations?.[USED_FILES_ANNOTATION]);
  const at = Date.parse(annotations?.[USAGE_UPDATED_ANNOTATION] ?? '');
  const fresh = bytes === undefined || files === undefined || Number.isNaN(at);
  if (!fresh) {
    // A clock set back (at in the future) counts as recent: no burst of writes from a bad clock.
    if (now - at < policy.minIntervalMs) return undefined;
    if (!moved(bytes, usage.bytes, policy.changeRatio) && !moved(files, usage.files, policy.changeRatio)) return undefined;
  }
  return {
    metadata: {
      annotations: {
        [USED_BYTES_ANNOTATION]: String(usage.bytes),
        [USED_FILES_ANNOTATION]: String(usage.files),
        [USAGE_UPDATED_ANNOTATION]: new Date(now).toISOString().replace(/\.\d{3}Z$/u, 'Z'),
      },
    },
  };
}
