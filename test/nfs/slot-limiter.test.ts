import t from 'tap';
import { SlotLimiter } from '../../lib/nfs/slot-limiter.ts';

void t.test('grants up to the limit, then queues in order', async (t) => {
  const limiter = new SlotLimiter(2);
  const order: string[] = [];
  const a = limiter.acquire();
  const b = limiter.acquire();
  const c = limiter.acquire();
  const d = limiter.acquire();
  void c.granted.then(() => order.push('c'));
  void d.granted.then(() => order.push('d'));
  await Promise.all([a.granted, b.granted]);
  t.same([limiter.active, limiter.waiting], [2, 2]);
  limiter.release();
  await new Promise((resolve) => setImmediate(resolve));
  t.same(order, ['c']);
  t.same([limiter.active, limiter.waiting], [2, 1]);
  limiter.release();
  await new Promise((resolve) => setImmediate(resolve));
  t.same(order, ['c', 'd']);
});

void t.test('a cancelled waiter leaves the queue and is never granted', async (t) => {
  const limiter = new SlotLimiter(1);
  const held = limiter.acquire();
  await held.granted;
  const gone = limiter.acquire();
  const next = limiter.acquire();
  let goneGranted = false;
  void gone.granted.then(() => (goneGranted = true));
  t.equal(gone.cancel(), true);
  t.equal(limiter.waiting, 1);
  limiter.release();
  await next.granted;
  t.equal(goneGranted, false);
  t.equal(next.cancel(), false, 'too late to cancel a granted slot');
  t.equal(held.cancel(), false);
  t.same([limiter.active, limiter.waiting], [1, 0]);
});

void t.test('misuse is refused', (t) => {
  t.throws(() => new SlotLimiter(0), RangeError);
  t.throws(() => new SlotLimiter(1.5), RangeError);
  t.throws(() => new SlotLimiter(1).release(), /without a held slot/);
  t.end();
});

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

void t.test('normal callers go before low ones, whatever the order they came in', async (t) => {
  let now = 0;
  const limiter = new SlotLimiter(1, { now: () => now, quietMs: 1000 });
  const held = limiter.acquire();
  await held.granted;
  const order: string[] = [];
  const low = limiter.acquire('low');
  void low.granted.then(() => order.push('low'));
  const normal = limiter.acquire();
  void normal.granted.then(() => order.push('normal'));
  limiter.release();
  await tick();
  t.same(order, ['normal']);
  now = 5000; // quiet long enough: the low caller may take the last (only) slot
  limiter.release();
  await tick();
  t.same(order, ['normal', 'low']);
  limiter.release();
});

void t.test('while normal work is recent, the low lane leaves one slot free', async (t) => {
  let now = 0;
  const limiter = new SlotLimiter(2, { now: () => now, quietMs: 1000 });
  const n = limiter.acquire();
  await n.granted;
  limiter.release(); // normal work just happened
  const a = limiter.acquire('low');
  const b = limiter.acquire('low');
  let bGranted = false;
  void b.granted.then(() => (bGranted = true));
  await a.granted;
  await tick();
  t.equal(limiter.active, 1, 'one low call runs');
  t.equal(bGranted, false, 'the second would take the last free slot');
  // A claim's next fs call finds that free slot at once.
  const claimCall = limiter.acquire();
  await claimCall.granted;
  t.equal(limiter.active, 2);
  limiter.release();
  t.equal(bGranted, false, 'still recent');
  now = 1500;
  limiter.release(); // a's slot: quiet now, so b may use every slot
  await tick();
  t.equal(bGranted, true);
  limiter.release();
  t.equal(limiter.active, 0);
});

void t.test('a low waiter held back only by the quiet period is woken by a timer', async (t) => {
  const limiter = new SlotLimiter(1, { quietMs: 30 });
  const n = limiter.acquire();
  await n.granted;
  limiter.release();
  const low = limiter.acquire('low');
  let granted = false;
  void low.granted.then(() => (granted = true));
  await tick();
  t.equal(granted, false, 'normal work was just now');
  await new Promise((resolve) => setTimeout(resolve, 80));
  t.equal(granted, true, 'granted once the export was quiet, with no release to trigger it');
  limiter.release();
});

void t.test('a cancelled low waiter leaves its lane', async (t) => {
  const limiter = new SlotLimiter(1, { quietMs: 0 });
  const held = limiter.acquire('low');
  await held.granted;
  const low = limiter.acquire('low');
  t.equal(limiter.waiting, 1);
  t.equal(low.cancel(), true);
  t.equal(limiter.waiting, 0);
  limiter.release();
  t.equal(limiter.active, 0);
});
