// How a Kubernetes protobuf message maps to its JSON form: field numbers to JSON names and value
// types, written by hand from the public generated.proto files of k8s.io/api and
// k8s.io/apimachinery (messages/*.ts). The proto field names there are the JSON names.
//
// Go's encoder (gogo) writes every non-pointer scalar even when it is zero, and pointer fields
// only when set; Go's JSON encoder then omits zero values of `omitempty` fields. So a zero scalar
// read here is dropped, unless the field is marked 'keep' (a pointer, where an explicit zero
// means something, e.g. replicas: 0, or a field without omitempty).

// Wire scalars, and the apimachinery types with their own JSON forms:
// time / microTime: meta/v1 Time and MicroTime {seconds 1, nanos 2}, RFC 3339 strings in JSON;
// quantity: resource.Quantity {string 1}; intOrString: intstr.IntOrString {type 1, intVal 2, strVal 3};
// rawJson: FieldsV1 / RawExtension {bytes 1} holding JSON.
export type ScalarType = 'string' | 'bytes' | 'bool' | 'int32' | 'int64';
export type SpecialType = 'time' | 'microTime' | 'quantity' | 'intOrString' | 'rawJson';
export type ValueType = ScalarType | SpecialType | Message;

// keep: a zero value is kept (see above). inline: an embedded Go struct whose fields appear in
// the parent's JSON object (e.g. LocalObjectReference in ConfigMapKeySelector).
export type Flag = 'keep' | 'inline';

export interface FieldSpec {
  name: string;
  type: ValueType;
  shape: 'single' | 'list' | 'map';
  keep: boolean;
  inline: boolean;
}

export interface Message {
  // The fully qualified proto name, for error messages.
  name: string;
  fields: ReadonlyMap<number, FieldSpec>;
}

export interface ListOf {
  list: ValueType;
}
export interface MapOf {
  map: ValueType;
}

export const list = (t: ValueType): ListOf => ({ list: t });
// map<string, T>: every map in Kubernetes' API has string keys.
export const map = (t: ValueType): MapOf => ({ map: t });

export type FieldDef = readonly [name: string, type: ValueType | ListOf | MapOf, ...flags: Flag[]];

export function message(name: string, defs: Record<number, FieldDef>): Message {
  const fields = new Map<number, FieldSpec>();
  for (const [num, [fieldName, t, ...flags]] of Object.entries(defs)) {
    const shape = typeof t === 'object' && 'list' in t ? 'list' : typeof t === 'object' && 'map' in t ? 'map' : 'single';
    const type = typeof t === 'object' && 'list' in t ? t.list : typeof t === 'object' && 'map' in t ? t.map : t;
    fields.set(Number(num), { name: fieldName, type, shape, keep: flags.includes('keep'), inline: flags.includes('inline') });
  }
  return { name, fields };
}
