/* eslint-disable @typescript-eslint/require-await -- the fakes mimic async APIs */
import type { V1ConfigMap } from '@kubernetes/client-node';
import t from 'tap';
import type { Test } from 'tap';
import { StatusError } from '../../lib/kube/api-errors.ts';
import { Informer } from '../../lib/kube/informer.ts';
import type { ListPage, ListWatchSource } from '../../lib/kube/informer.ts';
import { FakeClock, flush } from './fake-clock.ts';
import { memoryLogger } from './silent-logger.ts';

type Obj = V1ConfigMap;
const obj = (name: string, rv: string, label = 'a'): Obj => ({ metadata: { name, namespace: 'ns', resourceVersion: rv, labels: { group: label } } });

interface WatchCall {
  rv: string;
  emit(type: string, object: unknown): void;
  end(): void;
  fail(error: Error): void;
  signal: AbortSignal;
}

/** A scripted list/watch: lists return `listResult` (or throw `listError`); watches wait for the test. */
class FakeSource implements ListWatchSource<Obj> {
  lists: { limit: number; continue?: string }[] = [];
  watches: WatchCall[] = [];
  pages: ListPage<Obj>[] = [{ items: [], resourceVersion: '1' }];
  listErrors: Error[] = [];

  async list(options: { limit: number; continue?: string }): Promise<ListPage<Obj>> {
    this.lists.push(options);
    const error = this.listErrors.shift();
    if (error !== undefined) throw error;
    const index = options.continue === undefined ? 0 : Number(options.continue);
    const page = this.pages[index];
    if (page === undefined) throw new Error('no such page');
    return page;
  }

  watch(rv: string, onEvent: (type: string, object: unknown) => void, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const call: WatchCall = { rv, emit: onEvent, end: resolve, fail: reject, signal };
      signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      this.watches.push(call);
    });
  }

  get lastWatch(): WatchCall {
    const last = this.watches.at(-1);
    if (last === undefined) throw new Error('no watch');
    return last;
  }
}

function setup(t: Test, resyncPeriodMs = 0): { source: FakeSource; clock: FakeClock; informer: Informer<Obj>; log: string[] } {
  const source = new FakeSource();
  const clock = new FakeClock();
  const informer = new Informer<Obj>({
    name: 'configmaps',
    source,
    clock,
    logger: memoryLogger().logger,
    resyncPeriodMs,
    indexers: { group: (o) => [o.metadata?.labels?.['group'] ?? ''] },
    pageSize: 2,
  });
  const log: string[] = [];
  informer.addHandlers({
    add: (o) => log.push(`add ${o.metadata?.name} ${o.metadata?.resourceVersion}`),
    update: (old, o) => log.push(`update ${o.metadata?.name} ${old.metadata?.resourceVersion}->${o.metadata?.resourceVersion}`),
    delete: (o) => log.push(`delete ${o.metadata?.name}`),
  });
  t.teardown(() => informer.stop());
  return { source, clock, informer, log };
}

void t.test('paged list fills the cache, then watch from its resourceVersion', async (t) => {
  const { source, informer, log } = setup(t);
  source.pages = [
    { items: [obj('a', '3'), obj('b', '4', 'b')], resourceVersion: '10', continue: '1' },
    { items: [obj('c', '5')], resourceVersion: '10' },
  ];
  t.notOk(informer.hasSynced());
  informer.start();
  await informer.waitForSync();
  t.ok(informer.hasSynced());
  t.same(source.lists, [{ limit: 2 }, { limit: 2, continue: '1' }]);
  t.same(log, ['add a 3', 'add b 4', 'add c 5']);
  await flush();
  t.equal(source.lastWatch.rv, '10');
  source.lastWatch.emit('ADDED', obj('d', '11'));
  source.lastWatch.emit('MODIFIED', obj('a', '12', 'b'));
  source.lastWatch.emit('DELETED', obj('c', '13'));
  source.lastWatch.emit('BOOKMARK', { metadata: { resourceVersion: '20' } });
  t.same(log.slice(3), ['add d 11', 'update a 3->12', 'delete c']);
  t.same(informer.keys().sort(), ['ns/a', 'ns/b', 'ns/d']);
  t.same(informer.byIndex('group', 'b').map((o) => o.metadata?.name).sort(), ['a', 'b'], 'index follows updates');
  t.same(informer.byIndex('group', 'a').map((o) => o.metadata?.name), ['d']);
  t.equal(informer.resourceVersion, '20', 'bookmarks move the resourceVersion');
});

