// A tiny protobuf writer for the decoder tests: builds fields by number so each test states
// the exact bytes it feeds in.
export type Part = Uint8Array;

export function varint(v: bigint | number): Uint8Array {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    const b = Number(n & 0x7fn);
    n >>= 7n;
    out.push(n === 0n ? b : b | 0x80);
  } while (n !== 0n);
  return Uint8Array.from(out);
}

const cat = (parts: readonly Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

const tag = (field: number, wire: number): Uint8Array => varint((field << 3) | wire);

export const int = (field: number, v: bigint | number): Part => cat([tag(field, 0), varint(v)]);
export const bytes = (field: number, b: Uint8Array): Part => cat([tag(field, 2), varint(b.length), b]);
export const str = (field: number, s: string): Part => bytes(field, new TextEncoder().encode(s));
export const msg = (field: number, ...parts: Part[]): Part => bytes(field, cat(parts));
export const fixed32 = (field: number): Part => cat([tag(field, 5), Uint8Array.of(1, 0, 0, 0)]);
export const body = (...parts: Part[]): Uint8Array => cat(parts);

// The k8s envelope around an object's message.
export function envelope(apiVersion: string, kind: string, ...parts: Part[]): Uint8Array {
  return cat([Uint8Array.of(0x6b, 0x38, 0x73, 0x00), msg(1, str(1, apiVersion), str(2, kind)), msg(2, ...parts)]);
}
