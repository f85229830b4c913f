import { lstat, mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { PermanentError } from '../../lib/errors.ts';
import {
  assertStrictlyWithin,
  exportRoot,
  isStrictlyWithin,
  isWithinOrEqual,
  locateConfinedDirectory,
  makeConfinedDirectory,
} from '../../lib/nfs/confine.ts';
import { ExportFs } from '../../lib/nfs/export-fs.ts';
import { snapshotTree } from './helpers/tree-snapshot.ts';

type WithTestdir = Pick<typeof t, 'testdir'>;

const fs = new ExportFs({ timeoutMs: 5000, concurrency: 2 });

async function setup(t: WithTestdir) {
  const dir = await realpath(t.testdir({ export: {}, sentinel: { 'secret.txt': 'do not touch', sub: {} } }));
  return { dir, root: join(dir, 'export'), sentinel: join(dir, 'sentinel') };
}

void t.test('within checks', (t) => {
  t.ok(isWithinOrEqual('/e', '/e'));
  t.ok(isWithinOrEqual('/e', '/e/a/b'));
  t.notOk(isWithinOrEqual('/e', '/ex'));
  t.notOk(isWithinOrEqual('/e', '/'));
  t.notOk(isWithinOrEqual('/e', '/e/../x'.replace('/e/..', '')));
  t.ok(isWithinOrEqual('/e', '/e/..a'), 'a name starting with .. is inside');
  t.notOk(isStrictlyWithin('/e', '/e'));
  t.notOk(isStrictlyWithin('/e', '/e/'));
  t.ok(isStrictlyWithin('/e', '/e/a'));
  t.ok(isStrictlyWithin('/', '/a'));
  t.throws(() => assertStrictlyWithin('/e', '/e', 'x'), PermanentError);
  t.throws(() => assertStrictlyWithin('/e', '/etc', 'x'), PermanentError);
  t.end();
});

void t.test('makes nested directories and reuses them', async (t) => {
  const { root } = await setup(t);
  const path = await makeConfinedDirectory(fs, root, ['a', 'b', 'c']);
  t.equal(path, join(root, 'a/b/c'));
  t.ok((await lstat(path)).isDirectory());
  t.equal(await makeConfinedDirectory(fs, root, ['a', 'b', 'c']), path, 'idempotent');
  await t.rejects(makeConfinedDirectory(fs, root, []), PermanentError, 'never the root');
});

void t.test('symlinks out of the export are never followed; the sentinel stays byte-identical', async (t) => {
  const { root, sentinel } = await setup(t);
  await symlink(sentinel, join(root, 'abs-link'));
  await symlink('../sentinel', join(root, 'rel-link'));
  await symlink('/nonexistent-target-for-test', join(root, 'dangling'));
  await mkdir(join(root, 'deep'));
  await symlink('../../sentinel/sub', join(root, 'deep', 'up'));
  const before = await snapshotTree(sentinel);

  await t.rejects(makeConfinedDirectory(fs, root, ['abs-link']), { name: 'PermanentError', message: /"abs-link" on the export is a symlink/ });
  await t.rejects(makeConfinedDirectory(fs, root, ['abs-link', 'new']), { name: 'PermanentError', message: /is a symlink/ });
  await t.rejects(makeConfinedDirectory(fs, root, ['rel-link', 'x', 'y']), PermanentError);
  await t.rejects(makeConfinedDirectory(fs, root, ['deep', 'up', 'z']), PermanentError);
  await t.rejects(makeConfinedDirectory(fs, root, ['dangling']), { name: 'PermanentError', message: /is a symlink/ });
  await t.rejects(locateConfinedDirectory(fs, root, ['abs-link', 'sub']), { message: /outside the export/ });
  await t.rejects(locateConfinedDirectory(fs, root, ['abs-link']), { message: /is a symlink/ });
  await t.rejects(locateConfinedDirectory(fs, root, ['deep', 'up']), { message: /is a symlink/ });

  t.same(await snapshotTree(sentinel), before, 'nothing outside the export changed');
});

void t.test('a symlink that stays inside the export is refused too (it could lead into another volume)', async (t) => {
  const { root } = await setup(t);
  await mkdir(join(root, 'victim', 'v'), { recursive: true });
  await writeFile(join(root, 'victim', 'v', 'data'), 'theirs');
  await mkdir(join(root, 'tenant'));
  await symlink('../victim/v', join(root, 'tenant', 'v'));
  await symlink('victim', join(root, 'alias'));
  const before = await snapshotTree(join(root, 'victim'));
  await t.rejects(makeConfinedDirectory(fs, root, ['tenant', 'v']), { message: /"tenant\/v" on the export is a symlink/ });
  await t.rejects(makeConfinedDirectory(fs, root, ['alias', 'v']), { message: /"alias" on the export is a symlink/ });
  await t.rejects(locateConfinedDirectory(fs, root, ['tenant', 'v']), { message: /is a symlink/ });
  await t.rejects(locateConfinedDirectory(fs, root, ['alias', 'v']), { message: /resolves to .*victim instead of .*alias/ });
  await symlink('.', join(root, 'self'));
  await t.rejects(makeConfinedDirectory(fs, root, ['self']), PermanentError, 'a link to the root itself is refused');
  t.same(await snapshotTree(join(root, 'victim')), before, 'the other volume is untouched');
});

void t.test('a file in the way is refused', async (t) => {
  const { root } = await setup(t);
  await writeFile(join(root, 'file'), 'x');
  await t.rejects(makeConfinedDirectory(fs, root, ['file']), { message: /not a directory/ });
  await t.rejects(locateConfinedDirectory(fs, root, ['file']), { message: /not a directory/ });
  t.same(await locateConfinedDirectory(fs, root, ['file', 'below']), { kind: 'missing' }, 'a file as parent: nothing there');
});

void t.test('locate reports missing and found directories', async (t) => {
  const { root } = await setup(t);
  t.same(await locateConfinedDirectory(fs, root, ['nope']), { kind: 'missing' });
  t.same(await locateConfinedDirectory(fs, root, ['nope', 'deeper']), { kind: 'missing' });
  await mkdir(join(root, 'a', 'b'), { recursive: true });
  t.same(await locateConfinedDirectory(fs, root, ['a', 'b']), { kind: 'directory', parent: join(root, 'a'), name: 'b', path: join(root, 'a', 'b') });
  await t.rejects(locateConfinedDirectory(fs, root, []), PermanentError);
});

void t.test('a missing export mount is a transient error naming it', async (t) => {
  const { dir } = await setup(t);
  await t.rejects(exportRoot(fs, join(dir, 'no-mount')), { name: 'TransientError', message: /no-mount/ });
});
