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
