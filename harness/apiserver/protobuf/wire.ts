// The protobuf wire format, read side only: tags, varints, length-delimited and fixed-width values
// (https://protobuf.dev/programming-guides/encoding/). Kubernetes' generated messages use no
// groups, so wire types 3 and 4 are malformed input here.

export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

// The input is not valid protobuf (truncated, overlong varint, a wire type we never expect).
export class MalformedProtobuf extends Error {
  override name = 'MalformedProtobuf';
}

export interface Tag {
  field: number;
  wire: number;
}

export class WireReader {
  private readonly buf: Uint8Array;
  private pos = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  // Up to 10 bytes, 7 bits each, low group first. A bigint, because int64 fields (and negative
  // int32s, which are sign-extended to 64 bits) do not fit a double's 53 bits.
  varint(): bigint {
    let out = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new MalformedProtobuf('truncated varint');
      out |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return BigInt.asUintN(64, out);
    }
    throw new MalformedProtobuf('varint longer than 10 bytes');
  }

  tag(): Tag {
    const v = this.varint();
    const field = Number(v >> 3n);
    const wire = Number(v & 7n);
    if (field === 0) throw new MalformedProtobuf('field number 0');
    return { field, wire };
  }

  // A length-delimited payload, as a view into the input (not a copy).
  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw new MalformedProtobuf('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  fixed(width: 4 | 8): Uint8Array {
    if (this.pos + width > this.buf.length) throw new MalformedProtobuf('truncated fixed-width field');
    const out = this.buf.subarray(this.pos, this.pos + width);
    this.pos += width;
    return out;
  }

  // Reads past one value of the given wire type; returns whether it was the type's zero value
  // (0, empty, all zero bytes), i.e. carried no information.
  skip(wire: number): boolean {
    switch (wire) {
      case VARINT:
        return this.varint() === 0n;
      case FIXED64:
        return this.fixed(8).every((b) => b === 0);
      case LENGTH_DELIMITED:
        return this.bytes().length === 0;
      case FIXED32:
        return this.fixed(4).every((b) => b === 0);
      default:
        throw new MalformedProtobuf(`unexpected wire type ${wire}`);
    }
  }
}
