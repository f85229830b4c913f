// managedFields' FieldsV1 sets ("f:spec": {"f:replicas": {}}, "k:{\"name\":\"x\"}", "v:\"a\""),
// computed from an applied configuration, and removal of fields a manager stopped applying.
import type { Json, JsonObject } from '../json.ts';
import { isObject, jsonEqual } from '../json.ts';
import type { PatchMeta } from './patch-meta.ts';

export type FieldSet = JsonObject;

export function fieldSetOf(value: JsonObject, meta: PatchMeta | undefined): FieldSet {
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    const fm = meta?.fields?.[k];
    if (isObject(v)) out[`f:${k}`] = { '.': {}, ...fieldSetOf(v, fm) };
    else if (Array.isArray(v) && fm?.strategy?.includes('merge')) {
      const items: FieldSet = { '.': {} };
      for (const e of v) {
        if (isObject(e) && fm.mergeKey) items[`k:${JSON.stringify({ [fm.mergeKey]: e[fm.mergeKey] ?? null })}`] = { '.': {}, ...fieldSetOf(e, fm.items) };
        else if (!isObject(e)) items[`v:${JSON.stringify(e)}`] = {};
      }
      out[`f:${k}`] = items;
    } else out[`f:${k}`] = {};
  }
  return out;
}

// Removes from `obj` the fields present in `before` but absent from `after`.
export function removeDropped(obj: JsonObject, before: FieldSet, after: FieldSet, meta: PatchMeta | undefined): void {
  for (const [key, sub] of Object.entries(before)) {
    if (key === '.' || !key.startsWith('f:')) continue;
    const field = key.slice(2);
    const next = after[key];
    if (next === undefined) {
      delete obj[field];
      continue;
    }
    const cur = obj[field];
    if (!isObject(sub) || !isObject(next)) continue;
    if (isObject(cur)) removeDropped(cur, sub, next, meta?.fields?.[field]);
    else if (Array.isArray(cur)) obj[field] = pruneList(cur, sub, next, meta?.fields?.[field]);
  }
}

function pruneList(list: Json[], before: FieldSet, after: FieldSet, meta: PatchMeta | undefined): Json[] {
  const out: Json[] = [];
  for (const e of list) {
    let key: string;
    if (isObject(e) && meta?.mergeKey) key = `k:${JSON.stringify({ [meta.mergeKey]: e[meta.mergeKey] ?? null })}`;
    else if (!isObject(e)) key = `v:${JSON.stringify(e)}`;
    else {
      out.push(e);
      continue;
    }
    const b = before[key];
    const a = after[key];
    if (b !== undefined && a === undefined) continue;
    if (isObject(e) && isObject(b) && isObject(a)) {
      const copy = { ...e };
      removeDropped(copy, b, a, meta?.items);
      out.push(copy);
    } else out.push(e);
  }
  return out.filter((e, i) => out.findIndex((x) => jsonEqual(x, e)) === i);
}
