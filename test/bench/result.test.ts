import t from 'tap';
import { emptyResult, formatTable } from '../../bench/result.ts';

void t.test('every result carries the fields the issue asks for, JSON-safe', (t) => {
  const r = emptyResult('burst', 'ours', 1000);
  for (const k of ['scenario', 'provisioner', 'claims', 'seconds', 'claimsPerSecond', 'latencyMs', 'latencyToBoundMs', 'apiRequestsPerClaim', 'apiRequestsByVerbResource', 'getsInSteadyState', 'rssMiB', 'cpuSeconds', 'cpuMsPerClaim', 'phaseCpuSeconds', 'controlPlaneCpuSeconds', 'cluster', 'loadAverage']) {
    t.ok(k in r, k);
  }
  t.same(JSON.parse(JSON.stringify(r)), r, 'no undefined or NaN lost in JSON');
  t.end();
});

void t.test('the table has one row per result and shows what is measured', (t) => {
  const a = { ...emptyResult('burst', 'ours', 1000), completed: 1000, seconds: 4.5, claimsPerSecond: 222.2, latencyMs: { p50: 10, p90: 20, p99: 30, max: 40 }, rssMiB: 80 };
  const b = { ...emptyResult('hand-over', 'some very long provisioner command line here', 2), handoverSeconds: { sigterm: 0.4, kill9: null }, timedOut: true };
  const lines = formatTable([a, b]).split('\n');
  t.equal(lines.length, 4);
  t.match(lines[2], /burst\s+ours\s+1000\s+1000\s+4\.50\s+222\.2\s+10\.0\/20\.0\/30\.0\/40\.0/);
  t.match(lines[3], /SIGTERM 0\.40s kill-9 -s/);
  t.match(lines[3], /TIMED OUT/);
  t.match(lines[3], /some very long provisione\.\.\./);
  t.end();
});
