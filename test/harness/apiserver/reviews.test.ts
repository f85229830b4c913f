// Authorization reviews: answered as a real server with AlwaysAllow answers them (this server
// enforces no authorization), validated as the real one, never stored, create only.
import t from 'tap';
import { startApiServer } from '../../../harness/apiserver/index.ts';
import { client } from './client.ts';

const server = await startApiServer();
t.teardown(() => server.stop());
const api = client(server);
const ssar = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
const review = (spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec });

void t.test('SelfSubjectAccessReview', async (t) => {
  const r = await api.req('POST', ssar, review({ resourceAttributes: { verb: 'create', resource: 'persistentvolumes' } }));
  t.equal(r.status, 201);
  t.same(r.body, { ...review({ resourceAttributes: { verb: 'create', resource: 'persistentvolumes' } }), metadata: {}, status: { allowed: true } });
  const nonResource = await api.req('POST', ssar, review({ nonResourceAttributes: { verb: 'get', path: '/healthz' } }));
  t.match(nonResource.body, { status: { allowed: true } });
  for (const spec of [{}, { resourceAttributes: {}, nonResourceAttributes: {} }]) {
    const bad = await api.req('POST', ssar, review(spec));
    t.equal(bad.status, 422, JSON.stringify(spec));
    t.match(bad.body['message'], /exactly one of nonResourceAttributes or resourceAttributes must be specified/);
  }
  const named = await api.req('POST', ssar, { ...review({ resourceAttributes: {} }), metadata: { name: 'x' } });
  t.equal(named.status, 422, 'metadata must be empty');
  t.equal((await api.req('GET', ssar)).status, 405, 'nothing to list');
  t.equal((await api.req('GET', `${ssar}/x`)).status, 405);
});

void t.test('SelfSubjectRulesReview', async (t) => {
  const r = await api.req('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } });
  t.equal(r.status, 201);
  t.same(r.body['status'], { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false });
});

void t.test('discovery lists reviews as create-only', async (t) => {
  const list = await api.req('GET', '/apis/authorization.k8s.io/v1');
  const resources = list.body['resources'] as { name: string; verbs: string[]; namespaced: boolean }[];
  t.match(resources, [
    { name: 'selfsubjectaccessreviews', verbs: ['create'], namespaced: false },
    { name: 'selfsubjectrulesreviews', verbs: ['create'], namespaced: false },
  ]);
  const groups = await api.req('GET', '/apis');
  t.ok((groups.body['groups'] as { name: string }[]).some((g) => g.name === 'authorization.k8s.io'));
});