void t.test('a watch that ends is resumed from the last resourceVersion without a relist', async (t) => {
  const { source, informer } = setup(t);
  informer.start();
  await informer.waitForSync();
  await flush();
  source.lastWatch.emit('ADDED', obj('a', '5'));
  source.lastWatch.end();
  await flush();
  t.equal(source.watches.length, 2);
  t.equal(source.lastWatch.rv, '5');
  t.equal(source.lists.length, 1, 'no relist');
});

void t.test('watch errors back off and resume; 410 relists and reports what was missed', async (t) => {
  const { source, informer, clock, log } = setup(t);
  source.pages = [{ items: [obj('a', '1'), obj('b', '1')], resourceVersion: '1' }];
  informer.start();
  await informer.waitForSync();
  await flush();
  source.lastWatch.fail(new Error('connection reset'));
  await flush();
  t.equal(source.watches.length, 1, 'waits before watching again');
  await clock.advance(500);
  t.equal(source.watches.length, 2, 're-watched after backoff');
  t.equal(source.lastWatch.rv, '1');
  // 410 as an ERROR event: relist at once.
  source.pages = [{ items: [obj('a', '7'), obj('c', '8')], resourceVersion: '9' }];
  source.lastWatch.emit('ERROR', { kind: 'Status', code: 410, message: 'too old resource version' });
  await flush();
  t.equal(source.lists.length, 2, 'relisted');
  t.same(log.slice(2), ['delete b', 'update a 1->7', 'add c 8']);
  t.equal(source.lastWatch.rv, '9');
  // 410 as a rejected watch request: relist too.
  source.pages = [{ items: [obj('a', '7'), obj('c', '8')], resourceVersion: '12' }];
  source.lastWatch.fail(new StatusError(410, 'Gone'));
  await flush();
  t.equal(source.lists.length, 3);
  t.equal(log.length, 5, 'unchanged objects are not reported again');
  t.ok(informer.hasSynced());
});

void t.test('list failures retry with capped backoff, forever', async (t) => {
  const { source, informer, clock } = setup(t);
  source.listErrors = Array.from({ length: 10 }, () => new StatusError(500, 'etcd down'));
  informer.start();
  await flush();
  t.equal(source.lists.length, 1);
  let elapsed = 0;
  while (source.lists.length <= 10 && elapsed < 600_000) {
    await clock.advance(1000);
    elapsed += 1000;
  }
  t.equal(source.lists.length, 11, 'kept trying after 10 failures');
  t.ok(elapsed <= 30_000 * 10, 'backoff is capped');
  t.ok(informer.hasSynced());
});

void t.test('resync re-delivers cached objects as updates', async (t) => {
  const { source, informer, clock, log } = setup(t, 60_000);
  source.pages = [{ items: [obj('a', '1')], resourceVersion: '1' }];
  informer.start();
  await informer.waitForSync();
  await clock.advance(60_000);
  t.same(log, ['add a 1', 'update a 1->1']);
  await clock.advance(60_000);
  t.equal(log.length, 3);
  t.equal(source.lists.length, 1, 'resync costs no API request');
});

void t.test('stop ends the watch', async (t) => {
  const { source, informer } = setup(t);
  informer.start();
  await informer.waitForSync();
  await flush();
  await informer.stop();
  t.ok(source.lastWatch.signal.aborted);
});

void t.test('the transform applies to listed and watched objects before caching and handlers', async (t) => {
  const source = new FakeSource();
  const seen: (string | undefined)[] = [];
  const informer = new Informer<Obj>({
    name: 'configmaps',
    source,
    clock: new FakeClock(),
    logger: memoryLogger().logger,
    resyncPeriodMs: 0,
    transform: (o) => ({ ...o, data: { slim: 'yes' } }),
  });
  informer.addHandlers({ add: (o) => seen.push(o.data?.['slim']), update: (_old, o) => seen.push(o.data?.['slim']) });
  t.teardown(() => informer.stop());
  source.pages = [{ items: [obj('a', '3')], resourceVersion: '10' }];
  informer.start();
  await informer.waitForSync();
  await flush();
  source.lastWatch.emit('MODIFIED', obj('a', '11'));
  source.lastWatch.emit('ADDED', obj('b', '12'));
  t.same(seen, ['yes', 'yes', 'yes'], 'handlers get the transformed objects');
  t.same(informer.list().map((o) => o.data), [{ slim: 'yes' }, { slim: 'yes' }], 'the cache holds them');
});
