// Seed 002 as its user applied it, against the real provisioner: the class (provisioner
// westos.org/nfs, archiveOnDelete "false") and the claim that names its class only through the
// legacy volume.beta.kubernetes.io/storage-class annotation; the 3-replica StatefulSet with
// volumeClaimTemplates; and a default class serving a claim that names no class at all.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { parse } from 'yaml';
import type { V1PersistentVolumeClaim, V1StatefulSet, V1StorageClass } from '@kubernetes/client-node';
import { DIRECTORY_ANNOTATION, ON_DELETE_ANNOTATION, PROVISIONED_BY, PV_FINALIZER, eventually, setupE2E } from './helpers/e2e.ts';

const seedDir = new URL('../fixtures/seed-002/', import.meta.url);
const seed = <T>(file: string): T => parse(readFileSync(new URL(file, seedDir), 'utf8')) as T;
const seedClass = seed<V1StorageClass>('class.yaml');
const seedClaim = seed<V1PersistentVolumeClaim>('test-claim.yaml');
const seedStatefulSet = seed<V1StatefulSet>('statefulset.yaml');

void t.test('seed 002: class, legacy-annotation claim, StatefulSet, default class', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  const e2e = await setupE2E(t, { provisionerName: seedClass.provisioner });
  const { core, storage, apps, exportDir } = e2e;
  t.equal(e2e.provisionerName, 'westos.org/nfs', 'the seed\'s provisioner name');
  t.same(seedClass.parameters, { archiveOnDelete: 'false' }, 'the seed\'s class parameter');
  const nfsServer = '10.10.10.60';
  const nfsPath = '/ifs/kubernetes';
  const provisioner = await e2e.provisioner({ nfsServer, nfsPath });

  await storage.createStorageClass({ body: seedClass });

  await t.test('the legacy-annotation claim is bound to a PV of the Go project\'s shape', async (t) => {
    const created = await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: seedClaim });
    const uid = created.metadata?.uid ?? '';
    t.notOk(created.spec?.storageClassName, 'the claim names its class only in the legacy annotation');
    const { claim, pv } = await e2e.waitBound('nfs-pv1');
    const pvName = `pvc-${uid}`;
    t.equal(claim.spec?.volumeName, pvName, 'PV name is pvc-<claim uid>');
    t.equal(pv.metadata?.name, pvName);

    const directory = `default-nfs-pv1-${pvName}`;
    const stats = statSync(join(exportDir, directory));
    t.ok(stats.isDirectory(), `directory ${directory} exists on the export`);
    t.equal(stats.mode & 0o7777, 0o777, 'directory mode 0777');

    t.same(pv.spec?.nfs, { server: nfsServer, path: `${nfsPath}/${directory}` }, 'NFS source: NFS_SERVER and NFS_PATH/<directory>');
    t.same(pv.spec?.capacity, { storage: '100Mi' }, 'capacity from the claim');
    t.same(pv.spec?.accessModes, ['ReadWriteMany'], 'access modes from the claim');
    t.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete', 'reclaim policy from the class (default Delete)');
    t.equal(pv.spec?.storageClassName, 'managed-nfs-storage', 'class name');
    t.equal(pv.spec?.volumeMode, 'Filesystem');
    t.match(pv.spec?.claimRef, { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'nfs-pv1', uid }, 'claimRef with uid');
    t.equal(pv.metadata?.annotations?.[PROVISIONED_BY], 'westos.org/nfs', 'provisioned-by');
    t.equal(pv.metadata?.annotations?.[DIRECTORY_ANNOTATION], directory, 'directory recorded');
    t.equal(pv.metadata?.annotations?.[ON_DELETE_ANNOTATION], 'delete', 'archiveOnDelete "false" recorded as delete');
    t.ok(pv.metadata?.finalizers?.includes(PV_FINALIZER), 'our finalizer');
    t.notOk(pv.spec?.mountOptions, 'no mount options when the class has none');

    const provisioning = await e2e.waitEvent({ name: 'nfs-pv1', reason: 'Provisioning' });
    const succeeded = await e2e.waitEvent({ name: 'nfs-pv1', reason: 'ProvisioningSucceeded' });
    for (const e of [provisioning, succeeded]) {
      t.equal(e.source?.component, 'westos.org/nfs', `${e.reason ?? ''} reported by the provisioner`);
      t.equal(e.involvedObject.uid, uid, `${e.reason ?? ''} is about this claim`);
    }
    t.match(succeeded.message, pvName, 'success names the PV');
    t.same(await e2e.events({ name: 'nfs-pv1', reason: 'ProvisioningFailed' }), [], 'no failure');

    // archiveOnDelete "false": the directory goes with the claim.
    await e2e.deleteClaim('nfs-pv1');
    await e2e.waitPvGone(pvName);
    t.same(await e2e.exportTree(), [], 'directory deleted (archiveOnDelete "false")');
  });

  await t.test('mount options and reclaim policy come from the class', async (t) => {
    await e2e.createClass('with-options', { archiveOnDelete: 'false' }, { mountOptions: ['nfsvers=4.1', 'hard'], reclaimPolicy: 'Retain' });
    await e2e.createClaim('opts', { storageClassName: 'with-options', accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], storage: '2Gi' });
    const { pv } = await e2e.waitBound('opts');
    t.same(pv.spec?.mountOptions, ['nfsvers=4.1', 'hard']);
    t.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Retain');
    t.same(pv.spec?.accessModes, ['ReadWriteOnce', 'ReadOnlyMany']);
    t.same(pv.spec?.capacity, { storage: '2Gi' });
  });

  await t.test('the seed\'s 3-replica StatefulSet gets 3 bound claims and 3 directories', async (t) => {
    const className = seedStatefulSet.spec?.volumeClaimTemplates?.[0]?.spec?.storageClassName ?? '';
    t.equal(className, 'nfs', 'the StatefulSet asks for class "nfs"');
    await storage.createStorageClass({ body: { ...seedClass, metadata: { name: className } } });
    await apps.createNamespacedStatefulSet({ namespace: 'default', body: seedStatefulSet });
    const names = [0, 1, 2].map((i) => `www-web-${i}`);
    const bound = await Promise.all(names.map((n) => e2e.waitBound(n)));
    const dirs = bound.map(({ claim }) => `default-${claim.metadata?.name ?? ''}-pvc-${claim.metadata?.uid ?? ''}`);
    for (const dir of dirs) t.ok(statSync(join(exportDir, dir)).isDirectory(), `${dir} exists`);
    t.equal(new Set(bound.map((b) => b.pv.metadata?.name)).size, 3, 'three distinct PVs');
    for (const { pv } of bound) t.same(pv.spec?.accessModes, ['ReadWriteOnce']);
    await eventually('StatefulSet status to count 3 ready replicas', async () => {
      const set = await apps.readNamespacedStatefulSet({ name: 'web', namespace: 'default' });
      return set.status?.readyReplicas === 3;
    });
  });

  await t.test('the default class serves a claim without storageClassName', async (t) => {
    await e2e.createClass('default-nfs', { archiveOnDelete: 'true' }, {
      metadata: { name: 'default-nfs', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    });
    const created = await e2e.createClaim('no-class');
    const { claim, pv } = await e2e.waitBound('no-class');
    t.equal(claim.spec?.storageClassName, 'default-nfs', 'the default class was assigned');
    t.equal(pv.spec?.storageClassName, 'default-nfs');
    t.ok(statSync(join(exportDir, `default-no-class-pvc-${created.metadata?.uid ?? ''}`)).isDirectory(), 'its directory exists');
  });

  const ready = await fetch(`${provisioner.httpUrl}/readyz`);
  t.equal(ready.status, 200, 'provisioner still ready');
  await e2e.checkSentinel(t);
});
