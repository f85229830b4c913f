import t from 'tap';
import { WorkQueue } from '../../lib/controller/work-queue.ts';
import { FakeClock, flush } from '../kube/fake-clock.ts';

function queue(clock = new FakeClock()): { q: WorkQueue; clock: FakeClock } {
  return { q: new WorkQueue({ clock, baseDelayMs: 1000, maxDelayMs: 300_000 }), clock };
}

void t.test('dedup while queued; a key added while processing is processed again after', async (t) => {
  const { q } = queue();
  q.add('a');
  q.add('b');
  q.add('a');
  t.equal(q.depth, 2);
  const first = await q.get();
  t.equal(first, 'a');
  q.add('a');
  t.equal(q.depth, 1, 'not queued twice while a is processing');
  t.equal(await q.get(), 'b');
  q.done('a');
  t.equal(await q.get(), 'a', 'reprocessed after done');
  q.done('a');
  q.done('b');
  t.equal(q.depth, 0);
});

void t.test('get waits for a key; shutdown releases waiters', async (t) => {
  const { q } = queue();
  const waiting = q.get();
  q.add('x');
  t.equal(await waiting, 'x');
  const waiting2 = q.get();
  q.shutDown();
  t.equal(await waiting2, undefined);
  q.add('y');
  t.equal(q.depth, 0, 'no adds after shutdown');
});

void t.test('exponential backoff with cap and no give-up', async (t) => {
  const { q, clock } = queue();
  const delays: number[] = [];
  for (let i = 0; i < 20; i++) delays.push(q.backoffFor(i + 1));
  t.same(delays.slice(0, 5), [1000, 2000, 4000, 8000, 16000]);
  t.equal(delays.at(-1), 300_000, 'capped at 5 min');
  // A key failing 30 times is still retried.
  for (let i = 0; i < 30; i++) {
    const delay = q.addRateLimited('k');
    t.equal(q.depth, 0);
    await clock.advance(delay);
    t.equal(await q.get(), 'k', `attempt ${i + 2} happens`);
    q.done('k');
  }
  t.equal(q.failures('k'), 30);
  q.forget('k');
  t.equal(q.failures('k'), 0);
  t.equal(q.addRateLimited('k'), 1000, 'forget resets the backoff');
});

void t.test('delayed adds keep the earliest time; add() overrides a delay; forget cancels it', async (t) => {
  const { q, clock } = queue();
  q.addAfter('a', 5000);
  q.addAfter('a', 10_000);
  await clock.advance(5000);
  t.equal(q.depth, 1);
  t.equal(await q.get(), 'a');
  q.done('a');
  q.addAfter('b', 5000);
  t.ok(q.isDelayed('b'));
  q.add('b');
  t.notOk(q.isDelayed('b'));
  t.equal(q.depth, 1);
  q.addAfter('c', 1000);
  q.forget('c');
  await clock.advance(2000);
  t.equal(q.depth, 1, 'forgotten delayed key never comes');
  await flush();
  q.addAfterCap('p');
  await clock.advance(299_000);
  t.notOk(q.depth > 1, 'permanent failure waits for the cap');
  await clock.advance(1000);
  t.equal(q.depth, 2);
});
