import t from 'tap';
import { cpuDelta, processCpuSeconds } from '../../bench/control-plane-cpu.ts';

void t.test('a process CPU time from /proc; undefined for a pid that is gone', (t) => {
  const start = Date.now();
  while (Date.now() - start < 50) Math.sqrt(Math.random());
  const own = processCpuSeconds(process.pid);
  t.ok(own !== undefined && own > 0, `this process used ${String(own)} s`);
  t.equal(processCpuSeconds(2 ** 22 + 1), undefined);
  t.end();
});

void t.test('deltas per process name, rounded to 10 ms; a process new in the window counts from 0', (t) => {
  t.same(cpuDelta({ 'kube-apiserver': 1.001, etcd: 0.5 }, { 'kube-apiserver': 3.5, etcd: 0.5, bench: 0.25 }), { 'kube-apiserver': 2.5, etcd: 0, bench: 0.25 });
  t.end();
});
