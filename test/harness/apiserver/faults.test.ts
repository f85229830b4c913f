// The request log and fault injection: error rates, 429 with Retry-After, latency, hanging
// requests, dropped watches, and a restart that keeps the stored state.
import t from 'tap';
import { startApiServer } from '../../../harness/apiserver/index.ts';
import { client, configMap } from './client.ts';

const server = await startApiServer({ seed: 42 });
t.teardown(() => server.stop());
const api = client(server, 'fault-test/1.0');
const other = client(server, 'someone-else/2.0');
const cms = '/api/v1/namespaces/default/configmaps';

void t.test('the request log counts by verb, resource, client, code', async (t) => {
  server.requests.reset();
  await api.req('POST', cms, configMap('log-a'));
  await api.req('GET', `${cms}/log-a`);
  await api.req('GET', cms);
  await api.req('GET', `${cms}/missing`);
  await other.req('PATCH', `${cms}/log-a`, { data: { a: '1' } }, { 'Content-Type': 'application/merge-patch+json' });
  await api.req('PUT', `${cms}/log-a/status`, configMap('log-a'));
  await api.req('DELETE', `${cms}/log-a`);
  await api.req('GET', '/api/v1/namespaces/default/persistentvolumeclaims/x/status');
  const log = server.requests;
  t.equal(log.count({ verb: 'create', resource: 'configmaps' }), 1);
  t.equal(log.count({ verb: 'get' }), 3);
  t.equal(log.count({ verb: 'list' }), 1);
  t.equal(log.count({ verb: 'patch', userAgent: 'someone-else' }), 1);
  t.equal(log.count({ userAgent: /^fault-test\// }), 7);
  t.equal(log.count({ code: 404 }), 3);
  t.equal(log.count({ subresource: 'status' }), 2);
  const [entry] = log.entries({ verb: 'delete' });
  t.match(entry, { verb: 'delete', apiGroup: '', resource: 'configmaps', namespace: 'default', name: 'log-a', userAgent: 'fault-test/1.0', code: 200 });
  t.ok((entry?.durationMs ?? -1) >= 0);
  log.reset();
  t.equal(log.count(), 0);
});

void t.test('error rate per verb and client; 429 carries Retry-After', async (t) => {
  const remove = server.faults.add({ verbs: ['create'], userAgent: 'fault-test', code: 429, retryAfterSeconds: 3 });
  const r = await api.req('POST', cms, configMap('f1'));
  t.equal(r.status, 429);
  t.equal(r.headers.get('retry-after'), '3');
  t.match(r.body, { kind: 'Status', reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 3 } });
  t.equal((await other.req('POST', cms, configMap('f2'))).status, 201, 'other clients unaffected');
  t.equal((await api.req('GET', `${cms}/f2`)).status, 200, 'other verbs unaffected');
  remove();
  t.equal((await api.req('POST', cms, configMap('f1'))).status, 201, 'removed');

  const half = server.faults.add({ resources: ['configmaps'], verbs: ['get'], code: 500, errorRate: 0.5 });
  const codes: number[] = [];
  for (let i = 0; i < 60; i++) codes.push((await api.req('GET', `${cms}/f1`)).status);
  half();
  const failed = codes.filter((c) => c === 500).length;
  t.ok(failed > 10 && failed < 50, `about half fail (${failed}/60)`);
  for (const code of [409, 503] as const) {
    const rm = server.faults.add({ verbs: ['update'], code });
    t.equal((await api.req('PUT', `${cms}/f1`, configMap('f1'))).status, code);
    rm();
  }
});

void t.test('latency and hanging requests', async (t) => {
  const slow = server.faults.add({ verbs: ['list'], latencyMs: 300 });
  const started = Date.now();
  await api.req('GET', cms);
  t.ok(Date.now() - started >= 250, 'delayed');
  slow();
  const release = server.faults.add({ verbs: ['get'], resources: ['configmaps'], hang: true });
  let answered = false;
  const pending = api.req('GET', `${cms}/f1`).then((r) => {
    answered = true;
    return r;
  });
  await new Promise((r) => setTimeout(r, 300));
  t.notOk(answered, 'hangs while the rule is in place');
  t.equal((await api.req('GET', cms)).status, 200, 'other requests still served');
  release();
  t.equal((await pending).status, 200, 'released requests are then served');
});

void t.test('dropWatches ends every open watch; dropWatchesEvery keeps doing it', async (t) => {
  const a = api.watch(`${cms}?watch=true`);
  const b = api.watch('/api/v1/namespaces?watch=true');
  await a.next();
  await b.next();
  t.equal(server.faults.dropWatches(), 2);
  await Promise.all([a.ended, b.ended]);
  t.pass('both ended');
  const stop = server.faults.dropWatchesEvery(100);
  const c = api.watch(`${cms}?watch=true`);
  await c.ended;
  stop();
  const d = api.watch(`${cms}?watch=true&resourceVersion=${server.store.resourceVersion}`);
  let ended = false;
  void d.ended.then(() => (ended = true));
  await new Promise((r) => setTimeout(r, 300));
  t.notOk(ended, 'stopped dropping');
  d.close();
  const abrupt = api.watch(`${cms}?watch=true`);
  await abrupt.next();
  server.faults.dropWatches({ abrupt: true });
  await abrupt.ended;
  t.pass('abrupt drop closes the connection');
});

void t.test('a watch whose client left during its injected latency is never started', async (t) => {
  const slow = server.faults.add({ verbs: ['watch'], latencyMs: 300 });
  t.teardown(slow);
  const before = server.openWatches();
  const w = api.watch(`${cms}?watch=true`);
  await new Promise((r) => setTimeout(r, 50));
  w.close();
  await w.ended;
  await new Promise((r) => setTimeout(r, 400));
  t.equal(server.openWatches(), before, 'no watch (store subscription, timeout timers) left behind');
});

void t.test('faults.clear removes every rule', async (t) => {
  server.faults.add({ code: 500 });
  t.equal((await api.req('GET', cms)).status, 500);
  server.faults.clear();
  t.equal((await api.req('GET', cms)).status, 200);
});

void t.test('restart closes connections and keeps objects and the resourceVersion counter', async (t) => {
  const w = api.watch(`${cms}?watch=true`);
  await w.next();
  const before = await api.req('GET', `${cms}/f1`);
  const rv = server.store.resourceVersion;
  await server.restart();
  await w.ended;
  t.pass('watch closed by the restart');
  const after = await api.req('GET', `${cms}/f1`);
  t.same(after.body, before.body);
  const created = await api.req('POST', cms, configMap('after-restart'));
  t.ok(Number(created.body.metadata?.['resourceVersion']) > rv, 'counter continues');
  t.equal(new URL(server.url).port, new URL(server.url).port);
});

void t.test('the same seed gives the same fault decisions', async (t) => {
  const run = async (): Promise<number[]> => {
    const s = await startApiServer({ seed: 7 });
    const c = client(s);
    s.faults.add({ verbs: ['list'], code: 500, errorRate: 0.5 });
    const out: number[] = [];
    for (let i = 0; i < 20; i++) out.push((await c.req('GET', cms)).status);
    await s.stop();
    return out;
  };
  t.same(await run(), await run());
});
