// Seed 003 on a real NFS server: an administrator's static NFS PV (Retain) pointing at a directory
// of the export, a claim the binder matches to it, data written through NFS by the claim's user
// (the seed's mysql), the claim deleted (PV Released, data still there), and the volume given to
// a new claim the two ways an administrator does it: clear the claimRef, or pre-bind. The
// provisioner runs too and must leave the static volume alone at every step.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import type { V1PersistentVolume } from '@kubernetes/client-node';
import { requireNfsOrSkip } from '../../harness/nfs/index.ts';
import { startNfsWorld } from './nfs-helpers/nfs-world.ts';
import type { NfsWorld } from './nfs-helpers/nfs-world.ts';
import { checkRoundTrip, mountVolume } from './nfs-helpers/volume-access.ts';

const PV = 'nfs-pv';
const ROW1 = '1,zhangsan\n';
const ROW2 = '2,lisi\n';

async function readPv(world: NfsWorld): Promise<V1PersistentVolume> {
  const list = await world.core.listPersistentVolume();
  const pv = list.items.find((v) => v.metadata?.name === PV);
  if (!pv) throw new Error(`PV ${PV} is gone`);
  return pv;
}

void t.test('seed 003: a static NFS PV with Retain keeps its data across claims', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  if (!requireNfsOrSkip(t)) return;
  const world = await startNfsWorld(t, { exportFixture: { nfsdata: {} } });
  const controllers = world.cluster.controllers;
  // A class of the running provisioner, so it is busy with something of its own, not the static PV.
  await world.createClass('nfs-dynamic');

  // The seed's PV, with Retain (the seed's Recycle is gone from Kubernetes) and the export's path.
  await world.core.createPersistentVolume({
    body: {
      metadata: { name: PV },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: 'nfs',
        nfs: { server: world.nfs.server, path: world.nfs.nfsPath('nfsdata') },
      },
    },
  });
  // A decoy the binder must not pick: same class, too small.
  await world.core.createPersistentVolume({
    body: {
      metadata: { name: 'nfs-pv-small' },
      spec: {
        capacity: { storage: '100Mi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: 'nfs',
        nfs: { server: world.nfs.server, path: world.nfs.nfsPath('nfsdata') },
      },
    },
  });

  await t.test('the seed\'s claim binds to the PV and its pod writes through NFS', async (t) => {
    await world.createClaim('nfs-pvc', { storageClassName: 'nfs', accessModes: ['ReadWriteOnce'], storage: '1Gi' });
    const { pv } = await world.waitBound('nfs-pvc');
    t.equal(pv.metadata?.name, PV, 'bound to the 1Gi PV, not the small one');
    t.equal(pv.spec?.nfs?.path, '/export/nfsdata');
    await checkRoundTrip(t, world, pv, { provisioned: false });
    // The seed's mysql: a database directory and a row, through NFS.
    const mount = mountVolume(world, pv);
    await mount.mkdir('volumes_db', 0o750);
    await mount.writeFile('volumes_db/my_id', ROW1);
    t.equal(readFileSync(join(world.exportDir, 'nfsdata/volumes_db/my_id'), 'utf8'), ROW1, 'the row is on the export');
  });

  await t.test('deleting the claim releases the PV and keeps the data', async (t) => {
    await world.deleteClaim('nfs-pvc');
    const released = await world.waitPvPhase(PV, 'Released');
    await controllers?.idle();
    t.equal((await readPv(world)).status?.phase, 'Released', 'still Released once the controllers are idle');
    t.equal(released.spec?.persistentVolumeReclaimPolicy, 'Retain');
    t.equal((await mountVolume(world, released).readFile('volumes_db/my_id')).toString('utf8'), ROW1, 'the row reads through NFS');
    t.ok(existsSync(join(world.exportDir, 'nfsdata/volumes_db/my_id')), 'and is on disk');
    t.same(
      (await mountVolume(world, released).list()).map((e) => e.name),
      ['volumes_db', 'written-on-export.txt', 'written-through-nfs.bin'],
      'nothing archived, deleted or added',
    );
  });

  await t.test('the administrator clears the claimRef: a new claim binds and sees the data', async (t) => {
    const pv = await readPv(world);
    if (pv.spec) delete pv.spec.claimRef;
    await world.core.replacePersistentVolume({ name: PV, body: pv });
    await world.waitPvPhase(PV, 'Available');
    await world.createClaim('nfs-pvc-2', { storageClassName: 'nfs', accessModes: ['ReadWriteOnce'], storage: '1Gi' });
    const { pv: bound } = await world.waitBound('nfs-pvc-2');
    t.equal(bound.metadata?.name, PV);
    const mount = mountVolume(world, bound);
    t.equal((await mount.readFile('volumes_db/my_id')).toString('utf8'), ROW1, 'the first claim\'s row reads through NFS');
    await mount.writeFile('volumes_db/my_id', ROW1 + ROW2, { overwrite: true });
    t.equal(readFileSync(join(world.exportDir, 'nfsdata/volumes_db/my_id'), 'utf8'), ROW1 + ROW2, 'a second row written through NFS');
    await world.deleteClaim('nfs-pvc-2');
    await world.waitPvPhase(PV, 'Released');
  });

  await t.test('the administrator pre-binds the PV to a claim by name', async (t) => {
    const pv = await readPv(world);
    if (pv.spec) pv.spec.claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: 'nfs-pvc-3' };
    await world.core.replacePersistentVolume({ name: PV, body: pv });
    await world.createClaim('nfs-pvc-3', { storageClassName: 'nfs', accessModes: ['ReadWriteOnce'], storage: '1Gi', volumeName: PV });
    const { pv: bound } = await world.waitBound('nfs-pvc-3');
    t.equal((await mountVolume(world, bound).readFile('volumes_db/my_id')).toString('utf8'), ROW1 + ROW2, 'both rows read through NFS');
  });

  await t.test('the administrator deletes claim and PV: the directory stays on the server', async (t) => {
    const source = (await readPv(world)).spec?.nfs;
    await world.deleteClaim('nfs-pvc-3');
    await world.waitPvPhase(PV, 'Released');
    await world.core.deletePersistentVolume({ name: PV });
    await world.waitPvGone(PV);
    t.ok(source, 'the PV had an NFS source');
    if (!source) return;
    const mount = mountVolume(world, { spec: { nfs: source } });
    t.equal((await mount.readFile('volumes_db/my_id')).toString('utf8'), ROW1 + ROW2, 'the data still reads through NFS');
  });

  // The provisioner saw all of it and touched none of it.
  await controllers?.idle();
  const pvs = (await world.core.listPersistentVolume()).items;
  t.same(pvs.map((v) => v.metadata?.name), ['nfs-pv-small'], 'no PV provisioned for the static claims');
  const ours = (world.provisioner?.logs ?? []).filter((l) => l.text.includes(PV) && /archiv|delet/i.test(l.text));
  t.same(ours.map((l) => l.text), [], 'the provisioner logged no reclaim of the static PV');
});
