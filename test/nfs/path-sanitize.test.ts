import t from 'tap';
import {
  byteLength,
  MAX_COMPONENT_BYTES,
  neutralizeDots,
  safeComponent,
  sanitizeValue,
  shortenComponent,
  truncateUtf8,
} from '../../lib/nfs/path-sanitize.ts';

void t.test('values cannot add path levels or control characters', (t) => {
  t.equal(sanitizeValue('../../etc'), '..%2F..%2Fetc');
  t.equal(sanitizeValue('/etc/passwd'), '%2Fetc%2Fpasswd');
  t.equal(sanitizeValue('a\0b\nc\u007f'), 'a%00b%0Ac%7F');
  t.equal(sanitizeValue('50%'), '50%25', '% itself is encoded, so the mapping is one-to-one');
  t.not(sanitizeValue('a/b'), sanitizeValue('a_b'), 'different values, different names');
  t.equal(sanitizeValue('équipe-データ'), 'équipe-データ', 'unicode passes unchanged');
  t.equal(sanitizeValue('\ud800x'), '\ufffdx', 'lone surrogates become U+FFFD');
  t.end();
});

void t.test('. and .. components are neutralized, others kept', (t) => {
  t.equal(neutralizeDots('.'), '%2E');
  t.equal(neutralizeDots('..'), '%2E%2E');
  t.equal(neutralizeDots('...'), '...');
  t.equal(neutralizeDots('.hidden'), '.hidden');
  t.end();
});

void t.test('UTF-8 truncation never splits a character', (t) => {
  t.equal(truncateUtf8('aé', 2), 'a', 'é is two bytes');
  t.equal(truncateUtf8('aé', 3), 'aé');
  t.equal(truncateUtf8('😀😀', 5), '😀');
  t.end();
});

void t.test('long components are shortened deterministically and stay unique', (t) => {
  const exact = 'x'.repeat(MAX_COMPONENT_BYTES);
  t.equal(shortenComponent(exact), exact, '255 bytes is unchanged');
  const long = 'y'.repeat(300);
  const short = shortenComponent(long);
  t.ok(byteLength(short) <= MAX_COMPONENT_BYTES);
  t.match(short, /^y+-[0-9a-f]{16}$/);
  t.equal(shortenComponent(long), short, 'same input, same name (stable across retries)');
  t.not(shortenComponent(`${long}z`), short, 'a different long name gets a different short name');
  const unicode = 'データ'.repeat(40); // 360 bytes
  const shortUnicode = shortenComponent(unicode);
  t.ok(byteLength(shortUnicode) <= MAX_COMPONENT_BYTES);
  t.ok(Buffer.from(shortUnicode, 'utf8').toString('utf8') === shortUnicode, 'still valid UTF-8');
  t.end();
});

void t.test('safeComponent combines the rules', (t) => {
  t.equal(safeComponent('..'), '%2E%2E');
  t.equal(safeComponent('a/b'), 'a%2Fb');
  t.ok(byteLength(safeComponent('/'.repeat(1000))) <= MAX_COMPONENT_BYTES);
  t.end();
});
