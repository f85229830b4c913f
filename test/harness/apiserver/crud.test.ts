// Create/get/update/delete with Kubernetes' object semantics and failure bodies.
import t from 'tap';
import { startApiServer } from '../../../harness/apiserver/index.ts';
import { client, configMap, pvc } from './client.ts';

const server = await startApiServer();
t.teardown(() => server.stop());
const api = client(server);
const cms = '/api/v1/namespaces/default/configmaps';
const deployment = (name: string): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});

void t.test('create sets uid, creationTimestamp, resourceVersion; get returns it', async (t) => {
  const created = await api.req('POST', cms, configMap('a', { x: '1' }, { k: 'v' }));
  t.equal(created.status, 201);
  const meta = created.body.metadata ?? {};
  t.match(meta, { name: 'a', namespace: 'default', uid: /^[0-9a-f-]{36}$/, resourceVersion: /^\d+$/, creationTimestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/ });
  const got = await api.req('GET', `${cms}/a`);
  t.equal(got.status, 200);
  t.same(got.body, created.body);
});

void t.test('resourceVersion increases across kinds', async (t) => {
  const a = await api.req('POST', cms, configMap('rv-a'));
  const b = await api.req('POST', '/api/v1/namespaces/default/persistentvolumeclaims', pvc('rv-b'));
  const c = await api.req('POST', cms, configMap('rv-c'));
  const rvs = [a, b, c].map((r) => Number(r.body.metadata?.['resourceVersion']));
  t.ok((rvs[0] ?? 0) < (rvs[1] ?? 0) && (rvs[1] ?? 0) < (rvs[2] ?? 0), `increasing: ${rvs.join(',')}`);
});

