// The chart's whole life on the real control plane (kube-apiserver, etcd, kube-controller-manager
// v1.37.2, RBAC enforced; helm v3.22): `helm install` from a values file in the Go chart's schema,
// claims of its class Bound by the provisioner running with the chart's RBAC (no kubelet runs here:
// the provisioner runs as a process with the env the chart rendered and its ServiceAccount's token),
// `helm upgrade` with changed values and a new image tag (claims, classes and directories untouched,
// new claims bind), `helm uninstall` (PVs and directories stay).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { V1Deployment, V1PersistentVolume, V1StorageClass } from '@kubernetes/client-node';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { startCluster } from '../../harness/cluster.ts';
import { makeControllerClients } from '../../harness/controllers/kube-clients.ts';
import type { ProvisionerProcess } from '../../harness/provisioner-process.ts';
import { DIRECTORY_ANNOTATION, eventually, isNotFound, isProbeFile } from '../e2e/helpers/e2e.ts';
import { snapshotTree } from '../e2e/helpers/tree-snapshot.ts';
import type { TreeSnapshot } from '../e2e/helpers/tree-snapshot.ts';
import { CHART_DIR, helm, requireHelmOrSkip, valuesArgs } from './helm.ts';
import { kubectl } from '../manifests/kubectl.ts';
import { startChartPod } from './pod-env.ts';

const RELEASE = 'nfs-subdir-external-provisioner';
const NAMESPACE = 'nfs-provisioner';
const APPS = 'apps';

