// The real kubectl (1.32) against the harness, as a new user types it from a Kubernetes tutorial:
// `kubectl create` namespace, configmap, secret, serviceaccount, deployment (typed generators,
// protobuf bodies), role, rolebinding and service; `kubectl auth can-i`; `kubectl get events`
// and `kubectl events`; `kubectl describe` of claims, volumes, classes, namespaces and
// deployments. Asserted on what the user sees and on what is stored afterwards.
import t from 'tap';
import type { Test } from 'tap';
import { startApiServer } from '../../../harness/apiserver/index.ts';
import { client } from './client.ts';
import { kubectl } from './kubectl.ts';

const server = await startApiServer();
t.teardown(() => server.stop());
const k = (...args: string[]): ReturnType<typeof kubectl> => kubectl(server.kubeconfigPath, args);
const api = client(server);
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

// Fails the test unless kubectl exited 0; returns its stdout.
async function ok(t: Test, ...args: string[]): Promise<string> {
  const r = await k(...args);
  t.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

void t.test('kubectl create namespace', async (t) => {
  t.equal(await ok(t, 'create', 'namespace', 'demo'), 'namespace/demo created\n');
  t.equal(await ok(t, 'get', 'namespace', 'demo', '-o', 'jsonpath={.status.phase} {.metadata.labels.kubernetes\\.io/metadata\\.name} {.spec.finalizers}'), 'Active demo ["kubernetes"]');
  t.match(await ok(t, 'get', 'namespaces'), /^demo\s+Active\s+\d+s$/m);
  const again = await k('create', 'namespace', 'demo');
  t.equal(again.code, 1);
  t.match(again.stderr, /namespaces "demo" already exists/);
});

void t.test('kubectl create configmap, secret, serviceaccount', async (t) => {
  t.equal(await ok(t, 'create', 'configmap', 'web-config', '-n', 'demo', '--from-literal=color=blue', '--from-literal=size=3'), 'configmap/web-config created\n');
  t.equal(await ok(t, 'get', 'configmap', 'web-config', '-n', 'demo', '-o', 'jsonpath={.data.color} {.data.size}'), 'blue 3');
  t.match(await ok(t, 'get', 'configmaps', '-n', 'demo'), /^NAME\s+DATA\s+AGE\nweb-config\s+2\s+\d+s$/m);

  t.equal(await ok(t, 'create', 'secret', 'generic', 'db', '-n', 'demo', '--from-literal=password=s3cret'), 'secret/db created\n');
  t.equal(await ok(t, 'get', 'secret', 'db', '-n', 'demo', '-o', 'jsonpath={.type} {.data.password}'), `Opaque ${Buffer.from('s3cret').toString('base64')}`);
  t.match(await ok(t, 'get', 'secrets', '-n', 'demo'), /^NAME\s+TYPE\s+DATA\s+AGE\ndb\s+Opaque\s+1\s+\d+s$/m);
  t.match(await ok(t, 'describe', 'secret', 'db', '-n', 'demo'), /password:\s+6 bytes/);

  t.equal(await ok(t, 'create', 'serviceaccount', 'builder', '-n', 'demo'), 'serviceaccount/builder created\n');
  t.match(await ok(t, 'get', 'sa', '-n', 'demo'), /^builder\s+\d+s$/m);
  t.equal(await ok(t, 'get', 'sa', 'builder', '-n', 'demo', '-o', 'jsonpath={.metadata.generation}'), '', 'no generation on a service account, as on a real server');
});

void t.test('kubectl create deployment', async (t) => {
  t.equal(await ok(t, 'create', 'deployment', 'web', '-n', 'demo', '--image=nginx:1.27', '--replicas=2', '--port=80'), 'deployment.apps/web created\n');
  const fields = await ok(
    t,
    'get',
    'deploy',
    'web',
    '-n',
    'demo',
    '-o',
    'jsonpath={.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}/{.spec.template.spec.containers[0].ports[0].protocol} {.spec.strategy.type} {.spec.template.spec.containers[0].imagePullPolicy}',
  );
  t.equal(fields, '2 web nginx:1.27 80/TCP RollingUpdate IfNotPresent', 'what kubectl sent, defaulted as by the real server');
  t.match(await ok(t, 'get', 'deploy', '-n', 'demo', '-o', 'wide'), /^web\s+0\/2\s+0\s+0\s+\d+s\s+nginx\s+nginx:1\.27\s+app=web$/m);
  const d = await ok(t, 'describe', 'deployment', 'web', '-n', 'demo');
  t.match(d, /Replicas:\s+2 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable/);
  t.match(d, /Port:\s+80\/TCP/);
  // The harness runs no deployment controller: its replica set is made here, as that controller would.
  const deploy = await api.req('GET', '/apis/apps/v1/namespaces/demo/deployments/web');
  const template = structuredClone(deploy.body['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template;
  template.metadata.labels['pod-template-hash'] = '5d8f7';
  const rs = await api.req('POST', '/apis/apps/v1/namespaces/demo/replicasets', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-5d8f7',
      labels: template.metadata.labels,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: deploy.body.metadata?.['uid'], controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas: 2, selector: { matchLabels: template.metadata.labels }, template },
  });
  t.equal(rs.status, 201);
  t.match(await ok(t, 'describe', 'deployment', 'web', '-n', 'demo'), /NewReplicaSet:\s+web-5d8f7 \(0\/2 replicas created\)/, 'describe finds the replica set by owner and template');
  t.match(await ok(t, 'get', 'rs', '-n', 'demo', '-o', 'wide'), /^web-5d8f7\s+2\s+0\s+0\s+\d+s\s+nginx\s+nginx:1\.27\s+app=web,pod-template-hash=5d8f7$/m);
  t.match(await ok(t, 'describe', 'rs', 'web-5d8f7', '-n', 'demo'), /Controlled By:\s+Deployment\/web/);
  t.equal(await ok(t, 'create', 'deployment', 'dry', '-n', 'demo', '--image=nginx', '--dry-run=server'), 'deployment.apps/dry created (server dry run)\n');
  t.equal((await k('get', 'deploy', 'dry', '-n', 'demo')).code, 1, 'a server dry run stores nothing');
  const bad = await k('create', 'deployment', 'Bad_Name', '-n', 'demo', '--image=nginx');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /Deployment.apps "Bad_Name" is invalid: metadata.name/);
});

