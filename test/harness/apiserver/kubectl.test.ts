// The real kubectl (1.32) against the harness: apply (client- and server-side) with no extra
// flags, get (tables, -o wide, jsonpath), describe, patch (three types), annotate, wait, delete;
// and the seed 002 manifests.
import { join } from 'node:path';
import t from 'tap';
import { startApiServer } from '../../../harness/apiserver/index.ts';
import { client } from './client.ts';
import { kubectl } from './kubectl.ts';

const seedDir = join(import.meta.dirname, '..', '..', 'fixtures', 'seed-002');
const server = await startApiServer();
t.teardown(() => server.stop());
const k = (...args: string[]): ReturnType<typeof kubectl> => kubectl(server.kubeconfigPath, args);
const api = client(server);

void t.test('kubectl apply -f the seed 002 manifests, then re-apply', async (t) => {
  const first = await k('apply', '-f', seedDir);
  t.equal(first.code, 0, first.stderr);
  for (const line of [
    'serviceaccount/nfs-client-provisioner created',
    'clusterrole.rbac.authorization.k8s.io/nfs-client-provisioner-runner created',
    'clusterrolebinding.rbac.authorization.k8s.io/run-nfs-client-provisioner created',
    'role.rbac.authorization.k8s.io/leader-locking-nfs-client-provisioner created',
    'rolebinding.rbac.authorization.k8s.io/leader-locking-nfs-client-provisioner created',
    'deployment.apps/nfs-client-provisioner created',
    'storageclass.storage.k8s.io/managed-nfs-storage created',
    'persistentvolumeclaim/nfs-pv1 created',
    'pod/test-pod created',
    'service/nginx created',
    'statefulset.apps/web created',
  ]) {
    t.ok(first.stdout.includes(line), line);
  }
  const again = await k('apply', '-f', seedDir);
  t.equal(again.code, 0, again.stderr);
  t.notOk(/created|configured/.test(again.stdout), `all unchanged:\n${again.stdout}`);
  const sc = await k('get', 'storageclass', 'managed-nfs-storage', '-o', 'jsonpath={.parameters.archiveOnDelete}');
  t.equal(sc.stdout, 'false', 'archiveOnDelete under parameters');
  const claim = await k('get', 'pvc', 'nfs-pv1', '-o', "jsonpath={.metadata.annotations['volume\\.beta\\.kubernetes\\.io/storage-class']}");
  t.equal(claim.stdout, 'managed-nfs-storage');
  const sts = await k('get', 'statefulset', 'web', '-o', 'jsonpath={.spec.volumeClaimTemplates[0].spec.storageClassName}');
  t.equal(sts.stdout, 'nfs');
});

