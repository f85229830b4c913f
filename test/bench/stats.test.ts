import t from 'tap';
import { percentile, percentiles, round } from '../../bench/stats.ts';

void t.test('nearest-rank percentiles', (t) => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  t.equal(percentile(hundred, 50), 50);
  t.equal(percentile(hundred, 90), 90);
  t.equal(percentile(hundred, 99), 99);
  t.equal(percentile(hundred, 100), 100);
  t.equal(percentile([7], 99), 7);
  t.equal(percentile([1, 2], 50), 1);
  t.ok(Number.isNaN(percentile([], 50)));
  t.end();
});

void t.test('percentiles sorts, rounds, and says null for no samples', (t) => {
  t.same(percentiles([3.14159, 1, 2, 10.06]), { p50: 2, p90: 10.1, p99: 10.1, max: 10.1 });
  t.equal(percentiles([]), null);
  t.equal(round(1.23456), 1.23);
  t.equal(round(1.5, 0), 2);
  t.end();
});
