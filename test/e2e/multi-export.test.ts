// Several exports from one install (issue 13), end to end: claims land on the export their class
// names (or their provisioner name's, else default) and their PVs point at it; reclaim goes to the
// PV's export after the class is gone; one install answers for two provisioner names, as two Go
// installs would; PVs the Go project made on the second export (no annotations) are reclaimed there;
// an unknown class parameter is a Warning and the claim is provisioned with the defaults.
// Only objects a real API server accepts; the namespace is created here.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { DIRECTORY_ANNOTATION, EXPORT_ANNOTATION, ON_DELETE_ANNOTATION, PROVISIONED_BY, eventually, setupE2E } from './helpers/e2e.ts';
import type { E2E } from './helpers/e2e.ts';

const NS = 'multi-export';
const SERVER_A = '10.20.0.1';
const SERVER_B = '10.20.0.2';
const PATH_A = '/srv/nfs/a';
const PATH_B = '/srv/nfs/b';
const NAME_A = 'cluster.local/nfs-a';
const NAME_B = 'cluster.local/nfs-b';

/** Two Go installs folded into one: default = server A (nfs-a), second = server B (nfs-b). */
async function twoInstalls(t: Test): Promise<E2E> {
  const e2e = await setupE2E(t, { provisionerName: NAME_A });
  await e2e.core.createNamespace({ body: { metadata: { name: NS } } });
  const exportsFile = e2e.writeExportsFile([{ name: 'second', server: SERVER_B, path: PATH_B, mountPath: e2e.secondExportDir, provisionerNames: [NAME_B] }]);
  await e2e.provisioner({ nfsServer: SERVER_A, nfsPath: PATH_A, env: { NFS_EXPORTS_FILE: exportsFile } });
  return e2e;
}

void t.test('claims of two exports land in the right directories and PVs; reclaim after the class is gone goes to the PV export', async (t) => {
  const e2e = await twoInstalls(t);
  await Promise.all([
    e2e.createClass('on-a', { archiveOnDelete: 'false' }),
    e2e.createClass('on-b', { export: 'second' }),
  ]);
  await Promise.all([e2e.createClaim('a1', { namespace: NS, storageClassName: 'on-a' }), e2e.createClaim('b1', { namespace: NS, storageClassName: 'on-b' })]);
  const a = await e2e.waitBound('a1', NS);
  const b = await e2e.waitBound('b1', NS);
  const dirA = `${NS}-a1-${a.pv.metadata?.name ?? ''}`;
  const dirB = `${NS}-b1-${b.pv.metadata?.name ?? ''}`;
  t.same(a.pv.spec?.nfs, { server: SERVER_A, path: `${PATH_A}/${dirA}` }, 'PV of the default export');
  t.same(b.pv.spec?.nfs, { server: SERVER_B, path: `${PATH_B}/${dirB}` }, 'PV of the second export');
  t.equal(a.pv.metadata?.annotations?.[EXPORT_ANNOTATION], 'default');
  t.equal(b.pv.metadata?.annotations?.[EXPORT_ANNOTATION], 'second');
  t.same(await e2e.exportTree(), [dirA], 'only the first claim on the default export');
  t.same(await e2e.exportTree(e2e.secondExportDir), [dirB], 'only the second claim on the second export');
  writeFileSync(join(e2e.secondExportDir, dirB, 'data.txt'), 'b1\n');

  // The class goes; the PV alone says where its directory is and what to do with it.
  await e2e.storage.deleteStorageClass({ name: 'on-b' });
  await e2e.deleteClaim('b1', NS);
  await e2e.waitPvGone(b.pv.metadata?.name ?? '');
  t.equal(readFileSync(join(e2e.secondExportDir, `archived-${dirB}`, 'data.txt'), 'utf8'), 'b1\n', 'archived on the second export');
  t.same(await e2e.exportTree(), [dirA], 'the default export untouched');
  await e2e.deleteClaim('a1', NS);
  await e2e.waitPvGone(a.pv.metadata?.name ?? '');
  t.same(await e2e.exportTree(), [], 'deleted on the default export, as its class said');
  t.same(await e2e.events({ namespace: NS, reason: 'ProvisioningFailed' }), []);
  await e2e.checkSentinel(t);
});