void t.test('kubectl create role, rolebinding, service', async (t) => {
  t.equal(await ok(t, 'create', 'role', 'reader', '-n', 'demo', '--verb=get,list', '--resource=pods,configmaps'), 'role.rbac.authorization.k8s.io/reader created\n');
  t.equal(await ok(t, 'get', 'role', 'reader', '-n', 'demo', '-o', 'jsonpath={.rules[0].verbs} {.rules[0].resources}'), '["get","list"] ["pods","configmaps"]');
  t.equal(await ok(t, 'create', 'rolebinding', 'builder-reads', '-n', 'demo', '--role=reader', '--serviceaccount=demo:builder'), 'rolebinding.rbac.authorization.k8s.io/builder-reads created\n');
  t.equal(await ok(t, 'get', 'rolebinding', 'builder-reads', '-n', 'demo', '-o', 'jsonpath={.roleRef.kind}/{.roleRef.name} {.subjects[0].kind}/{.subjects[0].namespace}/{.subjects[0].name}'), 'Role/reader ServiceAccount/demo/builder');
  t.equal(await ok(t, 'create', 'service', 'clusterip', 'web', '-n', 'demo', '--tcp=80:8080'), 'service/web created\n');
  t.equal(await ok(t, 'get', 'svc', 'web', '-n', 'demo', '-o', 'jsonpath={.spec.type} {.spec.ports[0].port}:{.spec.ports[0].targetPort}/{.spec.ports[0].protocol} {.spec.selector.app}'), 'ClusterIP 80:8080/TCP web');
});

void t.test('kubectl auth can-i: the harness allows everything, and says so', async (t) => {
  t.equal(await ok(t, 'auth', 'can-i', 'create', 'persistentvolumes'), 'yes\n');
  t.equal(await ok(t, 'auth', 'can-i', 'delete', 'pods', '-n', 'demo'), 'yes\n');
  t.equal(await ok(t, 'auth', 'can-i', 'get', '/healthz'), 'yes\n', 'a non-resource URL');
  t.match(await ok(t, 'auth', 'can-i', '--list', '-n', 'demo'), /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
});

void t.test('kubectl get events and kubectl events', async (t) => {
  const deploy = await api.req('GET', '/apis/apps/v1/namespaces/demo/deployments/web');
  const created = await api.req('POST', '/api/v1/namespaces/demo/events', {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.scaled' },
    involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'demo', uid: deploy.body.metadata?.['uid'] },
    reason: 'ScalingReplicaSet',
    message: 'Scaled up replica set web-7d4b9 to 2',
    type: 'Normal',
    source: { component: 'deployment-controller' },
    count: 1,
    firstTimestamp: now(),
    lastTimestamp: now(),
  });
  t.equal(created.status, 201);
  t.match(await ok(t, 'get', 'events', '-n', 'demo'), /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n\d+s\s+Normal\s+ScalingReplicaSet\s+deployment\/web\s+Scaled up replica set web-7d4b9 to 2$/m);
  t.match(await ok(t, 'get', 'events', '-n', 'demo', '-o', 'wide'), /deployment\/web\s+deployment-controller\s+Scaled up replica set web-7d4b9 to 2\s+\d+s\s+1\s+web\.scaled/);
  t.match(await ok(t, 'get', 'events', '-A'), /^demo\s+\d+s\s+Normal\s+ScalingReplicaSet\s+deployment\/web/m);
  t.match(await ok(t, 'events', '-n', 'demo'), /Normal\s+ScalingReplicaSet\s+Deployment\/web\s+Scaled up replica set web-7d4b9 to 2/);
  t.match(await ok(t, 'events', '-n', 'demo', '--for', 'deployment/web'), /ScalingReplicaSet/);
  t.match(await ok(t, 'describe', 'deployment', 'web', '-n', 'demo'), /Normal\s+ScalingReplicaSet\s+\d+s\s+deployment-controller\s+Scaled up replica set web-7d4b9 to 2/);
});

