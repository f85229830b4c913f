// The launcher against a real nfs-ganesha: start, serve both directions, stop without leftovers.
import t from 'tap';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { availability, requireNfsOrSkip } from '../../../harness/nfs/availability.ts';
import { NfsCommandError, NfsToolsMissingError } from '../../../harness/nfs/errors.ts';
import { startNfsServer } from '../../../harness/nfs/ganesha.ts';
import { nfsClientFor } from '../../../harness/nfs/nfs-client.ts';

void t.test('missing binaries give a typed error that says what to install', async (t) => {
  const empty = t.testdir({});
  const err = await startNfsServer({ exportDir: empty, searchPath: empty }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof NfsToolsMissingError, 'NfsToolsMissingError');
  if (!(err instanceof NfsToolsMissingError)) return;
  t.match(err.missing, ['ganesha.nfsd', 'rpcbind', 'nfs-ls']);
  t.match(err.message, /apt-get install .*nfs-ganesha nfs-ganesha-vfs rpcbind libnfs-utils/);

  const a = availability({ searchPath: empty, need: ['nfs', 'hung-mount'] });
  t.equal(a.ok, false);
  t.match(a.message, /ganesha\.nfsd.*bindfs.*apt-get install/);
});

void t.test('requireNfsOrSkip skips outside CI and fails in CI', (t) => {
  const empty = t.testdir({});
  const calls: string[] = [];
  const fake = {
    plan: (n: number, comment?: string) => void calls.push(`plan ${n} ${comment ?? ''}`),
    fail: (m: string) => (calls.push(`fail ${m}`), false),
  };
  t.equal(requireNfsOrSkip(fake, { searchPath: empty, ci: false }), false);
  t.match(calls.pop(), /^plan 0 skip: .*apt-get install/);
  t.equal(requireNfsOrSkip(fake, { searchPath: empty, ci: true }), false);
  t.match(calls.pop(), /^fail .*CI=true/);
  t.end();
});

void t.test('serves an export: both directions, right after start', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const exportDir = t.testdir({ 'from-disk.txt': 'written on the server side\n', claims: {} });
  const started = performance.now();
  const server = await startNfsServer({ exportDir });
  t.teardown(() => server.stop());
  t.comment(`ganesha answered ${server.startMs.toFixed(0)} ms after spawn (${(performance.now() - started).toFixed(0)} ms with rpcbind check)`);
  t.equal(server.server, '127.0.0.1');
  t.match(server.url('claims/x'), new RegExp(`^nfs://127\\.0\\.0\\.1/export/claims/x\\?version=4&nfsport=${server.port}$`));
  t.equal(server.nfsPath('claims/x'), '/export/claims/x');

  const nfs = nfsClientFor(server);
  t.equal((await nfs.readFile('from-disk.txt')).toString(), 'written on the server side\n');

  // Writing right after start proves grace is off: otherwise OPEN fails with NFS4ERR_GRACE for 90 s.
  const rt = performance.now();
  await nfs.writeFile('claims/from-nfs.bin', Buffer.from([0, 1, 2, 255]));
  t.same(readFileSync(`${server.exportDir}/claims/from-nfs.bin`), Buffer.from([0, 1, 2, 255]));
  t.equal((await nfs.readFile('claims/from-nfs.bin')).length, 4);
  t.comment(`write + read round trip through NFS: ${(performance.now() - rt).toFixed(0)} ms`);

  t.same(
    (await nfs.list()).map((e) => [e.name, e.type]),
    [['claims', 'directory'], ['from-disk.txt', 'file']],
  );
  // no_root_squash and numeric owners: root stays uid 0, on disk and as the client sees it.
  t.equal(statSync(`${server.exportDir}/claims/from-nfs.bin`).uid, 0);
  t.equal((await nfs.stat('claims/from-nfs.bin')).uid, 0);
});

