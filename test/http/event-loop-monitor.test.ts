import t from 'tap';
import { EventLoopMonitor } from '../../lib/http/event-loop-monitor.ts';
import { FakeClock } from '../kube/fake-clock.ts';

void t.test('lag is how late the timer fires', async (t) => {
  const clock = new FakeClock();
  const monitor = new EventLoopMonitor(clock, 500);
  monitor.start();
  await clock.advance(2_000);
  t.equal(monitor.lagMs(), 0);
  // A blocked loop: time passes without timers firing.
  const blocked = { now: clock.now() + 3_000 };
  const real = clock.now.bind(clock);
  clock.now = () => blocked.now;
  t.ok(monitor.lagMs() >= 2_500, 'overdue tick counts as lag');
  clock.now = real;
  monitor.stop();
});