void t.test('kubectl describe pvc, pv, storageclass, namespace', async (t) => {
  const manifest = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: nfs}
provisioner: example.com/nfs
parameters: {archiveOnDelete: "false"}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: demo}
spec: {storageClassName: nfs, accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-data}
spec: {storageClassName: nfs, capacity: {storage: 1Gi}, accessModes: [ReadWriteMany], nfs: {server: 10.0.0.1, path: /exports/data}}
`;
  const dir = t.testdir({ 'storage.yaml': manifest });
  await ok(t, 'apply', '-f', `${dir}/storage.yaml`);
  const claim = await api.req('GET', '/api/v1/namespaces/demo/persistentvolumeclaims/data');
  const volume = await api.req('GET', '/api/v1/persistentvolumes/pv-data');
  const event = (name: string, namespace: string, involvedObject: Record<string, unknown>, reason: string, message: string): Promise<unknown> =>
    api.req('POST', `/api/v1/namespaces/${namespace}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name },
      involvedObject,
      reason,
      message,
      type: 'Normal',
      source: { component: 'nfs-provisioner' },
      count: 1,
      firstTimestamp: now(),
      lastTimestamp: now(),
    });
  await event('data.1', 'demo', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'data', namespace: 'demo', uid: claim.body.metadata?.['uid'] }, 'ProvisioningSucceeded', 'Successfully provisioned volume pv-data');
  await event('pv-data.1', 'default', { apiVersion: 'v1', kind: 'PersistentVolume', name: 'pv-data', uid: volume.body.metadata?.['uid'] }, 'VolumeReady', 'Created on the export');

  const pvc = await ok(t, 'describe', 'pvc', 'data', '-n', 'demo');
  t.match(pvc, /StorageClass:\s+nfs/);
  t.match(pvc, /Used By:\s+<none>/);
  t.match(pvc, /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message\n[\s-]+\n\s+Normal\s+ProvisioningSucceeded\s+\d+s\s+nfs-provisioner\s+Successfully provisioned volume pv-data/);
  const pv = await ok(t, 'describe', 'pv', 'pv-data');
  t.match(pv, /Type:\s+NFS \(an NFS mount that lasts the lifetime of a pod\)\n\s+Server:\s+10\.0\.0\.1\n\s+Path:\s+\/exports\/data/);
  t.match(pv, /Normal\s+VolumeReady\s+\d+s\s+nfs-provisioner\s+Created on the export/);
  const sc = await ok(t, 'describe', 'storageclass', 'nfs');
  t.match(sc, /Provisioner:\s+example\.com\/nfs\nParameters:\s+archiveOnDelete=false/);
  t.match(sc, /ReclaimPolicy:\s+Delete\nVolumeBindingMode:\s+Immediate/);
  const ns = await ok(t, 'describe', 'namespace', 'demo');
  t.match(ns, /Name:\s+demo\nLabels:\s+kubernetes\.io\/metadata\.name=demo\nAnnotations:\s+<none>\nStatus:\s+Active\n\nNo resource quota\.\n\nNo LimitRange resource\./);
});

void t.test('kubectl delete namespace takes its content along', async (t) => {
  // The claim's protection finalizer keeps the namespace Terminating until a controller (absent
  // here) removes it; this does so, once the deletion has begun.
  setTimeout(() => {
    void api.req('PATCH', '/api/v1/namespaces/demo/persistentvolumeclaims/data', { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
  }, 500);
  t.equal(await ok(t, 'delete', 'namespace', 'demo', '--timeout=20s'), 'namespace "demo" deleted\n');
  t.equal((await k('get', 'namespace', 'demo')).code, 1);
  t.equal((await api.req('GET', '/api/v1/namespaces/demo/configmaps/web-config')).status, 404);
});
