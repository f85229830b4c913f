// The RBAC evaluator the least-privilege test relies on must deny what the API server denies.
import t from 'tap';
import { allows, describe, exercises, grantsOf, permissionsOf } from './rbac-rules.ts';
import type { KubeObject } from './render.ts';

const clusterRole: KubeObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'runner' },
  rules: [
    { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'create'] },
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['*'] },
  ],
};
const role: KubeObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { name: 'le', namespace: 'ns1' },
  rules: [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: ['the-lease'] },
  ],
};
const [pvRule, scRule, leaseCreate, leaseNamed] = grantsOf([clusterRole, role]);
if (pvRule === undefined || scRule === undefined || leaseCreate === undefined || leaseNamed === undefined) throw new Error('four rules');

void t.test('a ClusterRole rule', (t) => {
  t.ok(allows(pvRule, { apiGroup: '', resource: 'persistentvolumes', verb: 'create' }));
  t.notOk(allows(pvRule, { apiGroup: '', resource: 'persistentvolumes', verb: 'delete' }), 'other verb');
  t.notOk(allows(pvRule, { apiGroup: 'x', resource: 'persistentvolumes', verb: 'get' }), 'other group');
  t.notOk(allows(pvRule, { apiGroup: '', resource: 'persistentvolumes', subresource: 'status', verb: 'get' }), 'subresource needs its own entry');
  t.ok(allows(scRule, { apiGroup: 'storage.k8s.io', resource: 'storageclasses', verb: 'watch' }), 'verb wildcard');
  t.end();
});

void t.test('a Role rule applies only in its namespace and to its names', (t) => {
  t.ok(allows(leaseCreate, { apiGroup: 'coordination.k8s.io', resource: 'leases', verb: 'create', namespace: 'ns1' }));
  t.notOk(allows(leaseCreate, { apiGroup: 'coordination.k8s.io', resource: 'leases', verb: 'create', namespace: 'ns2' }));
  t.notOk(allows(leaseCreate, { apiGroup: 'coordination.k8s.io', resource: 'leases', verb: 'list' }), 'not cluster-wide');
  t.ok(allows(leaseNamed, { apiGroup: 'coordination.k8s.io', resource: 'leases', verb: 'get', namespace: 'ns1', name: 'the-lease' }));
  t.notOk(allows(leaseNamed, { apiGroup: 'coordination.k8s.io', resource: 'leases', verb: 'get', namespace: 'ns1', name: 'other' }));
  t.notOk(allows(leaseNamed, { apiGroup: 'coordination.k8s.io', resource: 'leases', verb: 'get', namespace: 'ns1' }), 'a name rule never allows a nameless request');
  t.end();
});

void t.test('permissions expand per verb and are exercised only by matching requests', (t) => {
  const perms = permissionsOf(pvRule);
  t.same(perms.map((p) => p.verb), ['get', 'create']);
  const [get, create] = perms;
  if (get === undefined || create === undefined) throw new Error('two permissions');
  const req = { apiGroup: '', resource: 'persistentvolumes', verb: 'get', name: 'pv1' };
  t.ok(exercises(pvRule, get, req));
  t.notOk(exercises(pvRule, create, req));
  t.equal(describe({ ...req, namespace: 'a' }), 'get core/persistentvolumes in a');
  t.end();
});

void t.test('non-resource rules are refused rather than ignored', (t) => {
  t.throws(() => grantsOf([{ ...clusterRole, rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }]));
  t.end();
});
