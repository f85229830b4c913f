// LIST (selectors, pagination, resourceVersion) and WATCH (replay, initial events, selectors,
// bookmarks, timeouts, 410 Gone).
import t from 'tap';
import { startApiServer } from '../../../harness/apiserver/index.ts';
import { client, configMap } from './client.ts';

const server = await startApiServer({ historySize: 20, bookmarkIntervalMs: 100 });
t.teardown(() => server.stop());
const api = client(server);
await api.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sel' } });
const cms = '/api/v1/namespaces/sel/configmaps';
const names = (items: Record<string, unknown>[] | undefined): string[] =>
  (items ?? []).map((i) => String((i['metadata'] as Record<string, unknown>)['name']));

void t.test('label selectors', async (t) => {
  await api.req('POST', cms, configMap('l1', { app: 'a', tier: 'db' }));
  await api.req('POST', cms, configMap('l2', { app: 'b', tier: 'web' }));
  await api.req('POST', cms, configMap('l3', { app: 'c' }));
  const q = async (sel: string): Promise<string[]> => names((await api.req('GET', `${cms}?labelSelector=${encodeURIComponent(sel)}`)).body.items);
  t.same(await q('app=a'), ['l1']);
  t.same(await q('app==a'), ['l1']);
  t.same(await q('app!=a'), ['l2', 'l3']);
  t.same(await q('app in (a,b)'), ['l1', 'l2']);
  t.same(await q('app notin (a,b)'), ['l3']);
  t.same(await q('tier'), ['l1', 'l2']);
  t.same(await q('!tier'), ['l3']);
  t.same(await q('app in (a, b),tier=web'), ['l2']);
  const bad = await api.req('GET', `${cms}?labelSelector=${encodeURIComponent('a b c')}`);
  t.equal(bad.status, 400);
});

void t.test('field selectors', async (t) => {
  const byName = await api.req('GET', `${cms}?fieldSelector=metadata.name%3Dl2`);
  t.same(names(byName.body.items), ['l2']);
  const notName = await api.req('GET', `${cms}?fieldSelector=metadata.name!%3Dl2`);
  t.same(names(notName.body.items), ['l1', 'l3']);
  const all = await api.req('GET', `/api/v1/configmaps?fieldSelector=metadata.namespace%3Dsel`);
  t.same(names(all.body.items), ['l1', 'l2', 'l3']);
  const unsupported = await api.req('GET', `${cms}?fieldSelector=data.x%3Dy`);
  t.equal(unsupported.status, 400);
  t.match(unsupported.body['message'], /field label not supported: data.x/);
  await api.req('POST', '/api/v1/namespaces/sel/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p1' },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
  });
  await api.req('POST', '/api/v1/namespaces/sel/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2' }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  t.same(names((await api.req('GET', '/api/v1/namespaces/sel/pods?fieldSelector=spec.nodeName%3Dn1')).body.items), ['p1']);
  t.same(names((await api.req('GET', '/api/v1/namespaces/sel/pods?fieldSelector=spec.nodeName%3D,status.phase%3DPending')).body.items), ['p2']);
  await api.req('POST', '/api/v1/namespaces/sel/events', {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e1' },
    involvedObject: { kind: 'PersistentVolumeClaim', name: 'c1', namespace: 'sel', uid: 'u1' },
    reason: 'ProvisioningSucceeded',
    type: 'Normal',
  });
  const ev = await api.req('GET', '/api/v1/namespaces/sel/events?fieldSelector=involvedObject.name%3Dc1,involvedObject.kind%3DPersistentVolumeClaim,reason%3DProvisioningSucceeded,type%3DNormal');
  t.same(names(ev.body.items), ['e1']);
});

void t.test('list items carry no kind; the list carries the resourceVersion', async (t) => {
  const r = await api.req('GET', cms);
  t.equal(r.body['kind'], 'ConfigMapList');
  t.equal(r.body['apiVersion'], 'v1');
  t.match(r.body.metadata?.['resourceVersion'], /^\d+$/);
  t.notOk(r.body.items?.[0]?.['kind']);
});

