import t from 'tap';
import { compareQuantities, formatBytes, parseQuantityNanos, quantityBytes } from '../../lib/controller/quantity.ts';

void t.test('binary, decimal, exponent and fractional forms', (t) => {
  t.equal(quantityBytes('1Mi'), 1_048_576);
  t.equal(quantityBytes('2097152'), 2_097_152);
  t.equal(quantityBytes('1.5Gi'), 1_610_612_736);
  t.equal(quantityBytes('1G'), 1_000_000_000);
  t.equal(quantityBytes('1e3'), 1000);
  t.equal(quantityBytes('1E3'), 1000, 'E followed by digits is an exponent, not exa');
  t.equal(quantityBytes('1E'), 1e18, 'E alone is exa');
  t.equal(quantityBytes('1500m'), 2, 'fractions of a byte round up');
  t.equal(quantityBytes('.5Ki'), 512);
  t.equal(quantityBytes(' 3Mi '), 3 * 1_048_576);
  t.equal(parseQuantityNanos('1n'), 1n);
  t.equal(parseQuantityNanos('1e-10'), 1n, 'below a nano rounds up');
  t.equal(parseQuantityNanos('-1k'), -1_000_000_000_000n);
  t.end();
});

void t.test('malformed quantities are undefined, not zero', (t) => {
  for (const bad of ['', 'Mi', '1MB', '1 Mi', 'abc', '1.2.3', '--1', '1Ki2']) t.equal(parseQuantityNanos(bad), undefined, JSON.stringify(bad));
  t.equal(parseQuantityNanos(undefined), undefined);
  t.equal(compareQuantities('1Mi', 'x'), undefined);
  t.end();
});

void t.test('comparisons are exact across notations', (t) => {
  t.equal(compareQuantities('2Mi', '2097152'), 0);
  t.equal(compareQuantities('2Mi', '2M'), 1);
  t.equal(compareQuantities('1Gi', '1024Mi'), 0);
  t.equal(compareQuantities('1Mi', '2Mi'), -1);
  t.equal(compareQuantities('1000m', '1'), 0);
  t.equal(compareQuantities(1024, '1Ki'), 0);
  t.end();
});

void t.test('bytes for messages', (t) => {
  t.equal(formatBytes(512), '512 B');
  t.equal(formatBytes(3 * 1_048_576), '3.0 MiB');
  t.equal(formatBytes(1536), '1.5 KiB');
  t.end();
});