void t.test('helm install, a claim Bound, helm upgrade, helm uninstall', async (t) => {
  if (!requireHelmOrSkip(t) || !requireClusterOrSkip(t)) return;
  // No RBAC but the chart's: the provisioner may do only what the release grants.
  const cluster = await startCluster({ kind: 'real', installRbac: false });
  t.teardown(() => cluster.stop());
  const cp = cluster.controlPlane;
  if (cp === undefined) throw new Error('a real cluster without its control plane');
  const kubeconfig = cluster.kubeconfigPath;
  const { core, storage, apps } = makeControllerClients(kubeconfig, 'chart-lifecycle-test');
  const exportDir = join(t.testdir({ export: {} }), 'export');
  const running = new Set<ProvisionerProcess>();
  t.teardown(async () => {
    for (const p of running) await p.stop('SIGTERM', 5000);
  });

  const deploymentNow = (): Promise<V1Deployment> => apps.readNamespacedDeployment({ name: RELEASE, namespace: NAMESPACE });
  const pod = async (name: string): Promise<ProvisionerProcess> => {
    const kubeconfigPath = await cp.serviceAccountKubeconfig(NAMESPACE, RELEASE);
    const p = await startChartPod(await deploymentNow(), { kubeconfigPath, exportDir, podName: name });
    running.add(p);
    return p;
  };
  const stopPod = async (p: ProvisionerProcess): Promise<void> => {
    t.equal(await p.stop('SIGTERM', 5000), 0, 'the pod stops cleanly on SIGTERM');
    running.delete(p);
  };
  const claim = async (name: string): Promise<void> => {
    await core.createNamespacedPersistentVolumeClaim({
      namespace: APPS,
      body: { metadata: { name }, spec: { accessModes: ['ReadWriteMany'], storageClassName: 'nfs-client', resources: { requests: { storage: '1Mi' } } } },
    });
  };
  const bound = (name: string): Promise<V1PersistentVolume> =>
    eventually(`claim ${APPS}/${name} Bound`, async () => {
      const c = await core.readNamespacedPersistentVolumeClaim({ name, namespace: APPS });
      if (c.status?.phase !== 'Bound' || c.spec?.volumeName === undefined) return undefined;
      return core.readPersistentVolume({ name: c.spec.volumeName });
    }, 30_000);
  const directory = (pv: V1PersistentVolume): string => join(exportDir, pv.metadata?.annotations?.[DIRECTORY_ANNOTATION] ?? '<none>');

  // Install.
  await helm(['install', RELEASE, CHART_DIR, '--create-namespace', ...valuesArgs({ namespace: NAMESPACE, values: ['go-release-v1.yaml'] })], { kubeconfig });
  await core.createNamespace({ body: { metadata: { name: APPS } } });
  const installed = await deploymentNow();
  t.equal(installed.spec?.template.spec?.containers[0]?.image, 'ghcr.io/nfs-provisioner-ts/nfs-provisioner-ts:0.1.0');
  const classBefore = await storage.readStorageClass({ name: 'nfs-client' });
  t.equal(classBefore.provisioner, `cluster.local/${RELEASE}`, 'the Go chart\'s provisioner name');

  const first = await pod(`${RELEASE}-6d4f9-aaaaa`);
  await claim('data-a');
  const pvA = await bound('data-a');
  t.equal(pvA.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], classBefore.provisioner);
  t.equal(pvA.metadata?.annotations?.[DIRECTORY_ANNOTATION], `${APPS}-data-a`, 'the class\'s pathPattern');
  t.same(pvA.spec?.nfs, { server: 'nfs.example.org', path: `/srv/nfs/kubernetes/${APPS}-data-a` }, 'the PV names the export the chart mounts');
  writeFileSync(join(directory(pvA), 'app.db'), 'written before the upgrade\n');
  const lease = await eventually('the Lease in the release namespace', async () => {
    const leases = await kubectlJson<{ items: Array<{ spec?: { holderIdentity?: string } }> }>(kubeconfig, ['get', 'lease', '-n', NAMESPACE]);
    return leases.items.find((l) => l.spec?.holderIdentity === `${RELEASE}-6d4f9-aaaaa`);
  });
  t.ok(lease, 'leader election works with the chart\'s Role');

  // Upgrade: new values, new image tag; the old pod keeps running until the new one is up, as a rollout does.
  await helm(['upgrade', RELEASE, CHART_DIR, ...valuesArgs({ namespace: NAMESPACE, values: ['go-release-v2.yaml'] })], { kubeconfig });
  const upgraded = await deploymentNow();
  t.equal(upgraded.metadata?.uid, installed.metadata?.uid, 'the Deployment is updated in place');
  t.equal(upgraded.spec?.template.spec?.containers[0]?.image, 'ghcr.io/nfs-provisioner-ts/nfs-provisioner-ts:0.1.1', 'the new image tag');
  t.equal(upgraded.spec?.replicas, 2);
  t.match(upgraded.spec?.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } });
  t.equal(upgraded.spec?.template.metadata?.annotations?.['example.com/rolled'], '2');
  const classAfter = await storage.readStorageClass({ name: 'nfs-client' });
  t.equal(classAfter.metadata?.uid, classBefore.metadata?.uid, 'the class is the same object');
  t.same(immutable(classAfter), immutable(classBefore), 'provisioner, parameters, reclaim policy and binding mode untouched');
  t.equal(classAfter.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true', 'the new value reached it');
  t.equal(classAfter.metadata?.labels?.['example.com/team'], 'storage');

  const second = await pod(`${RELEASE}-7c8d2-bbbbb`);
  await stopPod(first);
  await claim('data-b');
  const pvB = await bound('data-b');
  t.equal(pvB.metadata?.annotations?.[DIRECTORY_ANNOTATION], `${APPS}-data-b`, 'a new claim binds after the upgrade');
  const pvAAfter = await core.readPersistentVolume({ name: pvA.metadata?.name ?? '' });
  t.equal(pvAAfter.metadata?.uid, pvA.metadata?.uid, 'the old claim keeps its PV');
  t.equal(pvAAfter.status?.phase, 'Bound');
  t.equal(readFileSync(join(directory(pvA), 'app.db'), 'utf8'), 'written before the upgrade\n', 'its directory and data untouched');

  // Uninstall while the provisioner runs (the pod goes after its RBAC, as Helm deletes them).
  const exportBefore = await exportSnapshot(exportDir);
  await helm(['uninstall', RELEASE, '--namespace', NAMESPACE], { kubeconfig });
  await stopPod(second);
  t.same(await exportSnapshot(exportDir), exportBefore, 'the export is byte for byte as before the uninstall');
  await t.rejects(storage.readStorageClass({ name: 'nfs-client' }), { code: 404 }, 'the class goes with the release, as with the Go chart');
  await eventually('the release\'s Deployment gone', async () => {
    try {
      await deploymentNow();
      return false;
    } catch (error: unknown) {
      return isNotFound(error);
    }
  });
  for (const pv of [pvA, pvB]) {
    const after = await core.readPersistentVolume({ name: pv.metadata?.name ?? '' });
    t.equal(after.metadata?.uid, pv.metadata?.uid, `${pv.metadata?.name ?? ''} stays`);
    t.equal(after.status?.phase, 'Bound', 'still Bound to its claim');
    t.ok(statSync(directory(pv)).isDirectory(), `${directory(pv)} stays`);
  }
  t.equal(readFileSync(join(directory(pvA), 'app.db'), 'utf8'), 'written before the upgrade\n', 'data stays');
  for (const name of ['data-a', 'data-b']) {
    t.equal((await core.readNamespacedPersistentVolumeClaim({ name, namespace: APPS })).status?.phase, 'Bound', `${name} stays Bound`);
  }
});

/** The fields of a StorageClass the API server refuses to change. */
function immutable(sc: V1StorageClass): unknown {
  return { provisioner: sc.provisioner, parameters: sc.parameters, reclaimPolicy: sc.reclaimPolicy, volumeBindingMode: sc.volumeBindingMode };
}

/**
 * The export's tree below its root (entries, modes, times, contents), without the provisioner's
 * probe file, whose coming and going in the root also changes the root's own mtime.
 */
async function exportSnapshot(dir: string): Promise<TreeSnapshot> {
  return Object.fromEntries(Object.entries(await snapshotTree(dir)).filter(([path]) => path !== '.' && !isProbeFile(path)));
}

async function kubectlJson<T>(kubeconfig: string, args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl([...args, '-o', 'json'], { kubeconfig })) as T;
}