void t.test('re-apply with a change is a three-way strategic merge patch', async (t) => {
  const manifest = (image: string, extraEnv: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - name: main
        image: ${image}
        env:
        - {name: A, value: "1"}
${extraEnv}`;
  const dir = t.testdir({ 'v1.yaml': manifest('img:1', '        - {name: B, value: "2"}\n'), 'v2.yaml': manifest('img:2', '') });
  t.equal((await k('apply', '-f', join(dir, 'v1.yaml'))).code, 0);
  // Another writer adds an env var kubectl never applied: the three-way merge keeps it.
  await api.req(
    'PATCH',
    '/apis/apps/v1/namespaces/default/deployments/app',
    { spec: { template: { spec: { containers: [{ name: 'main', env: [{ name: 'OTHER', value: 'x' }] }] } } } },
    { 'Content-Type': 'application/strategic-merge-patch+json' },
  );
  const r = await k('apply', '-f', join(dir, 'v2.yaml'));
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /deployment.apps\/app configured/);
  const env = await k('get', 'deploy', 'app', '-o', 'jsonpath={range .spec.template.spec.containers[0].env[*]}{.name}{" "}{end}{.spec.template.spec.containers[0].image}');
  t.equal(env.stdout, 'A OTHER img:2', 'B removed (it left the manifest), OTHER kept, image updated');
  const ssa = await k('apply', '--server-side', '-f', join(dir, 'v1.yaml'), '--force-conflicts');
  t.equal(ssa.code, 0, ssa.stderr);
  t.match(ssa.stdout, /serverside-applied/);
});

void t.test('kubectl get: tables, -o wide, -A, label selectors', async (t) => {
  const wide = await k('get', 'pvc', '-o', 'wide');
  t.equal(wide.code, 0, wide.stderr);
  t.match(wide.stdout, /NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE\s+VOLUMEMODE/);
  t.match(wide.stdout, /nfs-pv1\s+Pending\s+managed-nfs-storage/);
  const sc = await k('get', 'sc');
  t.match(sc.stdout, /managed-nfs-storage\s+westos.org\/nfs\s+Delete\s+Immediate\s+false/);
  const all = await k('get', 'deploy', '-A', '-l', 'app=nfs-client-provisioner');
  t.match(all.stdout, /default\s+nfs-client-provisioner/);
  const none = await k('get', 'pods', '-n', 'kube-system');
  t.match(none.stderr, /No resources found in kube-system namespace/);
  const missing = await k('get', 'pvc', 'nope');
  t.not(missing.code, 0);
  t.match(missing.stderr, /persistentvolumeclaims "nope" not found/);
});

void t.test('kubectl describe shows the object and its events', async (t) => {
  const claim = await api.req('GET', '/api/v1/namespaces/default/persistentvolumeclaims/nfs-pv1');
  await api.req('POST', '/api/v1/namespaces/default/events', {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'nfs-pv1.1' },
    involvedObject: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'nfs-pv1', namespace: 'default', uid: claim.body.metadata?.['uid'] },
    reason: 'ExternalProvisioning',
    message: 'Waiting for a volume to be created by the external provisioner',
    type: 'Normal',
    source: { component: 'persistentvolume-controller' },
    count: 1,
    firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  });
  const d = await k('describe', 'pvc', 'nfs-pv1');
  t.equal(d.code, 0, d.stderr);
  t.match(d.stdout, /Name:\s+nfs-pv1/);
  t.match(d.stdout, /Status:\s+Pending/);
  t.match(d.stdout, /Finalizers:\s+\[kubernetes.io\/pvc-protection\]/);
  t.match(d.stdout, /ExternalProvisioning\s+.*Waiting for a volume/);
  const sc = await k('describe', 'storageclass', 'managed-nfs-storage');
  t.match(sc.stdout, /Parameters:\s+archiveOnDelete=false/);
});

void t.test('kubectl patch (merge, strategic, json) and annotate', async (t) => {
  const merge = await k('patch', 'deploy', 'nfs-client-provisioner', '--type', 'merge', '-p', '{"spec":{"replicas":2}}');
  t.equal(merge.code, 0, merge.stderr);
  const strategic = await k('patch', 'deploy', 'nfs-client-provisioner', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nfs-client-provisioner","env":[{"name":"EXTRA","value":"1"}]}]}}}}');
  t.equal(strategic.code, 0, strategic.stderr);
  const json = await k('patch', 'deploy', 'nfs-client-provisioner', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/strategy/type","value":"Recreate"},{"op":"add","path":"/metadata/labels/patched","value":"yes"}]');
  t.equal(json.code, 0, json.stderr);
  const out = await k('get', 'deploy', 'nfs-client-provisioner', '-o', 'jsonpath={.spec.replicas} {range .spec.template.spec.containers[0].env[*]}{.name},{end} {.metadata.labels.patched}');
  t.equal(out.stdout, '2 PROVISIONER_NAME,NFS_SERVER,NFS_PATH,EXTRA, yes');
  const noop = await k('patch', 'deploy', 'nfs-client-provisioner', '--type', 'merge', '-p', '{"spec":{"replicas":2}}');
  t.match(noop.stdout, /patched \(no change\)/);
  const ann = await k('annotate', 'sc', 'managed-nfs-storage', 'storageclass.kubernetes.io/is-default-class=true');
  t.equal(ann.code, 0, ann.stderr);
  t.match((await k('get', 'sc')).stdout, /managed-nfs-storage \(default\)/);
  const over = await k('annotate', 'sc', 'managed-nfs-storage', 'storageclass.kubernetes.io/is-default-class=false');
  t.not(over.code, 0, 'annotate refuses to overwrite without --overwrite');
  const ok = await k('annotate', '--overwrite', 'sc', 'managed-nfs-storage', 'storageclass.kubernetes.io/is-default-class-');
  t.equal(ok.code, 0, ok.stderr);
  t.notMatch((await k('get', 'sc')).stdout, /\(default\)/);
  const invalid = await k('patch', 'sc', 'managed-nfs-storage', '--type', 'merge', '-p', '{"parameters":{"archiveOnDelete":"true"}}');
  t.not(invalid.code, 0);
  t.match(invalid.stderr, /updates to parameters are forbidden/);
});

void t.test('kubectl wait --for=jsonpath sees a status change', async (t) => {
  setTimeout(() => {
    void api.req('PATCH', '/api/v1/namespaces/default/persistentvolumeclaims/nfs-pv1/status', { status: { phase: 'Bound' } }, { 'Content-Type': 'application/merge-patch+json' });
  }, 300);
  const w = await k('wait', '--for=jsonpath={.status.phase}=Bound', 'pvc/nfs-pv1', '--timeout=20s');
  t.equal(w.code, 0, w.stderr);
  t.match(w.stdout, /persistentvolumeclaim\/nfs-pv1 condition met/);
});

void t.test('kubectl delete, with and without finalizers', async (t) => {
  const sa = await k('delete', 'serviceaccount', 'nfs-client-provisioner');
  t.equal(sa.code, 0, sa.stderr);
  t.match(sa.stdout, /serviceaccount "nfs-client-provisioner" deleted/);
  t.equal((await k('get', 'sa', 'nfs-client-provisioner')).code, 1);
  // kubectl waits for the deletion; the protection finalizer is removed meanwhile, as a controller would.
  setTimeout(() => {
    void api.req('PATCH', '/api/v1/namespaces/default/persistentvolumeclaims/nfs-pv1', { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
  }, 500);
  const pvc = await k('delete', 'pvc', 'nfs-pv1', '--timeout=20s');
  t.equal(pvc.code, 0, pvc.stderr);
  t.equal((await k('get', 'pvc', 'nfs-pv1')).code, 1);
  const byFile = await k('delete', '-f', join(seedDir, 'rbac.yaml'), '--ignore-not-found');
  t.equal(byFile.code, 0, byFile.stderr);
  const ns = await k('create', 'namespace', 'gone-soon');
  t.equal(ns.code, 0, `typed create sends protobuf: ${ns.stderr}`);
});
