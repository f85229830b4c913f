// Finalizers and deletionTimestamp, namespace termination, 422 validation, admission on claims.
import t from 'tap';
import { startApiServer } from '../../../harness/apiserver/index.ts';
import { client, configMap, pvc } from './client.ts';

const server = await startApiServer();
t.teardown(() => server.stop());
const api = client(server);
const cms = '/api/v1/namespaces/default/configmaps';
const pvcs = '/api/v1/namespaces/default/persistentvolumeclaims';

void t.test('delete with finalizers marks; removing the last finalizer deletes (DELETED event)', async (t) => {
  const c = await api.req('POST', cms, { ...configMap('fin'), metadata: { name: 'fin', finalizers: ['a/x', 'b/y'] } });
  const w = api.watch(`${cms}?watch=true&resourceVersion=${String(c.body.metadata?.['resourceVersion'])}`);
  t.teardown(() => w.close());
  const del = await api.req('DELETE', `${cms}/fin`);
  t.equal(del.status, 202, 'accepted, not gone');
  t.match(del.body.metadata, { deletionTimestamp: /Z$/, finalizers: ['a/x', 'b/y'] });
  const [marked] = await w.next();
  t.equal(marked?.type, 'MODIFIED');
  const again = await api.req('DELETE', `${cms}/fin`);
  t.equal(again.status, 202, 'deleting again changes nothing');
  t.equal(again.body.metadata?.['resourceVersion'], del.body.metadata?.['resourceVersion']);
  const adding = await api.req('PATCH', `${cms}/fin`, { metadata: { finalizers: ['a/x', 'b/y', 'c/z'] } }, { 'Content-Type': 'application/merge-patch+json' });
  t.equal(adding.status, 422, 'no new finalizers while deleting');
  const one = await api.req('PATCH', `${cms}/fin`, { metadata: { finalizers: ['b/y'] } }, { 'Content-Type': 'application/merge-patch+json' });
  t.equal(one.status, 200);
  t.equal((await api.req('GET', `${cms}/fin`)).status, 200, 'still there with one finalizer');
  const last = await api.req('PATCH', `${cms}/fin`, { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
  t.equal(last.status, 200);
  t.equal((await api.req('GET', `${cms}/fin`)).status, 404, 'gone');
  const events = await w.next(2);
  t.same(events.map((e) => e.type), ['MODIFIED', 'DELETED']);
});

void t.test('deleting a namespace: Terminating, contents deleted, then gone; no new content meanwhile', async (t) => {
  await api.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
  const ns = await api.req('GET', '/api/v1/namespaces/doomed');
  t.match(ns.body, { status: { phase: 'Active' }, spec: { finalizers: ['kubernetes'] }, metadata: { labels: { 'kubernetes.io/metadata.name': 'doomed' } } });
  await api.req('POST', '/api/v1/namespaces/doomed/configmaps', configMap('plain'));
  await api.req('POST', '/api/v1/namespaces/doomed/configmaps', { ...configMap('held'), metadata: { name: 'held', finalizers: ['test/hold'] } });
  const del = await api.req('DELETE', '/api/v1/namespaces/doomed');
  t.equal(del.status, 202);
  t.match(del.body, { status: { phase: 'Terminating' } });
  const refused = await api.req('POST', '/api/v1/namespaces/doomed/configmaps', configMap('late'));
  t.equal(refused.status, 403);
  t.match(refused.body['message'], /because it is being terminated/);
  await new Promise((r) => setTimeout(r, 50));
  t.equal((await api.req('GET', '/api/v1/namespaces/doomed/configmaps/plain')).status, 404, 'contents deleted');
  t.equal((await api.req('GET', '/api/v1/namespaces/doomed')).status, 200, 'held by a finalizer of its content');
  await api.req('PATCH', '/api/v1/namespaces/doomed/configmaps/held', { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
  await new Promise((r) => setTimeout(r, 50));
  t.equal((await api.req('GET', '/api/v1/namespaces/doomed')).status, 404, 'namespace gone');
});

void t.test('422 Invalid: names and required fields', async (t) => {
  const badName = await api.req('POST', cms, configMap('Bad_Name'));
  t.equal(badName.status, 422);
  t.match(badName.body, { reason: 'Invalid', details: { causes: [{ field: 'metadata.name', reason: 'FieldValueInvalid' }] } });
  t.match(badName.body['message'], /ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  const dotted = await api.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } });
  t.equal(dotted.status, 422, 'namespaces are DNS labels');
  const noName = await api.req('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} });
  t.equal(noName.status, 422);
  const claim = await api.req('POST', pvcs, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'empty' }, spec: {} });
  t.equal(claim.status, 422);
  t.same(
    (claim.body['details'] as { causes: { field: string }[] }).causes.map((c) => c.field).sort(),
    ['spec.accessModes', 'spec.resources[storage]'],
  );
  const pv = await api.req('POST', '/api/v1/persistentvolumes', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-bad' }, spec: { accessModes: ['ReadWriteOnce'] } });
  t.equal(pv.status, 422);
  t.match(pv.body['message'], /spec.capacity: Required value/);
  t.match(pv.body['message'], /must specify a volume type/);
  const sc = await api.req('POST', '/apis/storage.k8s.io/v1/storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'no-prov' } });
  t.equal(sc.status, 422);
  t.match(sc.body['message'], /provisioner: Required value/);
  const rbac = await api.req('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:controller:x' }, rules: [] });
  t.equal(rbac.status, 201, 'RBAC names are path segments');
});

void t.test('claim spec is immutable except requests; class parameters are immutable', async (t) => {
  const c = await api.req('POST', pvcs, pvc('immut'));
  const changed = await api.req('PATCH', `${pvcs}/immut`, { spec: { accessModes: ['ReadWriteOnce'] } }, { 'Content-Type': 'application/merge-patch+json' });
  t.equal(changed.status, 422);
  t.match(changed.body['message'], /spec is immutable after creation/);
  const bound = await api.req('PATCH', `${pvcs}/immut`, { spec: { volumeName: 'pv-x' } }, { 'Content-Type': 'application/merge-patch+json' });
  t.equal(bound.status, 200, 'volumeName may be set once');
  t.ok(c.body.metadata);
  await api.req('POST', '/apis/storage.k8s.io/v1/storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'p' }, provisioner: 'x', parameters: { a: '1' } });
  const sc = await api.req('PATCH', '/apis/storage.k8s.io/v1/storageclasses/p', { parameters: { a: '2' } }, { 'Content-Type': 'application/merge-patch+json' });
  t.equal(sc.status, 422);
  t.match(sc.body['message'], /parameters: Forbidden: updates to parameters are forbidden/);
});

void t.test('status subresource: main updates ignore status, status updates ignore spec', async (t) => {
  const c = await api.req('POST', pvcs, { ...pvc('st'), status: { phase: 'Bound' } });
  t.match(c.body['status'], { phase: 'Pending' }, 'status from create is dropped');
  const main = await api.req('PATCH', `${pvcs}/st`, { status: { phase: 'Bound' }, metadata: { labels: { a: 'b' } } }, { 'Content-Type': 'application/merge-patch+json' });
  t.match(main.body, { status: { phase: 'Pending' }, metadata: { labels: { a: 'b' } } });
  const status = await api.req('PATCH', `${pvcs}/st/status`, { status: { phase: 'Bound' }, spec: { volumeName: 'sneaky' } }, { 'Content-Type': 'application/merge-patch+json' });
  t.equal(status.status, 200);
  t.match(status.body, { status: { phase: 'Bound' } });
  t.notOk((status.body['spec'] as Record<string, unknown>)['volumeName']);
  const put = await api.req('PUT', `${pvcs}/st/status`, { ...status.body, status: { phase: 'Lost' } });
  t.match(put.body, { status: { phase: 'Lost' } });
  t.equal((await api.req('GET', `${cms}/x/status`)).status, 404, 'configmaps have no status subresource');
});

void t.test('admission: default class on claims without one, protection finalizers', async (t) => {
  const scs = '/apis/storage.k8s.io/v1/storageclasses';
  const ann = { 'storageclass.kubernetes.io/is-default-class': 'true' };
  await api.req('POST', scs, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'old-default', annotations: ann }, provisioner: 'x' });
  await new Promise((r) => setTimeout(r, 1100));
  await api.req('POST', scs, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'new-default', annotations: ann }, provisioner: 'x' });
  const none = await api.req('POST', pvcs, pvc('adm-none'));
  t.equal((none.body['spec'] as Record<string, unknown>)['storageClassName'], 'new-default', 'the newest default wins');
  t.same(none.body.metadata?.['finalizers'], ['kubernetes.io/pvc-protection']);
  const empty = await api.req('POST', pvcs, pvc('adm-empty', { spec: { storageClassName: '' } }));
  t.equal((empty.body['spec'] as Record<string, unknown>)['storageClassName'], '', 'explicit "" is kept');
  const legacy = await api.req('POST', pvcs, pvc('adm-legacy', { metadata: { annotations: { 'volume.beta.kubernetes.io/storage-class': 'x' } } }));
  t.notOk((legacy.body['spec'] as Record<string, unknown>)['storageClassName'], 'legacy annotation is left alone');
  const pv = await api.req('POST', '/api/v1/persistentvolumes', {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'adm-pv' },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], nfs: { server: 'h', path: '/x' } },
  });
  t.same(pv.body.metadata?.['finalizers'], ['kubernetes.io/pv-protection']);
  t.match(pv.body, { spec: { persistentVolumeReclaimPolicy: 'Retain' }, status: { phase: 'Pending' } });
});
