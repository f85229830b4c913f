// The shipped RBAC, enforced: on the real control plane (RBAC authorization) the provisioner runs
// with its ServiceAccount's token, and each rule it relies on is needed. With one rule removed
// from the shipped ClusterRole or Role, the API server refuses the request that rule allows with
// 403 and the operator can see why; with the rule back, the same claim is provisioned.
// rbac.test.ts proves the converse (every request allowed, no rule unused).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { clusterChoice, requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { startCluster } from '../../harness/cluster.ts';
import { PROVISIONER_NAMESPACE, shippedRbac } from '../../harness/control-plane/shipped-rbac.ts';
import { makeControllerClients } from '../../harness/controllers/kube-clients.ts';
import { startProvisioner } from '../../harness/provisioner-process.ts';
import { PROVISIONER_UA, eventually } from './helpers/e2e.ts';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface RoleObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules: Rule[];
}

const PROVISIONER = 'rbac.nfs-provisioner.dev/nfs';

void t.test('each shipped rule is needed: without it the API server answers 403', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  if (clusterChoice().kind !== 'real') {
    t.plan(0, 'skip: the local harness enforces no RBAC; this proof needs the real control plane (E2E_CLUSTER=real)');
    return;
  }
  const cluster = await startCluster({ kind: 'real' });
  t.teardown(() => cluster.stop());
  const cp = cluster.controlPlane;
  if (!cp) throw new Error('real cluster without its control plane');
  const identity = await cluster.provisionerIdentity();
  const { core, storage } = makeControllerClients(cluster.kubeconfigPath, 'rbac-enforced-test');
  await storage.createStorageClass({ body: { metadata: { name: 'nfs' }, provisioner: PROVISIONER } });

  const shipped = shippedRbac().filter((o): o is typeof o & RoleObject => o.kind === 'ClusterRole' || o.kind === 'Role');
  const rolePath = (o: RoleObject): string =>
    o.kind === 'ClusterRole'
      ? `/apis/rbac.authorization.k8s.io/v1/clusterroles/${o.metadata.name}`
      : `/apis/rbac.authorization.k8s.io/v1/namespaces/${PROVISIONER_NAMESPACE}/roles/${o.metadata.name}`;
  /** Replaces the shipped role holding resource's rule with a copy lacking verb; returns the restore. */
  const withoutVerb = async (resource: string, verb: string): Promise<() => Promise<void>> => {
    const role = shipped.find((o) => o.rules.some((r) => r.resources.includes(resource) && r.verbs.includes(verb)));
    if (!role) throw new Error(`no shipped rule grants ${verb} ${resource}`);
    const put = async (rules: Rule[]): Promise<void> => {
      const current = JSON.parse((await cp.adminCall('GET', rolePath(role))).body) as RoleObject & { metadata: { resourceVersion?: string } };
      const res = await cp.adminCall('PUT', rolePath(role), { ...current, rules });
      if (res.status !== 200) throw new Error(`PUT ${rolePath(role)}: ${String(res.status)} ${res.body}`);
    };
    await put(role.rules.map((r) => (r.resources.includes(resource) ? { ...r, verbs: r.verbs.filter((v) => v !== verb) } : r)));
    return () => put(role.rules);
  };
  const run = async (name: string, leaderElection = false): Promise<Awaited<ReturnType<typeof startProvisioner>>> => {
    const proc = await startProvisioner({
      kubeconfigPath: identity.kubeconfigPath,
      exportDir: mkdtempSync(join(tmpdir(), 'rbac-export-')),
      provisionerName: PROVISIONER,
      leaderElection,
      podName: name,
      env: { POD_NAMESPACE: identity.namespace },
    });
    t.teardown(() => proc.stop('SIGTERM', 5000).then(() => undefined));
    return proc;
  };
  const claim = (name: string): Promise<unknown> =>
    core.createNamespacedPersistentVolumeClaim({
      namespace: 'default',
      body: { metadata: { name }, spec: { storageClassName: 'nfs', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Mi' } } } },
    });
  const forbidden = (verb: string, resource: string): number =>
    cluster.requests.count({ verb, resource, userAgent: PROVISIONER_UA, code: 403 });
  const bound = (name: string): Promise<true> =>
    eventually(`claim ${name} Bound`, async () => (await core.readNamespacedPersistentVolumeClaim({ name, namespace: 'default' })).status?.phase === 'Bound' || undefined, 30_000, 100);

  await t.test('without "create persistentvolumes": 403 on the create, the claim says so, then binds once it is back', async (t) => {
    const restore = await withoutVerb('persistentvolumes', 'create');
    const proc = await run('no-pv-create');
    await proc.waitReady(30_000);
    await claim('no-pv-create');
    await eventually('a 403 on the PV create', () => forbidden('create', 'persistentvolumes') > 0, 30_000, 100);
    const event = await eventually('ProvisioningFailed naming the refusal', async () => {
      const list = await core.listNamespacedEvent({ namespace: 'default' });
      return list.items.find((e) => e.involvedObject.name === 'no-pv-create' && e.reason === 'ProvisioningFailed' && /forbidden/i.test(e.message ?? ''));
    }, 30_000, 100);
    t.match(event.message, /persistentvolumes/, `the event names what was refused: ${event.message ?? ''}`);
    await restore();
    await bound('no-pv-create');
    t.pass('bound once the rule is back (the provisioner retried)');
    await proc.stop('SIGTERM', 5000);
  });

  await t.test('without "list persistentvolumeclaims": 403 on the list, never ready', async (t) => {
    const restore = await withoutVerb('persistentvolumeclaims', 'list');
    const proc = await run('no-pvc-list');
    await eventually('a 403 on the claim list', () => forbidden('list', 'persistentvolumeclaims') > 0, 30_000, 100);
    const readyz = await fetch(`${proc.httpUrl}/readyz`);
    t.equal(readyz.status, 503, '/readyz 503: its claim cache cannot sync');
    await restore();
    await proc.waitReady(30_000);
    t.pass('ready once the rule is back');
    await proc.stop('SIGTERM', 5000);
  });

  await t.test('without "create leases" in the shipped Role: 403 on the Lease, never leader, nothing provisioned', async (t) => {
    const restore = await withoutVerb('leases', 'create');
    const proc = await run('no-lease-create', true);
    await eventually('a 403 on the Lease create', () => forbidden('create', 'leases') > 0, 30_000, 100);
    await claim('no-leader');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    t.equal((await core.readNamespacedPersistentVolumeClaim({ name: 'no-leader', namespace: 'default' })).status?.phase, 'Pending', 'no leader: the claim waits');
    await restore();
    await bound('no-leader');
    t.pass('leader and bound once the rule is back');
    await proc.stop('SIGTERM', 5000);
  });

  await t.test('without "create events": 403 on the events, provisioning goes on', async (t) => {
    const restore = await withoutVerb('events', 'create');
    const proc = await run('no-events');
    await proc.waitReady(30_000);
    await claim('no-events');
    await bound('no-events');
    await eventually('a 403 on an event create', () => forbidden('create', 'events') > 0, 30_000, 100);
    t.pass('bound; the events were refused with 403');
    await restore();
    await proc.stop('SIGTERM', 5000);
  });
});
