import t from 'tap';
import { locationsOverlap } from '../../lib/controller/storage-overlap.ts';

void t.test('equal and nested locations overlap, siblings and prefixes of names do not', (t) => {
  t.ok(locationsOverlap('s:/e/a', 's:/e/a'));
  t.ok(locationsOverlap('s:/e/a', 's:/e/a/b'), 'inner below outer');
  t.ok(locationsOverlap('s:/e/a/b', 's:/e/a'), 'either order');
  t.notOk(locationsOverlap('s:/e/a', 's:/e/ab'), 'a name prefix is not a parent');
  t.notOk(locationsOverlap('s:/e/a', 's:/e/b'));
  t.notOk(locationsOverlap('s1:/e/a', 's2:/e/a'), 'another server');
  t.end();
});
