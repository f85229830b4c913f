// The schema-driven decoder: Go's zero-value rules (dropped unless 'keep'), last-one-wins,
// maps, lists (packed too), inline structs, the apimachinery special types, and the refusal of
// set fields the schema does not know.
import t from 'tap';
import { decodeMessage } from '../../../../harness/apiserver/protobuf/decode.ts';
import { list, map, message } from '../../../../harness/apiserver/protobuf/schema.ts';
import { body, bytes, int, msg, str, varint } from './write.ts';

const Ref = message('test.Ref', { 1: ['name', 'string'] });
const Inner = message('test.Inner', { 1: ['n', 'int32'] });
const M = message('test.M', {
  1: ['s', 'string'],
  2: ['n', 'int32'],
  3: ['big', 'int64'],
  4: ['b', 'bool'],
  5: ['ptr', 'int32', 'keep'],
  6: ['tags', list('string')],
  7: ['nums', list('int32')],
  8: ['labels', map('string')],
  9: ['inner', Inner],
  10: ['ref', Ref, 'inline'],
  11: ['t', 'time'],
  12: ['mt', 'microTime'],
  13: ['q', 'quantity'],
  14: ['ios', 'intOrString'],
  15: ['raw', 'rawJson'],
  16: ['data', map('bytes')],
  17: ['limits', map('quantity')],
});

void t.test('zero scalars are dropped, kept ones stay', (t) => {
  t.same(decodeMessage(M, body(str(1, ''), int(2, 0), int(4, 0), int(5, 0))), { ptr: 0 }, "'' / 0 / false gone; the pointer's explicit 0 kept");
  t.same(decodeMessage(M, body(str(1, 'a'), int(2, -5), int(3, 2n ** 40n), int(4, 1))), { s: 'a', n: -5, big: 2 ** 40, b: true });
  t.same(decodeMessage(M, body(str(1, 'a'), str(1, ''))), {}, 'a later zero clears an earlier value');
  t.end();
});

void t.test('lists, packed lists and maps', (t) => {
  t.same(decodeMessage(M, body(str(6, 'x'), str(6, 'y'))), { tags: ['x', 'y'] });
  t.same(decodeMessage(M, body(int(7, 1), bytes(7, Uint8Array.from([...varint(2), ...varint(300)])))), { nums: [1, 2, 300] }, 'unpacked then packed');
  t.same(decodeMessage(M, body(msg(8, str(1, 'app'), str(2, 'web')), msg(8, str(1, 'empty')))), { labels: { app: 'web', empty: '' } }, 'an entry without a value has the zero value');
  t.same(decodeMessage(M, body(msg(16, str(1, 'k'), str(2, 'hi')))), { data: { k: 'aGk=' } }, 'bytes are base64 in JSON');
  t.same(decodeMessage(M, body(msg(17, str(1, 'cpu'), msg(2, str(1, '100m'))))), { limits: { cpu: '100m' } });
  t.end();
});

void t.test('messages: present means present; inline merges', (t) => {
  t.same(decodeMessage(M, body(msg(9))), { inner: {} }, 'an empty struct is {} as in Go JSON');
  t.same(decodeMessage(M, body(msg(9, int(1, 3)), msg(10, str(1, 'cm')))), { inner: { n: 3 }, name: 'cm' });
  t.end();
});

void t.test('apimachinery types', (t) => {
  const seconds = Date.UTC(2026, 0, 2, 3, 4, 5) / 1000;
  t.same(decodeMessage(M, body(msg(11, int(1, seconds), int(2, 123_456_789)))), { t: '2026-01-02T03:04:05Z' }, 'Time drops the fraction');
  t.same(decodeMessage(M, body(msg(12, int(1, seconds), int(2, 123_456_789)))), { mt: '2026-01-02T03:04:05.123456Z' }, 'MicroTime keeps microseconds');
  t.same(decodeMessage(M, body(msg(11))), {}, 'the zero Time is null, omitted');
  t.same(decodeMessage(M, body(msg(13, str(1, '1Gi')))), { q: '1Gi' });
  t.same(decodeMessage(M, body(msg(14, int(1, 0), int(2, 8080)))), { ios: 8080 });
  t.same(decodeMessage(M, body(msg(14, int(1, 1), str(3, '25%')))), { ios: '25%' });
  t.same(decodeMessage(M, body(msg(15, str(1, '{"f:data":{}}')))), { raw: { 'f:data': {} } });
  t.throws(() => decodeMessage(M, body(msg(15, str(1, 'not json')))), { name: 'MalformedProtobuf' });
  t.end();
});

void t.test('unknown fields: zero skipped, set refused with the path', (t) => {
  t.same(decodeMessage(M, body(int(40, 0), bytes(41, new Uint8Array(0)), str(1, 'a'))), { s: 'a' }, 'a newer client writes fields we do not list, empty');
  t.throws(() => decodeMessage(M, body(int(40, 7))), { name: 'UnknownField', message: 'field 40 of test.M' });
  const Outer = message('test.Outer', { 1: ['items', list(M)] });
  t.throws(() => decodeMessage(Outer, body(msg(1), msg(1, msg(9, int(2, 1))))), { name: 'UnknownField', message: 'field 2 of test.Inner at items[1].inner' });
  t.end();
});

void t.test('malformed input', (t) => {
  t.throws(() => decodeMessage(M, body(str(2, 'x'))), { name: 'MalformedProtobuf' }, 'a string where a varint belongs');
  t.throws(() => decodeMessage(M, body(int(1, 1))), { name: 'MalformedProtobuf' }, 'a varint where a string belongs');
  t.throws(() => decodeMessage(M, body(bytes(1, Uint8Array.of(0xff)))), { name: 'MalformedProtobuf', message: /UTF-8/ });
  t.end();
});
