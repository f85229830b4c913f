import { lstat, mkdir, readdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ExportFs } from '../../lib/nfs/export-fs.ts';
import { archiveNames, reclaimDirectory } from '../../lib/nfs/reclaim.ts';
import { snapshotTree } from './helpers/tree-snapshot.ts';

type WithTestdir = Pick<typeof t, 'testdir'>;

const fs = new ExportFs({ timeoutMs: 5000, concurrency: 2 });
const now = new Date('2026-01-02T03:04:05.678Z');

async function setup(t: WithTestdir) {
  const dir = await realpath(
    t.testdir({
      export: { vol: { 'data.txt': 'keep me' }, ns: { claim: { 'x.txt': 'nested' } } },
      sentinel: { 'secret.txt': 'do not touch', sub: { deeper: 'x' } },
    }),
  );
  return { root: join(dir, 'export'), sentinel: join(dir, 'sentinel') };
}

void t.test('archive names: plain, then timestamp, then counter; always short enough', (t) => {
  const names = [...archiveNames('vol', now)];
  t.same(names.slice(0, 3), ['archived-vol', 'archived-vol-20260102T030405Z', 'archived-vol-20260102T030405Z-2']);
  t.equal(new Set(names).size, names.length, 'all distinct');
  const long = [...archiveNames('v'.repeat(255), now)];
  t.ok(long.every((name) => Buffer.byteLength(name) <= 255));
  t.equal(new Set(long).size, long.length, 'distinct after shortening too');
  t.end();
});

void t.test('archive renames in place and keeps the data', async (t) => {
  const { root } = await setup(t);
  const outcome = await reclaimDirectory({ fs, root, components: ['vol'], decision: 'archive', now });
  t.same(outcome, { action: 'archived', from: join(root, 'vol'), to: join(root, 'archived-vol') });
  t.equal(await readFile(join(root, 'archived-vol', 'data.txt'), 'utf8'), 'keep me');
  t.same(await reclaimDirectory({ fs, root, components: ['vol'], decision: 'archive', now }), { action: 'already-gone' }, 'a retry after the rename is done');
});

void t.test('a nested directory is archived next to itself', async (t) => {
  const { root } = await setup(t);
  await reclaimDirectory({ fs, root, components: ['ns', 'claim'], decision: 'archive', now });
  t.same((await readdir(join(root, 'ns'))).sort(), ['archived-claim']);
  t.equal(await readFile(join(root, 'ns', 'archived-claim', 'x.txt'), 'utf8'), 'nested');
});

void t.test('archive collisions get a timestamp, then a counter', async (t) => {
  const { root } = await setup(t);
  await mkdir(join(root, 'archived-vol'));
  await writeFile(join(root, 'archived-vol', 'old.txt'), 'older archive');
  await reclaimDirectory({ fs, root, components: ['vol'], decision: 'archive', now });
  t.equal(await readFile(join(root, 'archived-vol', 'old.txt'), 'utf8'), 'older archive', 'old archive intact');
  t.equal(await readFile(join(root, 'archived-vol-20260102T030405Z', 'data.txt'), 'utf8'), 'keep me');
  await mkdir(join(root, 'vol'));
  await writeFile(join(root, 'vol', 'third.txt'), '3');
  await reclaimDirectory({ fs, root, components: ['vol'], decision: 'archive', now });
  t.equal(await readFile(join(root, 'archived-vol-20260102T030405Z-2', 'third.txt'), 'utf8'), '3');
  // An empty directory squatting on the name is not replaced either (rename would do that silently).
  await mkdir(join(root, 'vol'));
  await mkdir(join(root, 'archived-vol-20260102T030405Z-3'));
  await reclaimDirectory({ fs, root, components: ['vol'], decision: 'archive', now });
  t.ok((await lstat(join(root, 'archived-vol-20260102T030405Z-3'))).isDirectory());
  t.ok((await lstat(join(root, 'archived-vol-20260102T030405Z-4'))).isDirectory());
});

void t.test('delete removes the tree without following symlinks out', async (t) => {
  const { root, sentinel } = await setup(t);
  await symlink(sentinel, join(root, 'vol', 'abs-link'));
  await symlink('../../sentinel/secret.txt', join(root, 'vol', 'file-link'));
  await mkdir(join(root, 'vol', 'sub'));
  await symlink(join(sentinel, 'sub'), join(root, 'vol', 'sub', 'deep-link'));
  const before = await snapshotTree(sentinel);
  const outcome = await reclaimDirectory({ fs, root, components: ['vol'], decision: 'delete', now });
  t.same(outcome, { action: 'deleted', path: join(root, 'vol') });
  await t.rejects(lstat(join(root, 'vol')), { code: 'ENOENT' });
  t.same(await snapshotTree(sentinel), before, 'sentinel byte for byte unchanged');
  t.same(await reclaimDirectory({ fs, root, components: ['vol'], decision: 'delete', now }), { action: 'already-gone' });
});

void t.test('retain leaves everything', async (t) => {
  const { root } = await setup(t);
  const before = await snapshotTree(root);
  t.same(await reclaimDirectory({ fs, root, components: ['vol'], decision: 'retain', now }), { action: 'retained' });
  t.same(await snapshotTree(root), before);
});

void t.test('a volume directory replaced by a symlink out is never archived or deleted', async (t) => {
  const { root, sentinel } = await setup(t);
  await symlink(sentinel, join(root, 'planted'));
  await symlink(sentinel, join(root, 'parent-link'));
  const before = await snapshotTree(sentinel);
  for (const decision of ['delete', 'archive'] as const) {
    await t.rejects(reclaimDirectory({ fs, root, components: ['planted'], decision, now }), { name: 'PermanentError', message: /symlink/ });
    await t.rejects(reclaimDirectory({ fs, root, components: ['parent-link', 'sub'], decision, now }), { name: 'PermanentError', message: /outside the export/ });
  }
  t.same(await snapshotTree(sentinel), before);
  t.ok((await lstat(join(root, 'planted'))).isSymbolicLink(), 'the link itself is left alone');
});
