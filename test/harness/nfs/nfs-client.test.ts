// The NFS client: every operation through a real server, errors with their errno, and a hard
// time limit when the server stops answering.
import t from 'tap';
import { statSync } from 'node:fs';
import { requireNfsOrSkip } from '../../../harness/nfs/availability.ts';
import { NfsCommandError, NfsCommandTimeoutError } from '../../../harness/nfs/errors.ts';
import { startNfsServer } from '../../../harness/nfs/ganesha.ts';
import { errnoOf, nfsClientFor, parseListing } from '../../../harness/nfs/nfs-client.ts';
import { nfsUrl } from '../../../harness/nfs/nfs-url.ts';

void t.test('nfs-ls output is parsed into entries, names with spaces included', (t) => {
  const entries = parseListing(
    [
      'drwxrwx---  2  1000  1000         4096 sub dir',
      '-rw-r--r--  1     0     0            3 a.txt',
      'lrwxrwxrwx  1     0     0            4 link',
      'drwxrwsr-t  2     0     0         4096 shared',
      'Failed to open something',
    ].join('\n'),
  );
  t.same(
    entries.map((e) => [e.name, e.type, e.perm.toString(8), e.uid, e.size]),
    [
      ['a.txt', 'file', '644', 0, 3],
      ['link', 'symlink', '777', 0, 4],
      ['shared', 'directory', '3775', 0, 4096],
      ['sub dir', 'directory', '770', 1000, 4096],
    ],
  );
  t.equal(errnoOf('failed with NFS4ERR_ACCESS(-13)'), 13);
  t.equal(errnoOf('nothing here'), undefined);
  t.end();
});

void t.test('URLs name the pseudo path, port and identity, and refuse ".."', (t) => {
  t.equal(
    nfsUrl({ port: 2049, pseudoPath: '/export', dir: 'ns/claim a', uid: 1000, gid: 100 }),
    'nfs://127.0.0.1/export/ns/claim%20a?version=4&nfsport=2049&uid=1000&gid=100',
  );
  t.throws(() => nfsUrl({ port: 2049, pseudoPath: '/export', dir: '../etc' }), /\.\./);
  t.end();
});

void t.test('operations through NFS', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const exportDir = t.testdir({ existing: 'old' });
  const server = await startNfsServer({ exportDir });
  t.teardown(() => server.stop());
  const nfs = nfsClientFor(server);

  await nfs.mkdir('made', 0o750);
  const st = statSync(`${server.exportDir}/made`);
  t.ok(st.isDirectory(), 'mkdir through NFS makes a directory on the export');
  t.equal(st.mode & 0o777, 0o750);
  const viaNfs = await nfs.stat('made');
  t.ok(viaNfs.isDirectory);
  t.equal(viaNfs.mode & 0o777, 0o750);

  await nfs.writeFile('made/f', 'x');
  await nfs.chmod('made/f', 0o604);
  t.equal(statSync(`${server.exportDir}/made/f`).mode & 0o777, 0o604);
  t.equal((await nfs.stat('made/f')).mode & 0o777, 0o604);
  // libnfs 4.0 chmods by OPENing the object, which NFSv4 refuses for directories.
  await t.rejects(nfs.chmod('made', 0o777), { name: 'NfsCommandError', errno: 21 }, 'EISDIR');

  await t.rejects(nfs.writeFile('existing', 'new'), { name: 'NfsCommandError', errno: 17 }, 'no silent overwrite');
  await nfs.writeFile('existing', 'new', { overwrite: true });
  t.equal((await nfs.readFile('existing')).toString(), 'new');

  const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'z');
  await nfs.writeFile('made/big', big);
  t.ok((await nfs.readFile('made/big')).equals(big), 'a multi-megabyte file round-trips');

  t.equal(await nfs.exists('made/big'), true);
  await nfs.unlink('made/big');
  await nfs.unlink('made/f');
  t.equal(await nfs.exists('made/big'), false);
  await nfs.rmdir('made');
  t.equal(await nfs.exists('made'), false);

  await t.rejects(nfs.readFile('nope'), { name: 'NfsCommandError', errno: 2 }, 'ENOENT');
  await t.rejects(nfs.stat('nope'), NfsCommandError);
});

void t.test('a server that stops answering costs a timeout, not a stuck test', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const exportDir = t.testdir({ f: 'x' });
  const server = await startNfsServer({ exportDir });
  t.teardown(() => server.stop());
  const pid = server.pid();
  if (pid === undefined) throw new Error('ganesha is not running');
  process.kill(pid, 'SIGSTOP');
  t.teardown(() => process.kill(pid, 'SIGCONT'));
  const nfs = nfsClientFor(server, { timeoutMs: 500 });
  await t.rejects(nfs.readFile('f'), NfsCommandTimeoutError);
  await t.rejects(nfs.stat('f'), NfsCommandTimeoutError);
  process.kill(pid, 'SIGCONT');
  t.equal((await nfsClientFor(server).readFile('f')).toString(), 'x', 'answers again once resumed');
});
