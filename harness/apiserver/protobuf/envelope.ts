// The envelope around every Kubernetes protobuf body: the magic bytes "k8s\0", then a
// runtime.Unknown message {typeMeta 1 {apiVersion 1, kind 2}, raw 2, contentEncoding 3,
// contentType 4} whose raw field holds the object's own message (apimachinery's
// runtime/serializer/protobuf and runtime/generated.proto).
import { LENGTH_DELIMITED, MalformedProtobuf, WireReader } from './wire.ts';

export const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

function typeMeta(bytes: Uint8Array): { apiVersion: string; kind: string } {
  const r = new WireReader(bytes);
  const out = { apiVersion: '', kind: '' };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === LENGTH_DELIMITED) out.apiVersion = text(r.bytes());
    else if (field === 2 && wire === LENGTH_DELIMITED) out.kind = text(r.bytes());
    else r.skip(wire);
  }
  return out;
}

export function openEnvelope(body: Uint8Array): Envelope {
  if (body.length < MAGIC.length || !MAGIC.every((b, i) => body[i] === b)) {
    // The real server's words (protobuf.Serializer.Decode).
    throw new MalformedProtobuf(`provided data does not appear to be a protobuf message, expected prefix [${[...MAGIC].join(' ')}]`);
  }
  const r = new WireReader(body.subarray(MAGIC.length));
  const out: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (wire !== LENGTH_DELIMITED) {
      r.skip(wire);
      continue;
    }
    const b = r.bytes();
    if (field === 1) Object.assign(out, typeMeta(b));
    else if (field === 2) out.raw = b;
    else if (field === 3) out.contentEncoding = text(b);
    else if (field === 4) out.contentType = text(b);
  }
  return out;
}
