import t from 'tap';
import { TokenBucket } from '../../lib/kube/token-bucket.ts';
import { FakeClock, flush } from './fake-clock.ts';

void t.test('burst at once, then qps', async (t) => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(10, 3, clock);
  let done = 0;
  for (let i = 0; i < 6; i++) void bucket.take().then(() => done++);
  await flush();
  t.equal(done, 3, 'burst of 3 passes at once');
  await clock.advance(100);
  t.equal(done, 4, 'one more after 100 ms at 10 qps');
  await clock.advance(200);
  t.equal(done, 6);
});

void t.test('low priority waits behind normal requests', async (t) => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(10, 1, clock);
  const order: string[] = [];
  await bucket.take();
  void bucket.take(undefined, true).then(() => order.push('event'));
  void bucket.take().then(() => order.push('pv1'));
  void bucket.take().then(() => order.push('pv2'));
  await clock.advance(300);
  t.same(order, ['pv1', 'pv2', 'event']);
});

void t.test('abort leaves the line', async (t) => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(1, 1, clock);
  await bucket.take();
  const controller = new AbortController();
  const waiting = bucket.take(controller.signal);
  controller.abort(new Error('stop'));
  await t.rejects(waiting, { message: 'stop' });
  t.equal(bucket.waiting, 0);
});

void t.test('low priority never spends the lower half of the burst', async (t) => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(10, 10, clock);
  let events = 0;
  for (let i = 0; i < 10; i++) void bucket.take(undefined, true).then(() => events++);
  await flush();
  t.equal(events, 5, 'events take the upper half at once, then wait');
  let pvs = 0;
  for (let i = 0; i < 5; i++) void bucket.take().then(() => pvs++);
  await flush();
  t.equal(pvs, 5, 'PV creates arriving later still find the reserved half');
  await clock.advance(500);
  t.equal(events, 5, 'events wait until the bucket is above the reserve again');
  await clock.advance(100);
  t.equal(events, 6, 'one token above the reserve: one event');
  await clock.advance(400);
  t.equal(events, 10, 'then they go at the refill rate');
});
