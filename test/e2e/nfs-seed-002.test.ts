// Seed 002 end to end on a real NFS server, applied with kubectl as its user did: the class
// (westos.org/nfs, archiveOnDelete "false"), the claim naming it only through the legacy
// volume.beta.kubernetes.io/storage-class annotation, the test pod's `touch /mnt/SUCCESS`, the
// 3-replica StatefulSet (class "nfs") with one volume per ordinal, and the class patched to be the
// default serving a claim without a class. Every volume is written and read through NFS.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import type { V1PersistentVolume } from '@kubernetes/client-node';
import { requireNfsOrSkip } from '../../harness/nfs/index.ts';
import { kubectl } from '../manifests/kubectl.ts';
import { startNfsWorld } from './nfs-helpers/nfs-world.ts';
import { until } from './nfs-helpers/until.ts';
import { checkRoundTrip, diskPathOf, mountSource, mountVolume, nfsSourceOf, parentSource } from './nfs-helpers/volume-access.ts';

const seed = (file: string): string => fileURLToPath(new URL(`../fixtures/seed-002/${file}`, import.meta.url));

void t.test('seed 002 on NFS: class, legacy-annotation claim, StatefulSet, default class', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  if (!requireNfsOrSkip(t)) return;
  const world = await startNfsWorld(t, { provisionerName: 'westos.org/nfs' });
  const kubeconfig = world.cluster.kubeconfigPath;
  const apply = (...files: string[]): Promise<string> => kubectl(['apply', ...files.flatMap((f) => ['-f', seed(f)])], { kubeconfig });

  await apply('class.yaml', 'test-claim.yaml');
  const volumes = new Map<string, V1PersistentVolume>();

  await t.test('the legacy-annotation claim: the test pod\'s touch /mnt/SUCCESS through NFS', async (t) => {
    const { claim, pv } = await world.waitBound('nfs-pv1');
    volumes.set('nfs-pv1', pv);
    t.equal(pv.spec?.storageClassName, 'managed-nfs-storage', 'the class named by the legacy annotation');
    const directory = `default-nfs-pv1-pvc-${claim.metadata?.uid ?? ''}`;
    t.same(pv.spec?.nfs, { server: '127.0.0.1', path: `/export/${directory}` }, 'the Go project\'s ${namespace}-${pvcName}-${pvName} under NFS_PATH');
    t.equal((await mountVolume(world, pv).stat('')).mode & 0o7777, 0o777, 'the volume root is 0777 through NFS');
    await mountVolume(world, pv).writeFile('SUCCESS', '');
    t.ok(statSync(join(world.exportDir, directory, 'SUCCESS')).isFile(), 'SUCCESS is in the claim\'s directory on the export');
    await checkRoundTrip(t, world, pv);
  });

  await t.test('the 3-replica StatefulSet: one volume per ordinal, each its own through NFS', async (t) => {
    // The seed's class "nfs" is in a screenshot the page lost: the seed's provisioner, defaults.
    await world.createClass('nfs');
    await apply('service.yaml', 'statefulset.yaml');
    const ordinals = [0, 1, 2];
    const bound = await Promise.all(ordinals.map((i) => world.waitBound(`www-web-${i}`)));
    const paths = new Set(bound.map(({ pv }) => nfsSourceOf(pv).path));
    t.equal(paths.size, 3, 'three distinct NFS paths');
    for (const [i, { pv }] of bound.entries()) {
      volumes.set(`www-web-${i}`, pv);
      t.same(pv.spec?.accessModes, ['ReadWriteOnce'], `web-${i}: the template's access mode`);
      await checkRoundTrip(t, world, pv);
      // nginx's html root: each pod's page, through its own volume.
      await mountVolume(world, pv).writeFile('index.html', `web-${i}\n`);
    }
    for (const [i, { pv }] of bound.entries()) {
      t.equal((await mountVolume(world, pv).readFile('index.html')).toString('utf8'), `web-${i}\n`, `web-${i} reads its own page through NFS`);
      t.equal(readFileSync(join(diskPathOf(world, pv), 'index.html'), 'utf8'), `web-${i}\n`, `web-${i}: and it is in its own directory on the export`);
    }
    await until('the StatefulSet to report 3 ready replicas', async () => {
      const set = await world.apps.readNamespacedStatefulSet({ name: 'web', namespace: 'default' });
      return set.status?.readyReplicas === 3 ? true : undefined;
    });
  });

  await t.test('a default class (kubectl patch, as the seed) serves a claim without a class', async (t) => {
    await world.createClass('global');
    await kubectl(['patch', 'storageclass', 'global', '-p', '{"metadata": {"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}'], { kubeconfig });
    await world.createClaim('no-class');
    const { claim, pv } = await world.waitBound('no-class');
    volumes.set('no-class', pv);
    t.equal(claim.spec?.storageClassName, 'global', 'the default class was assigned');
    t.equal(pv.spec?.storageClassName, 'global');
    await checkRoundTrip(t, world, pv);
  });

  await t.test('archiveOnDelete "false": deleting the seed\'s claim removes its NFS path', async (t) => {
    const pv = volumes.get('nfs-pv1');
    if (!pv) throw new Error('no PV for nfs-pv1');
    await world.deleteClaim('nfs-pv1');
    await world.waitPvGone(pv.metadata?.name ?? '');
    await t.rejects(mountVolume(world, pv).list(), { name: 'NfsCommandError', errno: 2 }, 'mounting its NFS path fails with ENOENT');
    const left = (await mountSource(world, parentSource(pv)).list()).map((e) => e.name);
    t.notOk(left.some((n) => n.includes('nfs-pv1')), 'no archive either');
    t.notOk(existsSync(diskPathOf(world, pv)), 'gone on disk');
    // The others are untouched.
    for (const [name, other] of volumes) {
      if (name === 'nfs-pv1') continue;
      t.ok((await mountVolume(world, other).list()).some((e) => e.name === 'written-through-nfs.bin'), `${name} still served`);
    }
  });
});
