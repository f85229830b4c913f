// The PATCH types: JSON merge patch, strategic merge patch (merge keys and directives), JSON patch,
// and server-side apply.
import t from 'tap';
import { startApiServer } from '../../../harness/apiserver/index.ts';
import { client, configMap } from './client.ts';

const server = await startApiServer();
t.teardown(() => server.stop());
const api = client(server);
const cms = '/api/v1/namespaces/default/configmaps';
const deploys = '/apis/apps/v1/namespaces/default/deployments';
const merge = { 'Content-Type': 'application/merge-patch+json' };
const smp = { 'Content-Type': 'application/strategic-merge-patch+json' };
const jsonp = { 'Content-Type': 'application/json-patch+json' };

const deployment = (name: string): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, finalizers: ['a/one'] },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: 'main', image: 'img:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] },
          { name: 'side', image: 'side:1' },
        ],
        volumes: [{ name: 'v1', emptyDir: {} }],
        tolerations: [{ key: 'k1', operator: 'Exists' }],
      },
    },
  },
});

type Spec = { template: { spec: { containers: { name: string; image: string; env?: { name: string; value: string }[]; ports?: unknown[] }[]; volumes: unknown[]; tolerations: unknown[] } } };
const podSpec = (body: Record<string, unknown>): Spec['template']['spec'] => (body['spec'] as Spec).template.spec;

void t.test('JSON merge patch (RFC 7386)', async (t) => {
  await api.req('POST', cms, configMap('m', { a: '1', b: '2' }, { x: '1', y: '2' }));
  const r = await api.req('PATCH', `${cms}/m`, { metadata: { labels: { a: null, c: '3' } }, data: { y: 'two', z: '3' } }, merge);
  t.equal(r.status, 200);
  t.same(r.body.metadata?.['labels'], { b: '2', c: '3' });
  t.same(r.body['data'], { x: '1', y: 'two', z: '3' });
  const stale = await api.req('PATCH', `${cms}/m`, { metadata: { resourceVersion: '1' }, data: { q: '1' } }, merge);
  t.equal(stale.status, 409, 'a resourceVersion in the patch is a precondition');
  const missing = await api.req('PATCH', `${cms}/none`, { data: {} }, merge);
  t.equal(missing.status, 404);
  const unknown = await api.req('PATCH', `${cms}/m`, { data: {} }, { 'Content-Type': 'text/plain' });
  t.equal(unknown.status, 415);
});

void t.test('strategic merge patch: lists merge by key, $patch directives, primitive sets', async (t) => {
  await api.req('POST', deploys, deployment('s'));
  const r = await api.req(
    'PATCH',
    `${deploys}/s`,
    {
      metadata: { finalizers: ['b/two'] },
      spec: {
        template: {
          spec: {
            containers: [{ name: 'main', image: 'img:2', env: [{ name: 'B', value: 'two' }, { name: 'C', value: '3' }] }, { name: 'side', $patch: 'delete' }],
            volumes: [{ name: 'v2', emptyDir: {} }],
            tolerations: [{ key: 'k2', operator: 'Exists' }],
          },
        },
      },
    },
    smp,
  );
  t.equal(r.status, 200, JSON.stringify(r.body));
  const ps = podSpec(r.body);
  t.same(ps.containers.map((c) => `${c.name}=${c.image}`), ['main=img:2'], 'merged by name; side deleted');
  t.same(ps.containers[0]?.env, [{ name: 'A', value: '1' }, { name: 'B', value: 'two' }, { name: 'C', value: '3' }], 'env merged by name');
  t.same(ps.containers[0]?.ports, [{ containerPort: 80, protocol: 'TCP' }], 'untouched lists kept (with the defaulted protocol)');
  t.same((ps.volumes as { name: string }[]).map((v) => v.name), ['v1', 'v2'], 'volumes merged by name');
  t.same(ps.tolerations, [{ key: 'k2', operator: 'Exists' }], 'tolerations are atomic');
  t.same(r.body.metadata?.['finalizers'], ['a/one', 'b/two'], 'finalizers are a merged set');
  t.equal(r.body.metadata?.['generation'], 2);

  const replaced = await api.req('PATCH', `${deploys}/s`, { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'o:1' }] } } } }, smp);
  t.same(podSpec(replaced.body).containers.map((c) => c.name), ['only'], '$patch: replace on a list');
  const removed = await api.req('PATCH', `${deploys}/s`, { metadata: { $deleteFromPrimitiveList: undefined, '$deleteFromPrimitiveList/finalizers': ['a/one'] } }, smp);
  t.same(removed.body.metadata?.['finalizers'], ['b/two'], '$deleteFromPrimitiveList');
  const strat = await api.req('PATCH', `${deploys}/s`, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, smp);
  t.same((strat.body['spec'] as Record<string, unknown>)['strategy'], { type: 'Recreate' }, '$retainKeys drops rollingUpdate');
  const mapReplace = await api.req('PATCH', `${cms}/m`, { data: { $patch: 'replace', only: 'this' } }, smp);
  t.same(mapReplace.body['data'], { only: 'this' }, '$patch: replace on a map');
  const ordered = await api.req(
    'PATCH',
    `${deploys}/s`,
    { spec: { template: { spec: { $setElementOrder: undefined, '$setElementOrder/containers': [{ name: 'second' }, { name: 'only' }], containers: [{ name: 'second', image: 'x' }] } } } },
    smp,
  );
  t.same(podSpec(ordered.body).containers.map((c) => c.name), ['second', 'only'], '$setElementOrder');
  const noKey = await api.req('PATCH', `${deploys}/s`, { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, smp);
  t.equal(noKey.status, 400, 'merge key missing');
});

