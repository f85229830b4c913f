// Label and field selectors, parsed once per request into predicates (apimachinery's labels.Parse
// and fields.ParseSelector grammar: =, ==, !=, in, notin, exists, !exists).
import type { KubeObject } from './json.ts';
import type { ResourceType } from './resource-type.ts';
import { badRequest } from './status-errors.ts';

export type Predicate = (o: KubeObject) => boolean;

interface Requirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!exists' | '=' | '!=';
  values: string[];
}

// Splits on commas that are not inside parentheses.
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

function parseLabelRequirement(term: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (m) {
    const values = (m[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
    return { key: m[1] ?? '', op: m[2] === 'in' ? 'in' : 'notin', values };
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (m) return { key: m[1] ?? '', op: m[2] === '!=' ? '!=' : '=', values: [m[3] ?? ''] };
  m = /^!\s*([^=!\s()]+)$/.exec(term);
  if (m) return { key: m[1] ?? '', op: '!exists', values: [] };
  m = /^([^=!\s()]+)$/.exec(term);
  if (m) return { key: m[1] ?? '', op: 'exists', values: [] };
  throw badRequest(`unable to parse requirement: found '${term}', expected: identifier`);
}

function matches(r: Requirement, value: string | undefined): boolean {
  switch (r.op) {
    case 'exists':
      return value !== undefined;
    case '!exists':
      return value === undefined;
    case '=':
      return value === r.values[0];
    case '!=':
      return value !== r.values[0];
    case 'in':
      return value !== undefined && r.values.includes(value);
    case 'notin':
      return value === undefined || !r.values.includes(value);
  }
}

export function parseLabelSelector(s: string | null | undefined): Predicate | undefined {
  if (!s || s.trim() === '') return undefined;
  const reqs = splitTerms(s).map(parseLabelRequirement);
  return (o) => {
    const labels = o.metadata.labels ?? {};
    return reqs.every((r) => matches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined));
  };
}

// Field values every kind supports; kinds add their own in the registry.
function fieldValue(rt: ResourceType, o: KubeObject, key: string): string {
  if (key === 'metadata.name') return o.metadata.name ?? '';
  if (key === 'metadata.namespace') return o.metadata.namespace ?? '';
  const f = rt.fields[key];
  return f ? f(o) : '';
}

export function parseFieldSelector(s: string | null | undefined, rt: ResourceType): Predicate | undefined {
  if (!s || s.trim() === '') return undefined;
  const reqs = splitTerms(s).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    const key = m[1] ?? '';
    if (key !== 'metadata.name' && key !== 'metadata.namespace' && !Object.hasOwn(rt.fields, key)) {
      throw badRequest(`field label not supported: ${key}`);
    }
    return { key, neg: m[2] === '!=', value: m[3] ?? '' };
  });
  return (o) => reqs.every((r) => (fieldValue(rt, o, r.key) === r.value) !== r.neg);
}

// The metadata.name of an equality field selector, so a single-object watch or list is cheap.
export function selectedName(s: string | null | undefined): string | undefined {
  if (!s) return undefined;
  for (const t of splitTerms(s)) {
    const m = /^metadata\.name\s*==?\s*(.*)$/.exec(t);
    if (m) return m[1];
  }
  return undefined;
}
