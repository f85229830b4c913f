// The wire reader: varints (multi-byte, 64-bit, overlong), tags, length-delimited views, and
// skip's report of zero values, which the decoder's unknown-field rule depends on.
import t from 'tap';
import { WireReader } from '../../../../harness/apiserver/protobuf/wire.ts';
import { body, bytes, fixed32, int, str, varint } from './write.ts';

void t.test('varints', (t) => {
  t.equal(new WireReader(varint(300)).varint(), 300n, 'two bytes, low group first');
  t.equal(new WireReader(Uint8Array.of(0xac, 0x02)).varint(), 300n, 'the spec example');
  t.equal(BigInt.asIntN(64, new WireReader(varint(-1)).varint()), -1n, 'a negative int32 comes as ten bytes');
  t.equal(new WireReader(varint(2n ** 63n)).varint(), 2n ** 63n, 'above 2^53 stays exact');
  t.throws(() => new WireReader(Uint8Array.of(0x80, 0x80)).varint(), { name: 'MalformedProtobuf', message: 'truncated varint' });
  t.throws(() => new WireReader(new Uint8Array(11).fill(0x80)).varint(), { name: 'MalformedProtobuf', message: 'varint longer than 10 bytes' });
  t.end();
});

void t.test('tags and values', (t) => {
  const r = new WireReader(body(str(2, 'ab'), int(17, 5)));
  t.same(r.tag(), { field: 2, wire: 2 });
  t.same([...r.bytes()], [0x61, 0x62]);
  t.same(r.tag(), { field: 17, wire: 0 }, 'field numbers above 15 take two tag bytes');
  t.equal(r.varint(), 5n);
  t.ok(r.done);
  t.throws(() => new WireReader(Uint8Array.of(0x00)).tag(), { name: 'MalformedProtobuf', message: 'field number 0' });
  t.throws(() => new WireReader(Uint8Array.of(0x05, 0x61)).bytes(), { name: 'MalformedProtobuf', message: 'truncated length-delimited field' }, 'a length past the end');
  t.end();
});

void t.test('skip reports zero values', (t) => {
  const zero = new WireReader(body(int(1, 0), bytes(2, new Uint8Array(0))));
  zero.tag();
  t.ok(zero.skip(0), 'varint 0');
  zero.tag();
  t.ok(zero.skip(2), 'empty bytes');
  const set = new WireReader(body(int(1, 1), str(2, 'x'), fixed32(3)));
  set.tag();
  t.notOk(set.skip(0));
  set.tag();
  t.notOk(set.skip(2));
  set.tag();
  t.notOk(set.skip(5), 'fixed32 1');
  t.ok(set.done);
  t.throws(() => new WireReader(Uint8Array.of(0x0b)).skip(3), { name: 'MalformedProtobuf', message: 'unexpected wire type 3' }, 'groups are not expected');
  t.end();
});
