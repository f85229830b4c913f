// Squash modes as a pod on another node would meet them: ownership of what root writes, and
// which client uids may write into a directory given to a user.
import t from 'tap';
import { chmodSync, chownSync, statSync } from 'node:fs';
import { requireNfsOrSkip } from '../../../harness/nfs/availability.ts';
import { startNfsServer } from '../../../harness/nfs/ganesha.ts';
import { nfsClientFor } from '../../../harness/nfs/nfs-client.ts';

void t.test('root_squash', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const exportDir = t.testdir({ open: {}, owned: {} });
  chmodSync(`${exportDir}/open`, 0o777);
  chownSync(`${exportDir}/owned`, 1000, 1000);
  chmodSync(`${exportDir}/owned`, 0o770);
  const server = await startNfsServer({ exportDir, squash: 'root_squash' });
  t.teardown(() => server.stop());
  const root = nfsClientFor(server);

  await root.writeFile('open/by-root', 'r');
  t.equal(statSync(`${server.exportDir}/open/by-root`).uid, 65534, 'root becomes the anonymous uid on disk');
  t.equal(statSync(`${server.exportDir}/open/by-root`).gid, 65534);
  t.equal((await root.stat('open/by-root')).uid, 65534, 'and the client sees it so');

  const owner = root.as({ uid: 1000, gid: 1000 });
  await owner.writeFile('owned/mine', 'm');
  await owner.mkdir('owned/sub');
  t.equal(statSync(`${server.exportDir}/owned/mine`).uid, 1000);
  t.same((await owner.list('owned')).map((e) => [e.name, e.uid]), [['mine', 1000], ['sub', 1000]]);

  const other = root.as({ uid: 1001, gid: 1001 });
  await t.rejects(other.writeFile('owned/theirs', 'x'), { name: 'NfsCommandError', errno: 13 }, 'another uid may not write');
  await t.rejects(other.list('owned'), { name: 'NfsCommandError', errno: 13 }, 'nor list');
  await t.rejects(root.writeFile('owned/root', 'x'), { name: 'NfsCommandError', errno: 13 }, 'squashed root may not write either');
});

void t.test('root_squash with a chosen anonymous uid/gid', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const exportDir = t.testdir({ open: {} });
  chmodSync(`${exportDir}/open`, 0o777);
  const server = await startNfsServer({ exportDir, squash: 'root_squash', anonUid: 4242, anonGid: 4343 });
  t.teardown(() => server.stop());
  await nfsClientFor(server).writeFile('open/f', 'x');
  const st = statSync(`${server.exportDir}/open/f`);
  t.same([st.uid, st.gid], [4242, 4343]);
});

void t.test('all_squash maps every user, and no_root_squash keeps root', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const exportDir = t.testdir({ open: {} });
  chmodSync(`${exportDir}/open`, 0o777);
  const all = await startNfsServer({ exportDir, squash: 'all_squash' });
  t.teardown(() => all.stop());
  await nfsClientFor(all).as({ uid: 1000, gid: 1000 }).writeFile('open/user', 'u');
  t.equal(statSync(`${all.exportDir}/open/user`).uid, 65534);

  const none = await startNfsServer({ exportDir, squash: 'no_root_squash' });
  t.teardown(() => none.stop());
  await nfsClientFor(none).writeFile('open/root', 'r');
  t.equal(statSync(`${none.exportDir}/open/root`).uid, 0);
});