void t.test('JSON patch (RFC 6902)', async (t) => {
  await api.req('POST', cms, configMap('j', {}, { a: '1' }));
  const r = await api.req(
    'PATCH',
    `${cms}/j`,
    [
      { op: 'add', path: '/data/b', value: '2' },
      { op: 'replace', path: '/data/a', value: 'one' },
      { op: 'add', path: '/metadata/labels', value: { l: 'v' } },
    ],
    jsonp,
  );
  t.equal(r.status, 200);
  t.same(r.body['data'], { a: 'one', b: '2' });
  const failed = await api.req('PATCH', `${cms}/j`, [{ op: 'test', path: '/data/a', value: 'nope' }, { op: 'remove', path: '/data/a' }], jsonp);
  t.equal(failed.status, 422, 'a failing test op rejects the whole patch');
  t.same((await api.req('GET', `${cms}/j`)).body['data'], { a: 'one', b: '2' });
  const notList = await api.req('PATCH', `${cms}/j`, { op: 'add' }, jsonp);
  t.equal(notList.status, 400);
});

void t.test('patch with dryRun=All changes nothing', async (t) => {
  const r = await api.req('PATCH', `${cms}/j?dryRun=All`, { data: { dry: 'run' } }, merge);
  t.equal(r.status, 200);
  t.match(r.body['data'], { dry: 'run' });
  t.notMatch((await api.req('GET', `${cms}/j`)).body['data'], { dry: 'run' });
});

void t.test('server-side apply: create, update, drop fields the manager stopped applying', async (t) => {
  const apply = { 'Content-Type': 'application/apply-patch+yaml' };
  const yaml1 = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  labels:\n    a: "1"\ndata:\n  x: "1"\n  y: "2"\n';
  const created = await api.req('PATCH', `${cms}/ssa?fieldManager=tester`, yaml1, apply);
  t.equal(created.status, 201);
  t.match(created.body.metadata?.['managedFields'], [{ manager: 'tester', operation: 'Apply', fieldsType: 'FieldsV1' }]);
  await api.req('PATCH', `${cms}/ssa`, { data: { other: 'kept' } }, merge);
  const yaml2 = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  x: "10"\n';
  const updated = await api.req('PATCH', `${cms}/ssa?fieldManager=tester`, yaml2, apply);
  t.equal(updated.status, 200);
  t.same(updated.body['data'], { x: '10', other: 'kept' }, 'y dropped; other manager\'s field kept');
  t.notOk(updated.body.metadata?.['labels'], 'label dropped');
  const noManager = await api.req('PATCH', `${cms}/ssa`, yaml2, apply);
  t.equal(noManager.status, 400);
});
