import t from 'tap';
import { formatMs, formatTable } from './table.ts';

void t.test('one aligned row per scenario', (t) => {
  const text = formatTable([
    { scenario: 'crash', cluster: 'real', runs: 1, claims: 1000, lostVolumes: 0, doubleProvisions: 0, writesOutside: 0, dataLost: 0, leftovers: 0, worstRecoveryMs: 1234, result: 'pass' },
    { scenario: 'hung-export', cluster: 'real', runs: 1, claims: 26, lostVolumes: 2, doubleProvisions: 0, writesOutside: 0, dataLost: 0, leftovers: 0, worstRecoveryMs: 61_000, result: 'FAIL (2)' },
  ]);
  const lines = text.split('\n');
  t.equal(lines.length, 4);
  t.match(lines[0], /scenario .* lost volumes .* double provisions .* writes outside export .* data lost .* worst time to recover/);
  t.equal(new Set(lines.map((l) => l.length)).size, 1, 'every line equally wide');
  t.match(lines[2], /\| crash +\| real +\| +1 \| +1000 \|/);
  t.match(lines[3], /61\.0 s \| FAIL \(2\)/);
  t.equal(formatMs(250.4), '250 ms');
  t.end();
});
