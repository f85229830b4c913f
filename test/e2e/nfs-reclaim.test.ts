// Every provisioned PV works through a real NFS server, and reclaim does to the NFS path what the
// class says: archive (the default), delete (archiveOnDelete "false", onDelete delete) or keep
// (onDelete retain); a nested pathPattern archives next to the original directory.
import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import type { V1PersistentVolume } from '@kubernetes/client-node';
import { requireNfsOrSkip } from '../../harness/nfs/index.ts';
import { ON_DELETE_ANNOTATION, startNfsWorld } from './nfs-helpers/nfs-world.ts';
import { checkRoundTrip, diskPathOf, mountSource, mountVolume, nfsSourceOf, parentSource, payload } from './nfs-helpers/volume-access.ts';

interface Case {
  className: string;
  parameters?: Record<string, string>;
  recorded: 'archive' | 'delete' | 'retain';
  claim: string;
  labels?: Record<string, string>;
}

const cases: Case[] = [
  { className: 'nfs-default', recorded: 'archive', claim: 'archived-by-default' },
  { className: 'nfs-no-archive', parameters: { archiveOnDelete: 'false' }, recorded: 'delete', claim: 'not-archived' },
  { className: 'nfs-on-delete-retain', parameters: { onDelete: 'retain' }, recorded: 'retain', claim: 'kept' },
  { className: 'nfs-on-delete-delete', parameters: { onDelete: 'delete', archiveOnDelete: 'true' }, recorded: 'delete', claim: 'deleted' },
  {
    className: 'nfs-nested',
    parameters: { pathPattern: '${.PVC.namespace}/${.PVC.labels.app}/${.PVC.name}' },
    recorded: 'archive',
    claim: 'nested',
    labels: { app: 'shop' },
  },
];

