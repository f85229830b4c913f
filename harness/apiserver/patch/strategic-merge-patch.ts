// Strategic merge patch as apimachinery's strategicpatch applies it: maps merge, lists merge by
// their merge key when the schema says so (else replace), primitive merge lists are sets, and the
// directives $patch (replace/delete/merge), $retainKeys, $deleteFromPrimitiveList/<field> and
// $setElementOrder/<field>.
import type { Json, JsonObject } from '../json.ts';
import { isObject, jsonEqual } from '../json.ts';
import { badRequest } from '../status-errors.ts';
import type { PatchMeta } from './patch-meta.ts';

const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ORDER = '$setElementOrder/';

// Removes directives from a value that is inserted as is.
function clean(v: Json): Json {
  if (Array.isArray(v)) return v.filter((e) => !(isObject(e) && e['$patch'] === 'delete')).map(clean);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = clean(x);
  return out;
}

export function strategicMerge(original: Json | undefined, patch: Json, meta: PatchMeta | undefined): Json | undefined {
  if (!isObject(patch)) return structuredClone(patch);
  return mergeMap(isObject(original) ? original : {}, patch, meta);
}

function mergeMap(original: JsonObject, patch: JsonObject, meta: PatchMeta | undefined): JsonObject | undefined {
  const directive = patch['$patch'];
  if (directive === 'replace') return clean(patch) as JsonObject;
  if (directive === 'delete') return undefined;
  if (directive !== undefined && directive !== 'merge') throw badRequest(`unknown patch type: ${JSON.stringify(directive)}`);
  const out: JsonObject = { ...original };
  const retain = patch['$retainKeys'];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw badRequest('invalid patch: $retainKeys must be a list');
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  const orders: [string, Json[]][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(value)) out[field] = cur.filter((x) => !value.some((d) => jsonEqual(d, x)));
      continue;
    }
    if (key.startsWith(SET_ORDER)) {
      if (Array.isArray(value)) orders.push([key.slice(SET_ORDER.length), value]);
      continue;
    }
    if (key.startsWith('$')) continue;
    const fieldMeta = meta?.fields?.[key];
    if (value === null) {
      delete out[key];
    } else if (isObject(value)) {
      const merged = mergeMap(isObject(out[key]) ? out[key] : {}, value, fieldMeta);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else if (Array.isArray(value)) {
      out[key] = mergeList(Array.isArray(out[key]) ? out[key] : [], value, fieldMeta);
    } else out[key] = value;
  }
  for (const [field, order] of orders) {
    const cur = out[field];
    if (Array.isArray(cur)) out[field] = applyOrder(cur, order, meta?.fields?.[field]?.mergeKey);
  }
  return out;
}

function mergeList(original: Json[], patch: Json[], meta: PatchMeta | undefined): Json[] {
  if (!meta?.strategy?.includes('merge')) return clean(patch) as Json[];
  const replace = patch.find((e) => isObject(e) && e['$patch'] === 'replace');
  if (replace !== undefined) return clean(patch.filter((e) => e !== replace)) as Json[];
  if (patch.every((e) => !isObject(e))) {
    // A set of primitives (finalizers): union, original order first.
    const out = [...original];
    for (const e of patch) if (!out.some((x) => jsonEqual(x, e))) out.push(e);
    return out;
  }
  const key = meta.mergeKey;
  if (!key) return clean(patch) as Json[];
  const out: Json[] = [...original];
  for (const e of patch) {
    if (!isObject(e)) throw badRequest(`invalid patch: list element ${JSON.stringify(e)} is not an object`);
    if (!Object.hasOwn(e, key)) throw badRequest(`map: ${JSON.stringify(e)} does not contain declared merge key: ${key}`);
    const idx = out.findIndex((x) => isObject(x) && jsonEqual(x[key], e[key]));
    if (e['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      const merged = mergeMap(out[idx] as JsonObject, e, meta.items);
      if (merged === undefined) out.splice(idx, 1);
      else out[idx] = merged;
    } else out.push(clean(e));
  }
  return out;
}

// $setElementOrder: listed elements in the given order, then the rest in their current order.
function applyOrder(list: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  const keyOf = (e: Json): Json => (mergeKey && isObject(e) ? (e[mergeKey] ?? null) : e);
  const indexIn = (e: Json): number => order.findIndex((o) => jsonEqual(isObject(o) && mergeKey ? (o[mergeKey] ?? null) : o, keyOf(e)));
  const listed = list.filter((e) => indexIn(e) >= 0).sort((a, b) => indexIn(a) - indexIn(b));
  return [...listed, ...list.filter((e) => indexIn(e) < 0)];
}