void t.test('409 AlreadyExists, 404 NotFound with Status bodies', async (t) => {
  await api.req('POST', cms, configMap('dup'));
  const again = await api.req('POST', cms, configMap('dup'));
  t.equal(again.status, 409);
  t.match(again.body, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', code: 409, details: { name: 'dup', kind: 'configmaps' } });
  t.equal(again.body['message'], 'configmaps "dup" already exists');
  const missing = await api.req('GET', `${cms}/nope`);
  t.equal(missing.status, 404);
  t.match(missing.body, { kind: 'Status', reason: 'NotFound', code: 404, message: 'configmaps "nope" not found' });
  const sc = await api.req('GET', '/apis/storage.k8s.io/v1/storageclasses/nope');
  t.equal(sc.body['message'], 'storageclasses.storage.k8s.io "nope" not found');
});

void t.test('update with a stale resourceVersion is a 409 Conflict; without one it is unconditional', async (t) => {
  const created = await api.req('POST', cms, configMap('upd', {}, { v: '1' }));
  const rv = created.body.metadata?.['resourceVersion'];
  const ok = await api.req('PUT', `${cms}/upd`, { ...created.body, data: { v: '2' } });
  t.equal(ok.status, 200);
  t.not(ok.body.metadata?.['resourceVersion'], rv);
  const stale = await api.req('PUT', `${cms}/upd`, { ...created.body, data: { v: '3' } });
  t.equal(stale.status, 409);
  t.match(stale.body, { reason: 'Conflict', message: /Operation cannot be fulfilled on configmaps "upd": the object has been modified/ });
  const body = { ...created.body, metadata: { name: 'upd' }, data: { v: '4' } };
  const unconditional = await api.req('PUT', `${cms}/upd`, body);
  t.equal(unconditional.status, 200);
  t.same(unconditional.body['data'], { v: '4' });
  t.equal(unconditional.body.metadata?.['uid'], created.body.metadata?.['uid'], 'uid kept');
  const missing = await api.req('PUT', `${cms}/nope`, configMap('nope'));
  t.equal(missing.status, 404);
});

void t.test('an update that changes nothing keeps the resourceVersion', async (t) => {
  const created = await api.req('POST', cms, configMap('noop', {}, { v: '1' }));
  const same = await api.req('PUT', `${cms}/noop`, created.body);
  t.equal(same.body.metadata?.['resourceVersion'], created.body.metadata?.['resourceVersion']);
});

void t.test('generation starts at 1 and is bumped on spec changes only, for the kinds that have one', async (t) => {
  const path = '/apis/apps/v1/namespaces/default/deployments';
  const c = await api.req('POST', path, deployment('gen'));
  t.equal(c.body.metadata?.['generation'], 1);
  const labelled = await api.req('PUT', `${path}/gen`, { ...c.body, metadata: { ...c.body.metadata, labels: { a: 'b' } } });
  t.equal(labelled.body.metadata?.['generation'], 1, 'metadata change');
  const spec = labelled.body['spec'] as Record<string, unknown>;
  const scaled = await api.req('PUT', `${path}/gen`, { ...labelled.body, spec: { ...spec, replicas: 3 } });
  t.equal(scaled.status, 200);
  t.equal(scaled.body.metadata?.['generation'], 2, 'spec change');
  // As on a real server: claims, config maps and namespaces carry no generation.
  const claim = await api.req('POST', '/api/v1/namespaces/default/persistentvolumeclaims', pvc('gen'));
  t.equal(claim.body.metadata?.['generation'], undefined, 'no generation on a claim');
  t.equal((await api.req('POST', cms, configMap('gen'))).body.metadata?.['generation'], undefined, 'nor on a config map');
});

void t.test('generateName', async (t) => {
  const a = await api.req('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
  const b = await api.req('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
  t.equal(a.status, 201);
  t.match(a.body.metadata?.['name'], /^gen-[a-z0-9]{5}$/);
  t.not(a.body.metadata?.['name'], b.body.metadata?.['name']);
});

void t.test('delete answers the object and it is gone', async (t) => {
  await api.req('POST', cms, configMap('del'));
  const del = await api.req('DELETE', `${cms}/del`);
  t.equal(del.status, 200);
  t.equal(del.body.metadata?.['name'], 'del');
  t.equal((await api.req('GET', `${cms}/del`)).status, 404);
  t.equal((await api.req('DELETE', `${cms}/del`)).status, 404);
});

void t.test('delete preconditions', async (t) => {
  const c = await api.req('POST', cms, configMap('pre'));
  const wrong = await api.req('DELETE', `${cms}/pre`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'other' } });
  t.equal(wrong.status, 409);
  const right = await api.req('DELETE', `${cms}/pre`, { preconditions: { uid: c.body.metadata?.['uid'], resourceVersion: c.body.metadata?.['resourceVersion'] } });
  t.equal(right.status, 200);
});

void t.test('a namespaced object in a missing namespace is 404; cluster-scoped objects have no namespace', async (t) => {
  const r = await api.req('POST', '/api/v1/namespaces/ghost/configmaps', configMap('x'));
  t.equal(r.status, 404);
  t.equal(r.body['message'], 'namespaces "ghost" not found');
  const pv = await api.req('POST', '/api/v1/persistentvolumes', {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv-1', namespace: 'default' },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], nfs: { server: 'h', path: '/x' } },
  });
  t.equal(pv.status, 201);
  t.notOk(pv.body.metadata?.['namespace']);
});

void t.test('dryRun=All validates without storing', async (t) => {
  const r = await api.req('POST', `${cms}?dryRun=All`, configMap('dry'));
  t.equal(r.status, 201);
  t.equal((await api.req('GET', `${cms}/dry`)).status, 404);
});

void t.test('kind and namespace mismatches are 400', async (t) => {
  const wrongNs = await api.req('POST', cms, { ...configMap('w'), metadata: { name: 'w', namespace: 'kube-system' } });
  t.equal(wrongNs.status, 400);
  const wrongKind = await api.req('POST', cms, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'w' } });
  t.equal(wrongKind.status, 400);
  const bad = await api.req('POST', cms, '{not json');
  t.equal(bad.status, 400);
});
