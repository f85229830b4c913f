// Decodes one protobuf message into the JSON object the real API server would have stored, by a
// hand-written schema (schema.ts). A field the schema does not know is skipped when it holds its
// zero value (Go's encoder writes every non-pointer field, so newer clients send fields we never
// list, empty) and refused otherwise: dropping a value the user set would store something else
// than a real server, silently.
import type { Json, JsonObject } from '../json.ts';
import type { FieldSpec, Message, ValueType } from './schema.ts';
import { LENGTH_DELIMITED, MalformedProtobuf, VARINT, WireReader } from './wire.ts';

// A set field this harness has no schema for.
export class UnknownField extends Error {
  override name = 'UnknownField';
  readonly path: string;
  constructor(msg: Message, field: number, path: string) {
    super(`field ${field} of ${msg.name}${path ? ` at ${path}` : ''}`);
    this.path = path;
  }
}

const NUMERIC = new Set<ValueType>(['bool', 'int32', 'int64']);

// metav1.Time marshals as RFC 3339 with seconds, MicroTime with microseconds, both in UTC.
function timeJson(seconds: bigint, nanos: number, micro: boolean): string {
  const iso = new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

function readTime(bytes: Uint8Array, micro: boolean): string | null {
  const r = new WireReader(bytes);
  let seconds = 0n;
  let nanos = 0;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === VARINT) seconds = BigInt.asIntN(64, r.varint());
    else if (field === 2 && wire === VARINT) nanos = Number(BigInt.asIntN(32, r.varint()));
    else r.skip(wire);
  }
  // The zero Time is null in JSON.
  return seconds === 0n && nanos === 0 ? null : timeJson(seconds, nanos, micro);
}

function readIntOrString(bytes: Uint8Array): Json {
  const r = new WireReader(bytes);
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === VARINT) type = r.varint();
    else if (field === 2 && wire === VARINT) intVal = Number(BigInt.asIntN(32, r.varint()));
    else if (field === 3 && wire === LENGTH_DELIMITED) strVal = utf8(r.bytes());
    else r.skip(wire);
  }
  return type === 1n ? strVal : intVal;
}

// The single bytes/string field 1 of Quantity, FieldsV1 and RawExtension.
function readField1(bytes: Uint8Array): Uint8Array {
  const r = new WireReader(bytes);
  let out: Uint8Array = new Uint8Array(0);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === LENGTH_DELIMITED) out = r.bytes();
    else r.skip(wire);
  }
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
function utf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new MalformedProtobuf('a string field is not valid UTF-8');
  }
}

function rawJson(bytes: Uint8Array, path: string): Json | undefined {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(utf8(bytes)) as Json;
  } catch {
    throw new MalformedProtobuf(`${path} does not hold JSON`);
  }
}

function scalarFromVarint(type: ValueType, v: bigint): Json {
  if (type === 'bool') return v !== 0n;
  if (type === 'int32') return Number(BigInt.asIntN(32, v));
  return Number(BigInt.asIntN(64, v));
}

const isZero = (v: Json | undefined): boolean => v === undefined || v === null || v === '' || v === 0 || v === false;

// One value of a field; `r` is positioned after its tag.
function readValue(type: ValueType, wire: number, r: WireReader, path: string): Json | undefined {
  if (NUMERIC.has(type)) {
    if (wire !== VARINT) throw new MalformedProtobuf(`${path}: wire type ${wire} for a ${typeof type === 'string' ? type : type.name}`);
    return scalarFromVarint(type, r.varint());
  }
  if (wire !== LENGTH_DELIMITED) throw new MalformedProtobuf(`${path}: wire type ${wire} for a length-delimited field`);
  const bytes = r.bytes();
  switch (type) {
    case 'string':
      return utf8(bytes);
    case 'bytes':
      return Buffer.from(bytes).toString('base64');
    case 'time':
      return readTime(bytes, false);
    case 'microTime':
      return readTime(bytes, true);
    case 'quantity':
      return utf8(readField1(bytes));
    case 'intOrString':
      return readIntOrString(bytes);
    case 'rawJson':
      return rawJson(readField1(bytes), path);
    default:
      if (typeof type === 'object') return decodeMessage(type, bytes, path);
      throw new MalformedProtobuf(`${path}: no reader for ${type}`);
  }
}

// A map entry is a message {key = 1; value = 2}; either may be absent (then its zero value).
function readMapEntry(spec: FieldSpec, bytes: Uint8Array, path: string): [string, Json] {
  const r = new WireReader(bytes);
  let key = '';
  let value: Json | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === LENGTH_DELIMITED) key = utf8(r.bytes());
    else if (field === 2) value = readValue(spec.type, wire, r, `${path}[${key}]`);
    else r.skip(wire);
  }
  if (value === undefined) value = typeof spec.type === 'object' ? {} : spec.type === 'bool' ? false : NUMERIC.has(spec.type) ? 0 : '';
  return [key, value];
}

function readList(spec: FieldSpec, wire: number, r: WireReader, path: string, into: Json[]): void {
  // Repeated numbers may come packed: one length-delimited run of varints.
  if (NUMERIC.has(spec.type) && wire === LENGTH_DELIMITED) {
    const packed = new WireReader(r.bytes());
    while (!packed.done) into.push(scalarFromVarint(spec.type, packed.varint()));
    return;
  }
  const v = readValue(spec.type, wire, r, `${path}[${into.length}]`);
  into.push(v ?? null);
}

export function decodeMessage(msg: Message, bytes: Uint8Array, path = ''): JsonObject {
  const out: JsonObject = {};
  const r = new WireReader(bytes);
  const at = (name: string): string => (path ? `${path}.${name}` : name);
  while (!r.done) {
    const { field, wire } = r.tag();
    const spec = msg.fields.get(field);
    if (!spec) {
      if (!r.skip(wire)) throw new UnknownField(msg, field, path);
      continue;
    }
    const p = at(spec.name);
    if (spec.shape === 'map') {
      if (wire !== LENGTH_DELIMITED) throw new MalformedProtobuf(`${p}: a map entry must be length-delimited`);
      const [k, v] = readMapEntry(spec, r.bytes(), p);
      const m = out[spec.name];
      if (m && typeof m === 'object' && !Array.isArray(m)) m[k] = v;
      else out[spec.name] = { [k]: v };
      continue;
    }
    if (spec.shape === 'list') {
      const l = out[spec.name];
      const items = Array.isArray(l) ? l : [];
      readList(spec, wire, r, p, items);
      out[spec.name] = items;
      continue;
    }
    const v = readValue(spec.type, wire, r, p);
    if (spec.inline && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      Object.assign(out, v);
    } else if (typeof spec.type === 'object' || spec.type === 'quantity' || spec.type === 'intOrString') {
      // Messages are structs (always in Go's JSON) or set pointers: present means present.
      if (v !== undefined) out[spec.name] = v;
    } else if (isZero(v) && !spec.keep) {
      // Last one wins in protobuf: a later zero clears an earlier value.
      delete out[spec.name];
    } else if (v !== undefined) {
      out[spec.name] = v;
    }
  }
  return out;
}