void t.test('pagination: limit/continue is a consistent snapshot', async (t) => {
  await api.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pages' } });
  const path = '/api/v1/namespaces/pages/configmaps';
  for (let i = 0; i < 5; i++) await api.req('POST', path, configMap(`p${i}`));
  const first = await api.req('GET', `${path}?limit=2`);
  t.same(names(first.body.items), ['p0', 'p1']);
  t.equal(first.body.metadata?.['remainingItemCount'], 3);
  const token = String(first.body.metadata?.['continue']);
  await api.req('DELETE', `${path}/p3`);
  await api.req('POST', path, configMap('p5'));
  const second = await api.req('GET', `${path}?limit=2&continue=${encodeURIComponent(token)}`);
  t.same(names(second.body.items), ['p2', 'p3'], 'sees the list as of the first page');
  t.equal(second.body.metadata?.['resourceVersion'], first.body.metadata?.['resourceVersion']);
  const third = await api.req('GET', `${path}?limit=2&continue=${encodeURIComponent(String(second.body.metadata?.['continue']))}`);
  t.same(names(third.body.items), ['p4']);
  t.notOk(third.body.metadata?.['continue']);
  const bad = await api.req('GET', `${path}?limit=2&continue=garbage`);
  t.equal(bad.status, 400);
  // 20 kept events per resource; more writes than that expire the token.
  for (let i = 0; i < 25; i++) await api.req('PATCH', `${path}/p0`, { data: { i: String(i) } }, { 'Content-Type': 'application/merge-patch+json' });
  const expired = await api.req('GET', `${path}?limit=2&continue=${encodeURIComponent(token)}`);
  t.equal(expired.status, 410);
  t.match(expired.body, { reason: 'Expired', code: 410 });
});

