// PATCH dispatch by Content-Type: JSON patch, merge patch, strategic merge patch.
import type { Json, KubeObject } from '../json.ts';
import { ApiError } from '../status-errors.ts';
import { jsonPatch } from './json-patch.ts';
import { mergePatch } from './merge-patch.ts';
import { patchMetaFor } from './patch-meta.ts';
import { strategicMerge } from './strategic-merge-patch.ts';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

export function applyPatch(contentType: string, current: KubeObject, patch: unknown): KubeObject {
  const doc = current as unknown as Json;
  let out: Json | undefined;
  switch (contentType) {
    case 'application/json-patch+json':
      out = jsonPatch(doc, patch);
      break;
    case 'application/merge-patch+json':
      // Results share untouched subtrees with the stored object; the write path must own its copy.
      out = structuredClone(mergePatch(doc, patch as Json));
      break;
    case 'application/strategic-merge-patch+json':
      out = structuredClone(strategicMerge(doc, patch as Json, patchMetaFor(current.kind)));
      break;
    default:
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
  }
  if (typeof out !== 'object' || out === null || Array.isArray(out)) throw new ApiError(422, 'Invalid', 'the patched object is not an object');
  const obj = out as unknown as KubeObject;
  if (typeof obj.metadata !== 'object' || obj.metadata === null) obj.metadata = {};
  return obj;
}
