import { readFileSync } from 'node:fs';
import t from 'tap';
import { clockTicksPerSecond, parseStat, parseStatus, sampleProcessGroup } from '../../bench/proc-stats.ts';

void t.test('stat fields survive a command name with spaces and parentheses', (t) => {
  const line = '4242 (node (x) y) S 1 4240 4240 0 -1 4194560 5000 0 0 0 250 75 0 0 20 0 11 0 123 1000000 20000 18446744073709551615';
  t.same(parseStat(line), { pgrp: 4240, utime: 250, stime: 75 });
  t.equal(parseStat('garbage'), undefined);
  t.end();
});

void t.test('status memory fields', (t) => {
  t.same(parseStatus('Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n'), { rssKiB: 102400, hwmKiB: 204800 });
  t.same(parseStatus('Name:\tzombie\n'), { rssKiB: 0, hwmKiB: 0 });
  t.end();
});

void t.test('sampling finds this process in its own group', { skip: process.platform !== 'linux' }, (t) => {
  const mine = parseStat(readFileSync(`/proc/${process.pid}/stat`, 'utf8'));
  t.ok(mine);
  if (!mine) return t.end();
  const sample = sampleProcessGroup(mine.pgrp, clockTicksPerSecond());
  t.ok(sample.pids.includes(process.pid));
  t.ok(sample.rssMiB > 10, 'a node process holds more than 10 MiB');
  t.ok(sample.cpuSeconds > 0);
  t.same(sampleProcessGroup(2 ** 30, 100), { pids: [], rssMiB: 0, hwmMiB: 0, cpuSeconds: 0 }, 'no such group');
  t.end();
});
