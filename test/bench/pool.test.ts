import t from 'tap';
import { names, runPool } from '../../bench/pool.ts';

void t.test('runPool keeps at most N calls in flight and visits every item once', async (t) => {
  let inFlight = 0;
  let most = 0;
  const seen: number[] = [];
  await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    seen.push(item);
    inFlight--;
  });
  t.equal(most, 3);
  t.same(seen.sort(), [1, 2, 3, 4, 5, 6, 7]);
});

void t.test('names sort in creation order', (t) => {
  t.same(names('burst', 10), ['burst-01', 'burst-02', 'burst-03', 'burst-04', 'burst-05', 'burst-06', 'burst-07', 'burst-08', 'burst-09', 'burst-10']);
  t.end();
});
