// Server-side apply (application/apply-patch+yaml), simplified: the applied configuration is
// merged into the live object with strategic-merge semantics; fields the same manager applied
// before and no longer applies are removed; each manager's set is kept in metadata.managedFields.
// Conflicts between managers are not detected (every apply behaves as with force=true).
import type { JsonObject, KubeObject } from '../json.ts';
import { isObject } from '../json.ts';
import { fieldSetOf, removeDropped } from './field-set.ts';
import type { FieldSet } from './field-set.ts';
import type { PatchMeta } from './patch-meta.ts';
import { strategicMerge } from './strategic-merge-patch.ts';

export interface ApplyInput {
  live: KubeObject | undefined;
  applied: JsonObject;
  manager: string;
  meta: PatchMeta;
  time: string;
  apiVersion: string;
}

function managerEntry(m: ApplyInput, set: FieldSet): JsonObject {
  return { manager: m.manager, operation: 'Apply', apiVersion: m.apiVersion, time: m.time, fieldsType: 'FieldsV1', fieldsV1: set };
}

export function serverSideApply(input: ApplyInput): KubeObject {
  const set = fieldSetOf(input.applied, input.meta);
  const entries = (input.live?.metadata.managedFields ?? []).filter((e) => !(e['manager'] === input.manager && e['operation'] === 'Apply'));
  const previous = (input.live?.metadata.managedFields ?? []).find((e) => e['manager'] === input.manager && e['operation'] === 'Apply');
  let merged: JsonObject;
  if (!input.live) merged = structuredClone(input.applied);
  else {
    const base = structuredClone(input.live) as unknown as JsonObject;
    const prevSet = previous?.['fieldsV1'];
    if (isObject(prevSet)) removeDropped(base, prevSet, set, input.meta);
    merged = (strategicMerge(base, input.applied, input.meta) ?? {}) as JsonObject;
  }
  const obj = merged as unknown as KubeObject;
  obj.metadata = { ...(isObject(obj.metadata) ? obj.metadata : {}), managedFields: [...entries, managerEntry(input, set)] };
  return obj;
}
