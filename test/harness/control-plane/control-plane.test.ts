// The real control plane as tests get it: up within seconds, the version built, RBAC enforced
// for the provisioner's ServiceAccount, its controller manager binding a claim to a PV, the
// audit log counting requests, and nothing left running after stop().
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { requireClusterOrSkip } from '../../../harness/cluster-choice.ts';
import { startCluster } from '../../../harness/cluster.ts';
import { ControlPlaneNotBuiltError, requireBinaries } from '../../../harness/control-plane/binaries.ts';
import { call } from '../../../harness/control-plane/http-probe.ts';

void t.test('a missing binary is one line naming the build command', (t) => {
  const error = new ControlPlaneNotBuiltError(['kube-apiserver']);
  t.match(error.message, /missing kube-apiserver .*: run npm run control-plane:build/);
  t.notMatch(error.message, /\n/, 'one line');
  t.end();
});

void t.test('real control plane: start, version, RBAC, binder, audit, stop', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  requireBinaries(['etcd', 'kube-apiserver', 'kube-controller-manager']);
  const started = Date.now();
  const cluster = await startCluster({ kind: 'real' });
  const cp = cluster.controlPlane;
  if (!cp) throw new Error('no control plane');
  t.teardown(() => cluster.stop());
  t.ok(Date.now() - started < 30_000, `up in ${String(Date.now() - started)} ms (API server ready after ${String(cp.startup.apiServerMs)} ms)`);

  const version = JSON.parse((await cp.adminCall('GET', '/version')).body) as { gitVersion?: string };
  t.equal(version.gitVersion, 'v1.37.2', 'the built release');

  const identity = await cluster.provisionerIdentity();
  t.equal(identity.namespace, 'nfs-provisioner');
  // The ServiceAccount may list PVs (shipped ClusterRole) but not secrets: RBAC is enforced.
  const kubeconfig = parse(readFileSync(identity.kubeconfigPath, 'utf8')) as { users: Array<{ user: { token: string } }> };
  const token = kubeconfig.users[0]?.user.token ?? '';
  const ca = readFileSync(cp.caFile);
  t.equal((await call(`${cp.url}/api/v1/persistentvolumes`, { ca, token })).status, 200, 'SA may list PVs');
  t.equal((await call(`${cp.url}/api/v1/secrets`, { ca, token })).status, 403, 'SA may not list secrets');
  t.equal((await call(`${cp.url}/api/v1/persistentvolumes`, { ca })).status, 403, 'anonymous may not list PVs');

  // kube-controller-manager's binder binds a claim to a matching static PV.
  await cp.adminCall('POST', '/api/v1/persistentvolumes', {
    metadata: { name: 'static' },
    spec: { capacity: { storage: '1Mi' }, accessModes: ['ReadWriteOnce'], nfs: { server: '127.0.0.1', path: '/x' }, storageClassName: '' },
  });
  await cp.adminCall('POST', '/api/v1/namespaces/default/persistentvolumeclaims', {
    metadata: { name: 'c' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } }, storageClassName: '' },
  });
  const deadline = Date.now() + 20_000;
  let phase: string | undefined;
  while (Date.now() < deadline) {
    phase = (JSON.parse((await cp.adminCall('GET', '/api/v1/namespaces/default/persistentvolumeclaims/c')).body) as { status?: { phase?: string } }).status?.phase;
    if (phase === 'Bound') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.equal(phase, 'Bound', 'the real binder bound the claim');
  t.ok(cluster.requests.count({ verb: 'create', resource: 'persistentvolumeclaims', code: 201 }) >= 1, 'the audit log counted the create');
  t.ok(cluster.requests.count({ verb: 'list', resource: 'secrets', code: 403 }) >= 1, 'and the refused list');

  const pids = cp.daemons.map((d) => d.pid);
  await cluster.stop();
  t.ok(cp.daemons.every((d) => !d.running()), 'every daemon stopped');
  t.notOk(existsSync(cp.dir), 'its directory removed');
  t.ok(pids.every((pid) => pid !== undefined), 'they had pids');
});
