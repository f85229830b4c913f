// A root_squash export, as most NFS servers are set up: a class with uid/gid/mode parameters gives
// a volume that its non-root user (uid 1000) can write through NFS and another uid (2000) cannot,
// not even the squashed root; the default class gives 0777 directories, as the Go project does, so
// any uid can write. Checked over the NFS protocol with AUTH_SYS credentials, as pods would send.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { requireNfsOrSkip } from '../../harness/nfs/index.ts';
import { startNfsWorld } from './nfs-helpers/nfs-world.ts';
import { checkRoundTrip, diskPathOf, mountVolume } from './nfs-helpers/volume-access.ts';

const OWNER = { uid: 1000, gid: 1000 };
const STRANGER = { uid: 2000, gid: 2000 };
const ANON = 65534; // what root becomes on a root_squash export

void t.test('root_squash export: class uid/gid/mode vs the 0777 default', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  if (!requireNfsOrSkip(t)) return;
  const world = await startNfsWorld(t, { squash: 'root_squash' });
  await world.createClass('nfs-owned', { uid: '1000', gid: '1000', mode: '0770' });
  await world.createClass('nfs-default');
  await world.createClaim('owned', { storageClassName: 'nfs-owned' });
  await world.createClaim('open', { storageClassName: 'nfs-default' });
  const owned = (await world.waitBound('owned')).pv;
  const open = (await world.waitBound('open')).pv;

  await t.test('uid 1000 / gid 1000 / mode 0770: only its owner writes', async (t) => {
    const st = await mountVolume(world, owned).stat('');
    t.equal(st.mode & 0o7777, 0o770, 'the volume root is 0770 through NFS');
    t.same([st.uid, st.gid], [1000, 1000], 'owned by 1000:1000 through NFS');

    const owner = mountVolume(world, owned, OWNER);
    await checkRoundTrip(t, world, owned, { ids: OWNER });
    await owner.mkdir('data', 0o755);
    await owner.writeFile('data/row', 'mine\n');
    t.equal(statSync(join(diskPathOf(world, owned), 'data/row')).uid, 1000, 'the owner\'s file is the owner\'s on disk');
    t.equal((await owner.readFile('data/row')).toString('utf8'), 'mine\n', 'and reads back through NFS');

    const stranger = mountVolume(world, owned, STRANGER);
    await t.rejects(stranger.writeFile('theirs', 'x'), { name: 'NfsCommandError', errno: 13 }, 'uid 2000 may not write (EACCES)');
    await t.rejects(stranger.list(), { name: 'NfsCommandError', errno: 13 }, 'nor list');
    await t.rejects(stranger.readFile('data/row'), 'nor read');
    await t.rejects(mountVolume(world, owned).writeFile('by-root', 'x'), { name: 'NfsCommandError', errno: 13 }, 'squashed root may not write either');
    // A member of the group may (mode 0770, gid 1000).
    await mountVolume(world, owned, { uid: 3000, gid: 1000 }).writeFile('by-group', 'g\n');
    t.equal(statSync(join(diskPathOf(world, owned), 'by-group')).gid, 1000, 'a gid 1000 member writes (group rwx)');
  });

  await t.test('the default class: 0777, any uid writes, as the Go project', async (t) => {
    const st = await mountVolume(world, open).stat('');
    t.equal(st.mode & 0o7777, 0o777, 'the volume root is 0777 through NFS');
    await checkRoundTrip(t, world, open, { ids: STRANGER });
    for (const [who, ids, diskUid] of [
      ['uid 1000', OWNER, 1000],
      ['uid 2000', STRANGER, 2000],
      ['squashed root', undefined, ANON],
    ] as const) {
      const file = `by-${String(diskUid)}`;
      await mountVolume(world, open, ids).writeFile(file, `${who}\n`);
      t.equal(statSync(join(diskPathOf(world, open), file)).uid, diskUid, `${who} writes; the file is uid ${diskUid} on disk`);
      t.equal((await mountVolume(world, open, OWNER).readFile(file)).toString('utf8'), `${who}\n`, `${who}'s file reads through NFS`);
    }
  });
});
