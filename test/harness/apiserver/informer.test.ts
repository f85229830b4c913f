// A @kubernetes/client-node informer (ListWatch) against the harness keeps a correct cache across
// dropped watches and a 410 Gone. client-node informers stop on errors: users restart them after a
// delay (the pattern shown here); a 410 makes the informer relist by itself.
import t from 'tap';
import { CoreV1Api, KubeConfig, makeInformer } from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { startApiServer } from '../../../harness/apiserver/index.ts';
import { client, configMap } from './client.ts';

const server = await startApiServer({ historySize: 10 });
t.teardown(() => server.stop());
const api = client(server);
const ns = 'inf';
const path = `/api/v1/namespaces/${ns}/configmaps`;
await api.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

const kc = new KubeConfig();
kc.loadFromFile(server.kubeconfigPath);
const core = kc.makeApiClient(CoreV1Api);
const informer = makeInformer<V1ConfigMap>(kc, path, () => core.listNamespacedConfigMap({ namespace: ns }));
let errors = 0;
let stopped = false;
informer.on('error', () => {
  errors++;
  if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 200);
});
t.teardown(async () => {
  stopped = true;
  await informer.stop();
});

const serverState = async (): Promise<string[]> =>
  ((await api.req('GET', path)).body.items ?? [])
    .map((i) => i['metadata'] as { name: string; resourceVersion: string })
    .map((m) => `${m.name}@${m.resourceVersion}`)
    .sort();
const cacheState = (): string[] => informer.list().map((o) => `${o.metadata?.name ?? ''}@${o.metadata?.resourceVersion ?? ''}`).sort();

async function converged(t: { same: (a: unknown, b: unknown, m: string) => void }, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let want = await serverState();
  while (Date.now() < deadline) {
    want = await serverState();
    if (JSON.stringify(cacheState()) === JSON.stringify(want)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.same(cacheState(), want, what);
}

const patchData = (name: string, v: string): Promise<unknown> =>
  api.req('PATCH', `${path}/${name}`, { data: { v } }, { 'Content-Type': 'application/merge-patch+json' });

void t.test('initial list and live events', async (t) => {
  await api.req('POST', path, configMap('a'));
  await informer.start();
  await api.req('POST', path, configMap('b'));
  await api.req('POST', path, configMap('c'));
  await patchData('a', '1');
  await converged(t, 'cache after start');
});

void t.test('a dropped watch resumes from the last resourceVersion', async (t) => {
  const lists = server.requests.count({ verb: 'list', resource: 'configmaps', userAgent: 'kubernetes-client-javascript' });
  t.equal(server.faults.dropWatches(), 1);
  await api.req('DELETE', `${path}/b`);
  await api.req('POST', path, configMap('d'));
  await converged(t, 'cache after a clean drop');
  t.equal(server.requests.count({ verb: 'list', resource: 'configmaps', userAgent: 'kubernetes-client-javascript' }), lists, 'no relist needed');
});

void t.test('an error stops the informer; restarted after the history moved on, it gets 410 and relists', async (t) => {
  const lists = server.requests.count({ verb: 'list', resource: 'configmaps', userAgent: 'kubernetes-client-javascript' });
  const errorsBefore = errors;
  // Watches fail while the history moves past the informer's resourceVersion.
  const refuse = server.faults.add({ verbs: ['watch'], resources: ['configmaps'], code: 500 });
  server.faults.dropWatches({ abrupt: true });
  for (let i = 0; i < 15; i++) await patchData('a', `x${i}`);
  await api.req('DELETE', `${path}/c`);
  await api.req('POST', path, configMap('e'));
  await new Promise((r) => setTimeout(r, 300));
  refuse();
  const gone = await fetch(`${server.url}${path}?watch=true&resourceVersion=2`);
  t.match(await gone.text(), /"code":410/, 'the informer\'s resourceVersion is expired by now');
  await converged(t, 'cache after 410 and relist');
  t.ok(errors > errorsBefore, 'the informer reported the error');
  t.ok(server.requests.count({ verb: 'list', resource: 'configmaps', userAgent: 'kubernetes-client-javascript' }) > lists, 'it relisted');
});

void t.test('bookmarks and server restarts do not disturb the cache', async (t) => {
  await server.restart();
  // Our own test client's pooled connections were cut by the restart too.
  await new Promise((r) => setTimeout(r, 50));
  await api.req('POST', path, configMap('f'));
  await patchData('d', 'after-restart');
  await converged(t, 'cache after a server restart');
});
