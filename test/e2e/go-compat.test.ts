// Swapping the image: volumes made by the Go nfs-subdir-external-provisioner (PVs without our
// annotations or finalizer, provisioned-by our name, nfs path = NFS_PATH joined with the
// directory) are reclaimed correctly by ours: the directory derived from the NFS path, the
// decision from the live class (archive by default, archiveOnDelete "false" deletes), nested
// pathPattern directories archived in place; also when NFS_PATH ends in `/`, which broke the Go
// project's string replacement.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { DIRECTORY_ANNOTATION, PROVISIONED_BY, setupE2E } from './helpers/e2e.ts';
import type { E2E } from './helpers/e2e.ts';

const SERVER = '10.10.10.60';

interface GoVolume {
  claimName: string;
  pvName: string;
  directory: string;
}

/** What the Go provisioner left behind: a bound claim, its PV and the directory with data. */
async function goVolume(e2e: E2E, claimName: string, className: string, goNfsPath: string, directoryOf: (pvName: string) => string): Promise<GoVolume> {
  const claim = await e2e.createClaim(claimName, { storageClassName: className, storage: '5Mi' });
  const pvName = `pvc-${claim.metadata?.uid ?? ''}`;
  const directory = directoryOf(pvName);
  mkdirSync(join(e2e.exportDir, directory), { recursive: true, mode: 0o777 });
  writeFileSync(join(e2e.exportDir, directory, 'data.txt'), `${claimName}\n`);
  await e2e.core.createPersistentVolume({
    body: {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { [PROVISIONED_BY]: e2e.provisionerName } },
      spec: {
        // Go: filepath.Join(NFS_PATH, directory), which drops a trailing slash of NFS_PATH.
        nfs: { server: SERVER, path: posix.join(goNfsPath, directory) },
        capacity: { storage: '5Mi' },
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: className,
        claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: claimName, uid: claim.metadata?.uid ?? '' },
      },
    },
  });
  await e2e.waitBound(claimName);
  return { claimName, pvName, directory };
}

for (const nfsPath of ['/ifs/kubernetes', '/ifs/kubernetes/']) {
  void t.test(`Go-project PVs are reclaimed correctly with NFS_PATH "${nfsPath}"`, async (t) => {
    if (!requireClusterOrSkip(t)) return;
    const e2e = await setupE2E(t, { provisionerName: 'fuseim.pri/ifs' });
    const { exportDir } = e2e;
    await Promise.all([
      e2e.createClass('go-archive'),
      e2e.createClass('go-delete', { archiveOnDelete: 'false' }),
      e2e.createClass('go-nested', { pathPattern: '${.PVC.namespace}/${.PVC.name}' }),
    ]);
    // Before the swap: the Go provisioner's volumes (it is not running; these are its results).
    const archived = await goVolume(e2e, 'go-a', 'go-archive', nfsPath, (pv) => `default-go-a-${pv}`);
    const deleted = await goVolume(e2e, 'go-d', 'go-delete', nfsPath, (pv) => `default-go-d-${pv}`);
    const nested = await goVolume(e2e, 'go-n', 'go-nested', nfsPath, () => 'default/go-n');

    // The swap: same env (NFS_PATH as the Go Deployment had it).
    await e2e.provisioner({ nfsServer: SERVER, nfsPath });
    // A claim bound to an existing volume is left alone: no second PV, no new directory.
    // Barrier: a new claim gets its volume, so the provisioner has seen the old ones.
    await e2e.createClaim('new', { storageClassName: 'go-delete' });
    const fresh = await e2e.waitBound('new');
    t.equal(fresh.pv.spec?.nfs?.path, posix.join(nfsPath, `default-new-${fresh.pv.metadata?.name ?? ''}`), 'a new PV\'s path has no double slash');
    const pvs = await e2e.core.listPersistentVolume();
    t.equal(pvs.items.length, 4, 'no new PV for claims that are already bound');
    for (const pv of pvs.items.filter((p) => p.metadata?.name !== fresh.pv.metadata?.name)) {
      t.notOk(pv.metadata?.annotations?.[DIRECTORY_ANNOTATION], `Go PV ${pv.metadata?.name ?? ''} not rewritten`);
    }
    await e2e.deleteClaim('new');
    await e2e.waitPvGone(fresh.pv.metadata?.name ?? '');

    await Promise.all([archived, deleted, nested].map((v) => e2e.deleteClaim(v.claimName)));
    await Promise.all([archived, deleted, nested].map((v) => e2e.waitPvGone(v.pvName)));

    t.notOk(existsSync(join(exportDir, archived.directory)), 'archive: original name gone');
    t.equal(readFileSync(join(exportDir, `archived-${archived.directory}`, 'data.txt'), 'utf8'), 'go-a\n', 'archived as archived-<dir> with its data');
    t.notOk(existsSync(join(exportDir, deleted.directory)), 'archiveOnDelete "false" (live class): deleted');
    t.notOk(existsSync(join(exportDir, `archived-${deleted.directory}`)), 'and not archived');
    t.equal(readFileSync(join(exportDir, 'default', 'archived-go-n', 'data.txt'), 'utf8'), 'go-n\n', 'nested Go directory archived in place');
    t.same(
      await e2e.exportTree(),
      [`archived-${archived.directory}`, `archived-${archived.directory}/data.txt`, 'default', 'default/archived-go-n', 'default/archived-go-n/data.txt'].sort(),
      'nothing else on the export',
    );
    t.same(await e2e.events({ reason: 'VolumeFailedDelete' }), [], 'no VolumeFailedDelete');
    await e2e.checkSentinel(t);
  });
}
