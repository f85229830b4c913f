// Two exports of a real NFS server (one nfs-ganesha, two EXPORT blocks at /export-a and /export-b)
// served by one provisioner: each PV's spec.nfs is mounted the way the kubelet would (NFS protocol,
// the PV's own server and path), written and read back, and the bytes land in that export's
// directory and nowhere else.
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { startCluster } from '../../harness/cluster.ts';
import { makeControllerClients } from '../../harness/controllers/kube-clients.ts';
import { requireNfsOrSkip, startNfsServer } from '../../harness/nfs/index.ts';
import { startProvisioner } from '../../harness/provisioner-process.ts';
import { until } from './nfs-helpers/until.ts';
import { mountVolume } from './nfs-helpers/volume-access.ts';

const NS = 'nfs-multi';
const PROVISIONER = 'e2e.nfs-provisioner.dev/nfs';

void t.test('two ganesha exports: each PV is read and written through NFS on its own export', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const root = realpathSync(t.testdir({ a: {}, b: {}, etc: {} }));
  const [nfs, cluster] = await Promise.all([
    startNfsServer({ exportDir: join(root, 'a'), pseudoPath: '/export-a', moreExports: [{ exportDir: join(root, 'b'), pseudoPath: '/export-b' }] }),
    startCluster(),
  ]);
  t.teardown(() => nfs.stop());
  t.teardown(() => cluster.stop());
  const second = nfs.moreExports[0];
  if (second === undefined) throw new Error('the second export is missing');
  const exportsFile = join(root, 'etc', 'exports.yaml');
  writeFileSync(exportsFile, stringify({ exports: [{ name: 'b', server: nfs.server, path: second.nfsPath(), mountPath: second.exportDir }] }));
  const provisioner = await startProvisioner({
    kubeconfigPath: cluster.kubeconfigPath,
    exportDir: nfs.exportDir,
    provisionerName: PROVISIONER,
    nfsServer: nfs.server,
    nfsPath: nfs.nfsPath(),
    env: { NFS_EXPORTS_FILE: exportsFile },
  });
  t.teardown(async () => {
    await provisioner.stop();
  });
  await provisioner.waitReady();

  const { core, storage } = makeControllerClients(cluster.kubeconfigPath, 'e2e-nfs-multi');
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await storage.createStorageClass({ body: { metadata: { name: 'on-a' }, provisioner: PROVISIONER } });
  await storage.createStorageClass({ body: { metadata: { name: 'on-b' }, provisioner: PROVISIONER, parameters: { export: 'b' } } });
  for (const [claim, className] of [['claim-a', 'on-a'], ['claim-b', 'on-b']] as const) {
    await core.createNamespacedPersistentVolumeClaim({
      namespace: NS,
      body: { metadata: { name: claim }, spec: { storageClassName: className, accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Mi' } } } },
    });
  }
  const boundPv = (name: string) =>
    until(`claim ${name} Bound`, async () => {
      const claim = await core.readNamespacedPersistentVolumeClaim({ name, namespace: NS });
      const volumeName = claim.spec?.volumeName;
      if (claim.status?.phase !== 'Bound' || volumeName === undefined) return undefined;
      return core.readPersistentVolume({ name: volumeName });
    });
  const pvA = await boundPv('claim-a');
  const pvB = await boundPv('claim-b');
  t.match(pvA.spec?.nfs, { server: '127.0.0.1', path: /^\/export-a\/nfs-multi-claim-a-pvc-/ });
  t.match(pvB.spec?.nfs, { server: '127.0.0.1', path: /^\/export-b\/nfs-multi-claim-b-pvc-/ });

  const served = { nfs: { server: nfs.server, port: nfs.port, pseudoPath: nfs.pseudoPath } };
  for (const [pv, dir, other] of [[pvA, join(root, 'a'), join(root, 'b')], [pvB, join(root, 'b'), join(root, 'a')]] as const) {
    const client = mountVolume(served, pv);
    await client.writeFile('hello.txt', `from ${pv.metadata?.name ?? ''}\n`);
    t.equal((await client.readFile('hello.txt')).toString(), `from ${pv.metadata?.name ?? ''}\n`, 'read back through NFS');
    const directory = pv.metadata?.annotations?.['nfs-provisioner.dev/directory'] ?? '';
    t.equal(readFileSync(join(dir, directory, 'hello.txt'), 'utf8'), `from ${pv.metadata?.name ?? ''}\n`, "in its export's directory");
    t.notOk(existsSync(join(other, directory)), 'and not on the other export');
  }
});
