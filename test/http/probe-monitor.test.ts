import t from 'tap';
import { ProbeMonitor } from '../../lib/http/probe-monitor.ts';
import { FakeClock, flush } from '../kube/fake-clock.ts';
import { memoryLogger } from '../kube/silent-logger.ts';

void t.test('readiness follows the probe; a hung probe turns it off without piling up calls', async (t) => {
  const clock = new FakeClock();
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  let calls = 0;
  let release: () => void = () => undefined;
  const results: boolean[] = [];
  const monitor = new ProbeMonitor({
    clock,
    logger: memoryLogger().logger,
    timeoutMs: 10_000,
    intervalMs: 5_000,
    onResult: (ok) => results.push(ok),
    probe: () => {
      calls++;
      if (mode === 'ok') return Promise.resolve();
      if (mode === 'fail') return Promise.reject(new Error('EACCES'));
      return new Promise<void>((resolve) => (release = resolve)); // ignores the abort, like a hung fs call
    },
  });
  t.equal(monitor.problem(), 'export not probed yet');
  monitor.start();
  await flush();
  t.equal(monitor.problem(), undefined, 'ready after a good probe');
  mode = 'fail';
  await clock.advance(5_000);
  t.match(monitor.problem(), /export probe failed: EACCES/);
  mode = 'hang';
  await clock.advance(5_000);
  const before = calls;
  t.match(monitor.problem() ?? '', /EACCES/);
  await clock.advance(10_000);
  t.match(monitor.problem(), /no answer within 10000 ms|has not answered/);
  await clock.advance(60_000);
  t.equal(calls, before, 'no new probe while one hangs');
  mode = 'ok';
  release();
  await flush();
  await clock.advance(5_000);
  t.equal(monitor.problem(), undefined, 'ready again once the export answers');
  t.ok(results.includes(false) && results.at(-1) === true);
  monitor.stop();
});