void t.test('list at an exact resourceVersion', async (t) => {
  const path = '/api/v1/namespaces/sel/configmaps';
  const before = await api.req('GET', path);
  const rv = String(before.body.metadata?.['resourceVersion']);
  await api.req('POST', path, configMap('later'));
  const exact = await api.req('GET', `${path}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
  t.same(names(exact.body.items), names(before.body.items));
  const now = await api.req('GET', `${path}?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`);
  t.ok(names(now.body.items).includes('later'));
});

void t.test('watch without resourceVersion: ADDED for existing, then changes', async (t) => {
  await api.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w1' } });
  const path = '/api/v1/namespaces/w1/configmaps';
  await api.req('POST', path, configMap('a'));
  const w = api.watch(`${path}?watch=true`);
  t.teardown(() => w.close());
  const [initial] = await w.next();
  t.match(initial, { type: 'ADDED', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'a' } } });
  await api.req('PATCH', `${path}/a`, { data: { x: '1' } }, { 'Content-Type': 'application/merge-patch+json' });
  const del = await api.req('DELETE', `${path}/a`);
  const [mod, gone] = await w.next(2);
  t.equal(mod?.type, 'MODIFIED');
  t.equal(gone?.type, 'DELETED');
  t.equal(gone?.object.metadata?.['resourceVersion'], del.body.metadata?.['resourceVersion'], 'DELETED carries the deletion resourceVersion');
});

void t.test('watch from a resourceVersion replays what happened after it; resume works', async (t) => {
  await api.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w2' } });
  const path = '/api/v1/namespaces/w2/configmaps';
  const a = await api.req('POST', path, configMap('a'));
  await api.req('POST', path, configMap('b'));
  await api.req('DELETE', `${path}/a`);
  const w = api.watch(`${path}?watch=1&resourceVersion=${String(a.body.metadata?.['resourceVersion'])}`);
  t.teardown(() => w.close());
  const evs = await w.next(2);
  t.same(evs.map((e) => `${e.type} ${String(e.object.metadata?.['name'])}`), ['ADDED b', 'DELETED a']);
  const last = evs[1]?.object.metadata?.['resourceVersion'];
  w.close();
  await api.req('POST', path, configMap('c'));
  const resumed = api.watch(`${path}?watch=1&resourceVersion=${String(last)}`);
  t.teardown(() => resumed.close());
  const [c] = await resumed.next();
  t.equal(c?.object.metadata?.['name'], 'c');
});

void t.test('watch from a compacted resourceVersion: ERROR event with 410 Expired', async (t) => {
  await api.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w3' } });
  const path = '/api/v1/namespaces/w3/configmaps';
  const a = await api.req('POST', path, configMap('a'));
  for (let i = 0; i < 30; i++) await api.req('PATCH', `${path}/a`, { data: { i: String(i) } }, { 'Content-Type': 'application/merge-patch+json' });
  const w = api.watch(`${path}?watch=true&resourceVersion=${String(a.body.metadata?.['resourceVersion'])}`);
  const [err] = await w.next();
  t.match(err, { type: 'ERROR', object: { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired', message: /too old resource version/ } });
  await w.ended;
  t.pass('the stream closes after the error');
});

void t.test('watch with selectors: leaving the selection is DELETED, entering is ADDED', async (t) => {
  await api.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w4' } });
  const path = '/api/v1/namespaces/w4/configmaps';
  await api.req('POST', path, configMap('x', { team: 'a' }));
  await api.req('POST', path, configMap('y', { team: 'b' }));
  const w = api.watch(`${path}?watch=true&labelSelector=team%3Da`);
  t.teardown(() => w.close());
  t.same((await w.next()).map((e) => e.object.metadata?.['name']), ['x']);
  await api.req('PATCH', `${path}/x`, { metadata: { labels: { team: 'b' } } }, { 'Content-Type': 'application/merge-patch+json' });
  await api.req('PATCH', `${path}/y`, { metadata: { labels: { team: 'a' } } }, { 'Content-Type': 'application/merge-patch+json' });
  const evs = await w.next(2);
  t.same(evs.map((e) => `${e.type} ${String(e.object.metadata?.['name'])}`), ['DELETED x', 'ADDED y']);
  const byName = api.watch(`/api/v1/watch/namespaces/w4/configmaps/y`);
  t.teardown(() => byName.close());
  t.same((await byName.next()).map((e) => e.object.metadata?.['name']), ['y'], 'legacy single-object watch path');
});

void t.test('bookmarks, sendInitialEvents, timeoutSeconds', async (t) => {
  const path = '/api/v1/namespaces/w4/configmaps';
  const w = api.watch(`${path}?watch=true&allowWatchBookmarks=true&resourceVersion=${server.store.resourceVersion}`);
  t.teardown(() => w.close());
  const [bm] = await w.next(1, 2000);
  t.match(bm, { type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: /^\d+$/ } } });
  const init = api.watch(`${path}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
  t.teardown(() => init.close());
  const evs = await init.next(3, 2000);
  t.same(evs.map((e) => e.type), ['ADDED', 'ADDED', 'BOOKMARK']);
  t.match(evs[2]?.object.metadata, { annotations: { 'k8s.io/initial-events-end': 'true' } });
  const timed = api.watch(`${path}?watch=true&timeoutSeconds=1`);
  const started = Date.now();
  await timed.ended;
  t.ok(Date.now() - started < 3000, 'the server ends the watch after timeoutSeconds');
});

void t.test('a watch with a bad selector is answered with a 400 Status', async (t) => {
  const r = await api.req('GET', '/api/v1/namespaces/w4/configmaps?watch=true&fieldSelector=spec.nope%3D1');
  t.equal(r.status, 400);
  t.match(r.body, { kind: 'Status', reason: 'BadRequest' });
});

void t.test('cluster-wide watch of a namespaced resource', async (t) => {
  const w = api.watch(`/api/v1/configmaps?watch=true&resourceVersion=${server.store.resourceVersion}`);
  t.teardown(() => w.close());
  await api.req('POST', '/api/v1/namespaces/default/configmaps', configMap('cw1'));
  await api.req('POST', '/api/v1/namespaces/sel/configmaps', configMap('cw2'));
  const evs = await w.next(2);
  t.same(evs.map((e) => `${String(e.object.metadata?.['namespace'])}/${String(e.object.metadata?.['name'])}`), ['default/cw1', 'sel/cw2']);
});