void t.test('one install answers for two provisioner names; each class keeps its provisioner and finds its export', async (t) => {
  const e2e = await twoInstalls(t);
  // The classes as the two Go installs left them: no export parameter.
  await Promise.all([
    e2e.createClass('nfs-a', {}, { provisioner: NAME_A }),
    e2e.createClass('nfs-b', { archiveOnDelete: 'false' }, { provisioner: NAME_B }),
  ]);
  await Promise.all([e2e.createClaim('from-a', { namespace: NS, storageClassName: 'nfs-a' }), e2e.createClaim('from-b', { namespace: NS, storageClassName: 'nfs-b' })]);
  const a = await e2e.waitBound('from-a', NS);
  const b = await e2e.waitBound('from-b', NS);
  t.equal(a.pv.metadata?.annotations?.[PROVISIONED_BY], NAME_A, 'provisioned by the name of its class');
  t.equal(b.pv.metadata?.annotations?.[PROVISIONED_BY], NAME_B);
  t.equal(a.pv.spec?.nfs?.server, SERVER_A);
  t.equal(b.pv.spec?.nfs?.server, SERVER_B, "nfs-b's export, by its provisioner name");
  t.ok(existsSync(join(e2e.secondExportDir, b.pv.metadata?.annotations?.[DIRECTORY_ANNOTATION] ?? 'none')));
  const succeeded = await e2e.events({ namespace: NS, name: 'from-b', reason: 'ProvisioningSucceeded' });
  t.equal(succeeded[0]?.source?.component, NAME_B, 'events come from the provisioner name of the class');
  await e2e.deleteClaim('from-b', NS);
  await e2e.waitPvGone(b.pv.metadata?.name ?? '');
  t.same(await e2e.exportTree(e2e.secondExportDir), [], "reclaimed as nfs-b's class says");
  await e2e.checkSentinel(t);
});

void t.test("Go-shaped PVs of the second export (no annotations, spec.nfs under its path) are reclaimed there", async (t) => {
  const e2e = await twoInstalls(t);
  await e2e.createClass('nfs-b', {}, { provisioner: NAME_B });
  // What the second Go install left behind: a bound claim, its PV and its directory with data.
  const claim = await e2e.createClaim('go-b', { namespace: NS, storageClassName: 'nfs-b', storage: '5Mi' });
  const pvName = `pvc-${claim.metadata?.uid ?? ''}`;
  const directory = `${NS}-go-b-${pvName}`;
  mkdirSync(join(e2e.secondExportDir, directory), { mode: 0o777 });
  writeFileSync(join(e2e.secondExportDir, directory, 'data.txt'), 'go\n');
  // The same directory name on the default export must survive: the PV is not its.
  mkdirSync(join(e2e.exportDir, directory));
  await e2e.core.createPersistentVolume({
    body: {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { [PROVISIONED_BY]: NAME_B } },
      spec: {
        nfs: { server: SERVER_B, path: `${PATH_B}/${directory}` },
        capacity: { storage: '5Mi' },
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'nfs-b',
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: NS, name: 'go-b', uid: claim.metadata?.uid ?? '' },
      },
    },
  });
  await e2e.waitBound('go-b', NS);
  const pv = await e2e.readPv(pvName);
  t.notOk(pv?.metadata?.annotations?.[EXPORT_ANNOTATION], 'not rewritten');
  await e2e.deleteClaim('go-b', NS);
  await e2e.waitPvGone(pvName);
  t.equal(readFileSync(join(e2e.secondExportDir, `archived-${directory}`, 'data.txt'), 'utf8'), 'go\n', 'archived on the second export (class without archiveOnDelete)');
  t.same(await e2e.exportTree(), [directory], 'the same name on the default export untouched');
  t.same(await e2e.events({ reason: 'VolumeFailedDelete' }), []);
  await e2e.checkSentinel(t);
});

void t.test('an unknown class parameter is a Warning naming it and the known ones; the claim is provisioned with the defaults', async (t) => {
  const e2e = await twoInstalls(t);
  await e2e.createClass('typo', { archiveOnDelet: 'false', pathPattern: '${.PVC.namespace}/${.PVC.name}' });
  await e2e.createClaim('typo-claim', { namespace: NS, storageClassName: 'typo' });
  const { pv } = await e2e.waitBound('typo-claim', NS);
  t.equal(pv.metadata?.annotations?.[ON_DELETE_ANNOTATION], 'archive', 'the default, which keeps data: the mistyped key does not turn archiving off');
  t.equal(pv.metadata?.annotations?.[DIRECTORY_ANNOTATION], `${NS}/typo-claim`, 'the known parameters apply');
  const warning = await e2e.waitEvent({ namespace: NS, name: 'typo-claim', reason: 'UnknownParameter' });
  t.equal(warning.type, 'Warning');
  t.match(warning.message, /StorageClass "typo": unknown parameter "archiveOnDelet" ignored \(known: archiveOnDelete, onDelete, pathPattern, mode, uid, gid, export\)/);
  t.same(await e2e.events({ namespace: NS, name: 'typo-claim', reason: 'ProvisioningFailed' }), [], 'not refused');
  await eventually('the ProvisioningSucceeded event', async () => (await e2e.events({ namespace: NS, name: 'typo-claim', reason: 'ProvisioningSucceeded' }))[0]);
  await e2e.checkSentinel(t);
});