void t.test('provisioned PVs through NFS, then reclaimed as the class says', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  if (!requireNfsOrSkip(t)) return;
  const world = await startNfsWorld(t);

  await Promise.all(cases.map((c) => world.createClass(c.className, c.parameters)));
  await Promise.all(
    cases.map((c) =>
      world.core.createNamespacedPersistentVolumeClaim({
        namespace: 'default',
        body: {
          metadata: { name: c.claim, ...(c.labels ? { labels: c.labels } : {}) },
          spec: { storageClassName: c.className, accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Mi' } } },
        },
      }),
    ),
  );
  const volumes = new Map<string, V1PersistentVolume>();
  for (const c of cases) volumes.set(c.claim, (await world.waitBound(c.claim)).pv);

  await t.test('each PV: its spec.nfs is writable and readable through NFS', async (t) => {
    for (const c of cases) {
      const pv = volumes.get(c.claim);
      if (!pv) throw new Error(`no PV for ${c.claim}`);
      t.equal(pv.metadata?.annotations?.[ON_DELETE_ANNOTATION], c.recorded, `${c.className}: reclaim recorded as ${c.recorded}`);
      await checkRoundTrip(t, world, pv);
    }
    const nested = volumes.get('nested');
    if (nested) t.equal(nfsSourceOf(nested).path, `${world.nfs.pseudoPath}/default/shop/nested`, 'pathPattern: nested NFS path');
  });

  await t.test('claims deleted: PVs go, NFS paths archived, deleted or kept', async (t) => {
    // What each volume held, read back through NFS before the claims go.
    const before = new Map<string, Buffer>();
    for (const c of cases) {
      const pv = volumes.get(c.claim);
      if (pv) before.set(c.claim, await mountVolume(world, pv).readFile('written-through-nfs.bin'));
    }
    await Promise.all(cases.map((c) => world.deleteClaim(c.claim)));
    await Promise.all([...volumes.values()].map((pv) => world.waitPvGone(pv.metadata?.name ?? '')));

    for (const c of cases) {
      const pv = volumes.get(c.claim);
      if (!pv) continue;
      const source = nfsSourceOf(pv);
      const base = posix.basename(source.path);
      const parent = mountSource(world, parentSource(pv));
      const data = before.get(c.claim);

      if (c.recorded === 'retain') {
        t.ok(await parent.exists(base), `${c.className}: ${source.path} still there through NFS`);
        const kept = await mountVolume(world, pv).readFile('written-through-nfs.bin');
        t.ok(data !== undefined && kept.equals(data), `${c.className}: the PV's NFS path still holds the data`);
        continue;
      }

      // The old NFS path is gone: a pod mounting the PV's source now gets ENOENT.
      t.notOk(await parent.exists(base), `${c.className}: ${source.path} gone through NFS`);
      await t.rejects(mountVolume(world, pv).list(), { name: 'NfsCommandError', errno: 2 }, `${c.className}: mounting ${source.path} fails with ENOENT`);
      t.notOk(existsSync(diskPathOf(world, pv)), `${c.className}: and gone on disk`);

      const archives = (await parent.list()).filter((e) => e.name.startsWith(`archived-${base}`));
      if (c.recorded === 'delete') {
        t.same(archives, [], `${c.className}: no archive next to it`);
        continue;
      }
      t.equal(archives.length, 1, `${c.className}: one archive next to the old path`);
      const archive = archives[0];
      if (!archive) continue;
      t.equal(archive.type, 'directory', `${c.className}: ${archive.name} is a directory through NFS`);
      const archivedSource = { server: source.server, path: posix.join(posix.dirname(source.path), archive.name) };
      const archived = mountSource(world, archivedSource);
      const read = await archived.readFile('written-through-nfs.bin');
      t.ok(data !== undefined && read.equals(data), `${c.className}: ${archivedSource.path} holds the data written through NFS`);
      t.ok(read.equals(payload(`${pv.metadata?.name ?? ''} via nfs`)), `${c.className}: byte for byte what was written`);
      t.equal(
        (await archived.readFile('written-on-export.txt')).toString('utf8'),
        `${pv.metadata?.name ?? ''} written on the export\n`,
        `${c.className}: and the file written on the export`,
      );
    }

    // Nothing else appeared or survived at the top of the export.
    const top = (await mountSource(world, { server: '127.0.0.1', path: world.nfs.pseudoPath }).list()).map((e) => e.name);
    const baseOf = (claim: string): string => {
      const pv = volumes.get(claim);
      return pv ? posix.basename(nfsSourceOf(pv).path) : `(no PV for ${claim})`;
    };
    t.same(
      top,
      [`archived-${baseOf('archived-by-default')}`, 'default', baseOf('kept')].sort(),
      'the export holds the archive, the pathPattern tree and the retained directory',
    );
  });
});

// Many installs point NFS_PATH at a directory inside the export, often with a trailing slash
// (where the Go project's delete broke): the PVs must still name working NFS paths, and reclaim
// must archive at that path.
void t.test('NFS_PATH a subdirectory of the export, with a trailing slash', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  if (!requireNfsOrSkip(t)) return;
  const world = await startNfsWorld(t, { exportFixture: { k8s: {} }, mountSubdir: 'k8s', nfsPath: '/export/k8s/' });
  await world.createClass('nfs-sub');
  const claim = await world.createClaim('sub', { storageClassName: 'nfs-sub' });
  const { pv } = await world.waitBound('sub');
  const directory = `default-sub-pvc-${claim.metadata?.uid ?? ''}`;
  t.equal(nfsSourceOf(pv).path, `/export/k8s/${directory}`, 'spec.nfs.path: one slash between NFS_PATH and the directory');
  await checkRoundTrip(t, world, pv);

  await world.deleteClaim('sub');
  await world.waitPvGone(pv.metadata?.name ?? '');
  const parent = mountSource(world, parentSource(pv));
  t.same((await parent.list()).map((e) => e.name), [`archived-${directory}`], 'archived in place, next to the old path, through NFS');
  const archived = mountSource(world, { server: '127.0.0.1', path: `/export/k8s/archived-${directory}` });
  t.ok((await archived.readFile('written-through-nfs.bin')).equals(payload(`${pv.metadata?.name ?? ''} via nfs`)), 'the archive holds the data');
});
