// Least privilege, proven: the real provisioner runs through a whole claim lifecycle with the
// rendered manifests installed (on the real control plane: as its ServiceAccount, RBAC enforced); every request it made must be allowed by the
// shipped ClusterRole/Role, and every permission those grant must have been used by the run (or
// be listed below with the reason it is needed anyway).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { CoreV1Api, KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import type { V1PersistentVolume, V1StorageClass } from '@kubernetes/client-node';
import { startCluster } from '../../harness/cluster.ts';
import { clusterChoice } from '../../harness/cluster-choice.ts';
import { startProvisioner } from '../../harness/provisioner-process.ts';
import { kubectl } from '../manifests/kubectl.ts';
import { allows, describe, exercises, grantsOf, permissionsOf } from '../manifests/rbac-rules.ts';
import type { ApiRequest, Permission } from '../manifests/rbac-rules.ts';
import { findOne, manifestsDir, renderKustomization } from '../manifests/render.ts';

/** Granted but not necessarily exercised by one run, each with the reason it stays. */
const justified: ReadonlyArray<Omit<Permission, 'source'> & { reason: string }> = [
  {
    apiGroup: '',
    resource: 'events',
    verb: 'patch',
    reason:
      'a repeat of the same event (object, reason, message) patches count and lastTimestamp of the existing Event ' +
      '(lib/controller/event-recorder.ts), at most once per 60 s series interval: longer than this run',
  },
];

const manifests = await renderKustomization('');
const grants = grantsOf(manifests);
const deployment = findOne(manifests, 'Deployment');
const namespace = deployment.metadata.namespace ?? '';
const storageClass = findOne(manifests, 'StorageClass', 'nfs-client') as unknown as V1StorageClass;
const provisionerName = storageClass.provisioner;
const key = (p: Omit<Permission, 'source'>): string => `${p.apiGroup}|${p.resource}|${p.verb}`;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

void t.test('the shipped RBAC allows exactly what the provisioner uses', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  const cluster = await startCluster({ kind: clusterChoice().kind });
  t.teardown(() => cluster.stop());
  const kubeconfig = cluster.kubeconfigPath;

  // Install as an operator would; the harness runs no pods, so the provisioner runs here as the
  // Deployment's pod would: same namespace, leader election on.
  await kubectl(['apply', '-k', manifestsDir], { kubeconfig });

  const exportDir = t.testdir();
  // On the real control plane: its ServiceAccount's token, so the API server enforces exactly
  // the shipped rules (a request they do not allow fails the run with 403).
  const identity = await cluster.provisionerIdentity();
  const provisioner = await startProvisioner({
    kubeconfigPath: identity.kubeconfigPath,
    exportDir,
    provisionerName,
    leaderElection: true,
    podName: 'nfs-provisioner-rbac-test',
    env: { POD_NAMESPACE: namespace },
  });
  t.teardown(async () => {
    await provisioner.stop(); // already stopped unless the test failed early
  });
  await provisioner.waitReady();

  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const storage = kc.makeApiClient(StorageV1Api);

  // A class the provisioner must refuse: a ProvisioningFailed event.
  await storage.createStorageClass({
    body: { metadata: { name: 'nfs-bad' }, provisioner: provisionerName, parameters: { archiveOnDelete: 'maybe' } },
  });
  await core.createNamespacedPersistentVolumeClaim({
    namespace: 'default',
    body: {
      metadata: { name: 'refused' },
      spec: { storageClassName: 'nfs-bad', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Mi' } } },
    },
  });

  // One claim of the shipped class: provisioned, bound, then deleted and archived.
  const claim = await core.createNamespacedPersistentVolumeClaim({
    namespace: 'default',
    body: {
      metadata: { name: 'data' },
      spec: { storageClassName: 'nfs-client', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Mi' } } },
    },
  });
  const pvName = `pvc-${claim.metadata?.uid ?? ''}`;
  const pv: V1PersistentVolume = await until('the PV to bind', async () => {
    const list = await core.listPersistentVolume();
    return list.items.find((v) => v.metadata?.name === pvName && v.status?.phase === 'Bound');
  });
  const directory = pv.metadata?.annotations?.['nfs-provisioner.dev/directory'] ?? '';
  t.ok(directory !== '' && existsSync(join(exportDir, directory)), `directory ${directory} made on the export`);

  await until('a ProvisioningFailed event on the refused claim', async () => {
    const events = await core.listNamespacedEvent({ namespace: 'default' });
    return events.items.find((e) => e.involvedObject.name === 'refused' && e.reason === 'ProvisioningFailed');
  });

  // Expansion (the shipped class allows it): 1Mi -> 2Mi, recorded on the PV and the claim status.
  const bound = await core.readNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'data' });
  await core.replaceNamespacedPersistentVolumeClaim({
    namespace: 'default',
    name: 'data',
    body: { ...bound, spec: { ...bound.spec, resources: { requests: { storage: '2Mi' } } } },
  });
  await until('the claim to show 2Mi', async () => {
    const c = await core.readNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'data' });
    return c.status?.capacity?.['storage'] === '2Mi' ? true : undefined;
  });

  await core.deleteNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'data' });
  await until('the PV to be deleted', async () => {
    const list = await core.listPersistentVolume();
    return list.items.some((v) => v.metadata?.name === pvName) ? undefined : true;
  });
  t.ok(readdirSync(exportDir).some((d) => d.startsWith('archived-')), 'directory archived');

  // SIGTERM: the provisioner releases its Lease on the way out.
  t.equal(await provisioner.stop(), 0, 'clean exit on SIGTERM');

  const requests: ApiRequest[] = cluster.requests
    .entries()
    .filter((e) => /^nfs-provisioner-ts\//.test(e.userAgent ?? ''))
    .map((e) => ({
      apiGroup: e.apiGroup ?? '',
      resource: e.resource ?? '',
      ...(e.subresource ? { subresource: e.subresource } : {}),
      verb: e.verb,
      ...(e.namespace ? { namespace: e.namespace } : {}),
      ...(e.name ? { name: e.name } : {}),
    }));
  t.ok(requests.length > 0, 'the provisioner\'s requests are in the log');
  const used = [...new Set(requests.map(describe))].sort();
  t.comment(`requests used:\n${used.join('\n')}`);

  void t.test('no wildcards', (t) => {
    for (const g of grants) {
      t.notOk([...g.apiGroups, ...g.resources, ...g.verbs].includes('*'), g.source);
    }
    t.end();
  });

  void t.test('every request the provisioner made is allowed', (t) => {
    const denied = [...new Set(requests.filter((r) => !grants.some((g) => allows(g, r))).map(describe))];
    t.same(denied, [], 'denied requests');
    t.end();
  });

  void t.test('every permission granted was used or is justified', (t) => {
    const granted = grants.flatMap((g) => permissionsOf(g).map((p) => ({ grant: g, p })));
    const unused = granted
      .filter(({ grant, p }) => !requests.some((r) => exercises(grant, p, r)))
      .map(({ p }) => p)
      .filter((p) => !justified.some((j) => key(j) === key(p)))
      .map((p) => `${p.source}: ${p.verb} ${p.apiGroup === '' ? 'core' : p.apiGroup}/${p.resource}`);
    t.same(unused, [], 'granted but never used');
    for (const j of justified) {
      t.ok(granted.some(({ p }) => key(p) === key(j)), `allow-list entry ${key(j)} is still granted (${j.reason})`);
    }
    t.end();
  });
});
