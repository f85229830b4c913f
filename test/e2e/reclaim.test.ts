// What happens to a volume's directory when its claim goes away, per class: archive by default
// (renamed to archived-<dir>, data intact), archiveOnDelete "false" deletes, onDelete retain keeps,
// onDelete delete wins over archiveOnDelete "true", reclaimPolicy Retain leaves PV and directory
// alone; and a class deleted before its claim: delete still works from what the PV recorded.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { ON_DELETE_ANNOTATION, eventually, isNotFound, setupE2E } from './helpers/e2e.ts';
import type { E2E } from './helpers/e2e.ts';
import { snapshotTree } from './helpers/tree-snapshot.ts';

interface Volume {
  claimName: string;
  pvName: string;
  directory: string;
}

/** A bound claim of the class with some data in its directory. */
async function boundVolume(e2e: E2E, claimName: string, className: string): Promise<Volume> {
  const created = await e2e.createClaim(claimName, { storageClassName: className });
  const pvName = `pvc-${created.metadata?.uid ?? ''}`;
  await e2e.waitBound(claimName);
  const directory = `default-${claimName}-${pvName}`;
  mkdirSync(join(e2e.exportDir, directory, 'app'));
  writeFileSync(join(e2e.exportDir, directory, 'app', 'data.txt'), `data of ${claimName}\n`);
  return { claimName, pvName, directory };
}

async function deleteAndWaitPvGone(e2e: E2E, v: Volume): Promise<void> {
  await e2e.deleteClaim(v.claimName);
  await e2e.waitPvGone(v.pvName);
}

void t.test('reclaim per class', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  const e2e = await setupE2E(t);
  const { exportDir } = e2e;
  const provisioner = await e2e.provisioner();
  await Promise.all([
    e2e.createClass('archive-default'),
    e2e.createClass('no-archive', { archiveOnDelete: 'false' }),
    e2e.createClass('retain', { onDelete: 'retain' }),
    e2e.createClass('delete-wins', { onDelete: 'delete', archiveOnDelete: 'true' }),
    e2e.createClass('keep-pv', {}, { reclaimPolicy: 'Retain' }),
    e2e.createClass('short-lived', { archiveOnDelete: 'false' }),
  ]);

  await t.test('archive by default: renamed to archived-<dir>, data intact, PV gone', async (t) => {
    const v = await boundVolume(e2e, 'archived', 'archive-default');
    t.equal((await e2e.readPv(v.pvName))?.metadata?.annotations?.[ON_DELETE_ANNOTATION], 'archive');
    await deleteAndWaitPvGone(e2e, v);
    t.notOk(existsSync(join(exportDir, v.directory)), 'original name gone');
    t.equal(readFileSync(join(exportDir, `archived-${v.directory}`, 'app', 'data.txt'), 'utf8'), 'data of archived\n', 'data inside the archive intact');
  });

  await t.test('archiveOnDelete "false" deletes the directory', async (t) => {
    const v = await boundVolume(e2e, 'deleted', 'no-archive');
    await deleteAndWaitPvGone(e2e, v);
    t.notOk(existsSync(join(exportDir, v.directory)), 'directory gone');
    t.notOk(existsSync(join(exportDir, `archived-${v.directory}`)), 'not archived');
  });

  await t.test('onDelete retain keeps the directory, the PV goes', async (t) => {
    const v = await boundVolume(e2e, 'retained', 'retain');
    const before = await snapshotTree(join(exportDir, v.directory));
    await deleteAndWaitPvGone(e2e, v);
    t.same(await snapshotTree(join(exportDir, v.directory)), before, 'directory untouched');
  });

  await t.test('onDelete delete wins over archiveOnDelete "true"', async (t) => {
    const v = await boundVolume(e2e, 'delete-wins', 'delete-wins');
    t.equal((await e2e.readPv(v.pvName))?.metadata?.annotations?.[ON_DELETE_ANNOTATION], 'delete');
    await deleteAndWaitPvGone(e2e, v);
    t.notOk(existsSync(join(exportDir, v.directory)), 'directory gone');
    t.notOk(existsSync(join(exportDir, `archived-${v.directory}`)), 'not archived');
  });

  await t.test('reclaimPolicy Retain: the PV stays Released, the directory untouched', async (t) => {
    const v = await boundVolume(e2e, 'keep-pv', 'keep-pv');
    const before = await snapshotTree(join(exportDir, v.directory));
    await e2e.deleteClaim(v.claimName);
    // Released, then a barrier: a later claim of another class is reclaimed completely, so the
    // provisioner has long seen the Released PV and chose to leave it.
    await eventually('the PV to be Released', async () => (await e2e.readPv(v.pvName))?.status?.phase === 'Released');
    const barrier = await boundVolume(e2e, 'barrier', 'short-lived');
    await deleteAndWaitPvGone(e2e, barrier);
    const pv = await e2e.readPv(v.pvName);
    t.equal(pv?.status?.phase, 'Released', 'PV still there, Released');
    t.notOk(pv?.metadata?.deletionTimestamp, 'PV not being deleted');
    t.same(await snapshotTree(join(exportDir, v.directory)), before, 'directory untouched');
  });

  await t.test('class deleted before the claim: delete follows what the PV recorded', async (t) => {
    await e2e.createClass('going-away', { archiveOnDelete: 'false' });
    const v = await boundVolume(e2e, 'orphaned', 'going-away');
    await e2e.storage.deleteStorageClass({ name: 'going-away' });
    await eventually('the class to be gone', async () => {
      try {
        await e2e.storage.readStorageClass({ name: 'going-away' });
        return false;
      } catch (error: unknown) {
        return isNotFound(error);
      }
    });
    await deleteAndWaitPvGone(e2e, v);
    t.notOk(existsSync(join(exportDir, v.directory)), 'directory deleted as recorded (not the archive fallback)');
    t.notOk(existsSync(join(exportDir, `archived-${v.directory}`)), 'not archived');
    t.same(await e2e.events({ reason: 'VolumeFailedDelete' }), [], 'no VolumeFailedDelete');
  });

  await t.test('a directory shared by two volumes is reclaimed when the last one goes, even when both go at once', async (t) => {
    // A pathPattern without a unique part: two claims share one directory. While one volume
    // lives the other's delete must leave it; once neither lives, onDelete delete applies.
    await e2e.createClass('shared', { pathPattern: '${.PVC.labels.app}', onDelete: 'delete' });
    const claims = ['shared-1', 'shared-2'];
    const pvNames = await Promise.all(
      claims.map(async (name) => {
        const created = await e2e.createClaim(name, { storageClassName: 'shared', labels: { app: 'shared-web' } });
        await e2e.waitBound(name);
        return `pvc-${created.metadata?.uid ?? ''}`;
      }),
    );
    t.ok(existsSync(join(exportDir, 'shared-web')), 'one shared directory');
    await Promise.all(claims.map((name) => e2e.deleteClaim(name)));
    await Promise.all(pvNames.map((name) => e2e.waitPvGone(name)));
    const gone = await eventually('the shared directory to be deleted', () => !existsSync(join(exportDir, 'shared-web')), 5000, 50).catch(() => false);
    t.ok(gone, 'no volume uses shared-web any more: onDelete delete removed it (not leaked)');
  });

  t.equal((await fetch(`${provisioner.httpUrl}/readyz`)).status, 200, 'provisioner still ready');
  await e2e.checkSentinel(t);
});