void t.test('changes made on disk behind the server are seen through NFS at once', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const exportDir = t.testdir({ d: {} });
  const server = await startNfsServer({ exportDir, squash: 'root_squash' });
  t.teardown(() => server.stop());
  const user = nfsClientFor(server).as({ uid: 1000, gid: 1000 });
  // Seen (and cached by ganesha) as root:root 0755 first ...
  t.equal((await user.stat('d')).uid, 0);
  await t.rejects(user.writeFile('d/denied', 'x'), { name: 'NfsCommandError', errno: 13 }, 'refused while root-owned');
  // ... then given to uid 1000 the way the provisioner does it, on the export directly.
  chownSync(`${server.exportDir}/d`, 1000, 1000);
  chmodSync(`${server.exportDir}/d`, 0o770);
  await user.writeFile('d/allowed', 'x');
  t.equal(statSync(`${server.exportDir}/d/allowed`).uid, 1000);
  // A file created on disk appears in a listing already read through NFS.
  writeFileSync(`${server.exportDir}/d/later`, 'y');
  t.same((await user.list('d')).map((e) => e.name), ['allowed', 'later']);
});

void t.test('several servers at once, and stop leaves nothing behind', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const root = t.testdir({ a: { 'which.txt': 'a' }, b: { 'which.txt': 'b' } });
  const a = await startNfsServer({ exportDir: `${root}/a` });
  const b = await startNfsServer({ exportDir: `${root}/b`, pseudoPath: '/other/export' });
  t.teardown(() => Promise.all([a.stop(), b.stop()]));
  t.not(a.port, b.port);
  t.equal((await nfsClientFor(a).readFile('which.txt')).toString(), 'a');
  t.equal((await nfsClientFor(b).readFile('which.txt')).toString(), 'b');
  t.equal(b.url('which.txt'), `nfs://127.0.0.1/other/export/which.txt?version=4&nfsport=${b.port}`);

  const pid = a.pid();
  t.ok(pid, 'ganesha runs');
  const workDir = dirname(a.logPath);
  const stopped = performance.now();
  await a.stop();
  t.comment(`stop took ${(performance.now() - stopped).toFixed(0)} ms`);
  await a.stop(); // twice is fine
  t.equal(a.pid(), undefined);
  t.throws(() => process.kill(pid ?? -1, 0), { code: 'ESRCH' }, 'the ganesha process is gone');
  t.notOk(existsSync(workDir), 'config, log and recovery dir removed');
  t.ok(existsSync(`${root}/a/which.txt`), 'the export itself is untouched');
  await t.rejects(nfsClientFor(a, { timeoutMs: 3000 }).list(), NfsCommandError, 'nobody answers on the port');
  t.equal((await nfsClientFor(b).readFile('which.txt')).toString(), 'b', 'the other server is unaffected');
});

void t.test('one server, two exports at their own pseudo paths, each read and written through NFS', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const root = t.testdir({ a: { 'which.txt': 'a' }, b: { 'which.txt': 'b' } });
  const server = await startNfsServer({ exportDir: `${root}/a`, pseudoPath: '/export-a', moreExports: [{ exportDir: `${root}/b`, pseudoPath: '/export-b' }] });
  t.teardown(() => server.stop());
  const [second] = server.moreExports;
  t.equal(second?.nfsPath('x'), '/export-b/x');
  t.equal(second?.url('which.txt'), `nfs://127.0.0.1/export-b/which.txt?version=4&nfsport=${server.port}`);
  const clientA = nfsClientFor(server);
  const clientB = nfsClientFor({ port: server.port, pseudoPath: second?.pseudoPath ?? '' });
  t.equal((await clientA.readFile('which.txt')).toString(), 'a');
  t.equal((await clientB.readFile('which.txt')).toString(), 'b');
  await clientB.writeFile('through-nfs.txt', 'into b');
  t.equal(readFileSync(`${root}/b/through-nfs.txt`, 'utf8'), 'into b', 'written into the second directory');
  t.notOk(existsSync(`${root}/a/through-nfs.txt`), 'not into the first');
});

void t.test('an export directory that does not exist is refused', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const root = t.testdir({});
  mkdirSync(`${root}/x`);
  await t.rejects(startNfsServer({ exportDir: `${root}/missing` }), { code: 'ENOENT' });
});
