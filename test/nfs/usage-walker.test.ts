import { execFileSync } from 'node:child_process';
import { link, lstat, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { FsTimeoutError } from '../../lib/errors.ts';
import type { EntryStats } from '../../lib/nfs/export-fs.ts';
import { ExportFs } from '../../lib/nfs/export-fs.ts';
import type { PauseGate } from '../../lib/nfs/usage-walker.ts';
import { walkUsage } from '../../lib/nfs/usage-walker.ts';

const never: PauseGate = { paused: () => false, wait: () => Promise.resolve() };
const signal = new AbortController().signal;

function du(path: string): { bytes: number; inodes: number } {
  const bytes = Number(execFileSync('du', ['-s', '-x', '-B1', path], { encoding: 'utf8' }).split('\t')[0]);
  const inodes = Number(execFileSync('du', ['-s', '-x', '--inodes', path], { encoding: 'utf8' }).split('\t')[0]);
  return { bytes, inodes };
}

void t.test('bytes and files agree with du; hard links count once; symlinks are not followed', async (t) => {
  const dir = t.testdir({
    outside: { big: Buffer.alloc(256 * 1024, 1) },
    volume: { a: Buffer.alloc(10_000, 1), sub: { b: Buffer.alloc(70_000, 2), deeper: { c: 'x' } }, empty: {} },
  });
  const volume = join(dir, 'volume');
  await link(join(volume, 'a'), join(volume, 'sub', 'a-again'));
  await symlink(join(dir, 'outside'), join(volume, 'to-outside'));
  await symlink(join(dir, 'outside', 'big'), join(volume, 'sub', 'to-big'));
  const fs = new ExportFs({ timeoutMs: 5000, concurrency: 2 }).background();
  const usage = await walkUsage({ fs, root: volume, lanes: 2, pause: never, signal });
  const expected = du(volume);
  t.equal(usage.bytes, expected.bytes, `bytes = du -s -x -B1 (${expected.bytes})`);
  t.equal(usage.files + usage.directories + 1, expected.inodes, 'inodes = du --inodes (files, directories and the root)');
  t.equal(usage.files, 5, 'a (and its hard link once), b, c, two symlinks');
  t.equal(usage.directories, 3);
  t.equal(usage.skipped, 0);
  t.ok(usage.bytes < 256 * 1024, 'the 256 KiB file behind the symlinks is not counted');
});

void t.test('many entries with one lane and with four give the same answer', async (t) => {
  const dir = t.testdir({});
  for (let d = 0; d < 5; d++) {
    await mkdir(join(dir, `d${d}`));
    for (let f = 0; f < 40; f++) await writeFile(join(dir, `d${d}`, `f${f}`), 'x'.repeat(f * 100));
  }
  const fs = new ExportFs({ timeoutMs: 5000, concurrency: 4 }).background();
  const one = await walkUsage({ fs, root: dir, lanes: 1, pause: never, signal });
  const four = await walkUsage({ fs, root: dir, lanes: 4, pause: never, signal });
  t.same(four, one);
  t.equal(one.files, 200);
  t.equal(one.bytes, du(dir).bytes);
});

/** A fake volume: a root directory holding n files of one block each. */
function fakeTree(n: number) {
  const names = Array.from({ length: n }, (_, i) => `f${i}`);
  const stats = (dir: boolean, ino: number): EntryStats => ({
    isDirectory: () => dir,
    isSymbolicLink: () => false,
    dev: 1,
    ino,
    nlink: 1,
    blocks: 1,
  });
  return { names, stats };
}

void t.test('a pause holds the walk at its next call, and it goes on from there', async (t) => {
  const { names, stats } = fakeTree(10);
  let paused = false;
  let release: () => void = () => undefined;
  const gate: PauseGate = {
    paused: () => paused,
    wait: () => new Promise<void>((resolve) => (release = resolve)),
  };
  const statted: string[] = [];
  const fs = {
    readdir: () => Promise.resolve(names),
    entryStats: (path: string) => {
      statted.push(path);
      // The export turns unhealthy after the fourth file.
      if (statted.filter((p) => p.includes('/f')).length === 4) paused = true;
      return Promise.resolve(stats(path === '/v', path === '/v' ? 1 : 100 + statted.length));
    },
  };
  const walk = walkUsage({ fs, root: '/v', lanes: 1, pause: gate, signal });
  await new Promise((resolve) => setImmediate(resolve));
  const whilePaused = statted.length;
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(statted.length, whilePaused, 'no fs call while paused');
  paused = false;
  release();
  const usage = await walk;
  t.equal(usage.files, 10, 'every file counted once: it went on where it stopped');
  t.equal(new Set(statted.filter((p) => p.includes('/f'))).size, 10);
  t.equal(statted.filter((p) => p.includes('/f')).length, 10, 'nothing walked twice');
});

void t.test('a call that times out is tried again after the gate; three timeouts skip the entry', async (t) => {
  const { names, stats } = fakeTree(3);
  const attempts = new Map<string, number>();
  const fs = {
    readdir: () => Promise.resolve(names),
    entryStats: (path: string) => {
      const n = (attempts.get(path) ?? 0) + 1;
      attempts.set(path, n);
      if (path === '/v/f1' && n === 1) return Promise.reject(new FsTimeoutError('lstat /v/f1', 10));
      if (path === '/v/f2') return Promise.reject(new FsTimeoutError('lstat /v/f2', 10));
      return Promise.resolve(stats(path === '/v', path.length));
    },
  };
  const usage = await walkUsage({ fs, root: '/v', lanes: 2, pause: never, signal });
  t.equal(attempts.get('/v/f1'), 2, 'retried once, then counted');
  t.equal(attempts.get('/v/f2'), 3, 'given up after three timeouts');
  t.equal(usage.files, 2);
  t.equal(usage.skipped, 1);
  t.match(usage.firstError, /^f2: .*did not finish/);
});

void t.test('vanished entries are churn, other errors are skipped and named', async (t) => {
  const { names, stats } = fakeTree(3);
  const enoent = Object.assign(new Error('gone'), { code: 'ENOENT' });
  const eacces = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  const fs = {
    readdir: () => Promise.resolve(names),
    entryStats: (path: string) =>
      path === '/v/f0' ? Promise.reject(enoent) : path === '/v/f1' ? Promise.reject(eacces) : Promise.resolve(stats(path === '/v', path.length)),
  };
  const usage = await walkUsage({ fs, root: '/v', lanes: 1, pause: never, signal });
  t.same({ files: usage.files, skipped: usage.skipped }, { files: 1, skipped: 1 });
  t.match(usage.firstError, /^f1: EACCES/);
});

void t.test('a directory replaced while it was listed is dropped, and other devices are left out', async (t) => {
  const dirStats = (ino: number, dev = 1): EntryStats => ({ isDirectory: () => true, isSymbolicLink: () => false, dev, ino, nlink: 2, blocks: 8 });
  const fileStats: EntryStats = { isDirectory: () => false, isSymbolicLink: () => false, dev: 1, ino: 50, nlink: 1, blocks: 1 };
  let subLookups = 0;
  const fs = {
    readdir: (path: string) => Promise.resolve(path === '/v' ? ['swapped', 'mounted'] : ['secret-1', 'secret-2']),
    entryStats: (path: string) => {
      if (path === '/v') return Promise.resolve(dirStats(1));
      if (path === '/v/mounted') return Promise.resolve(dirStats(3, 2));
      if (path === '/v/swapped') {
        subLookups += 1;
        return Promise.resolve(subLookups === 1 ? dirStats(2) : dirStats(99)); // not the same directory after its listing
      }
      return Promise.resolve(fileStats);
    },
  };
  const usage = await walkUsage({ fs, root: '/v', lanes: 1, pause: never, signal });
  t.equal(usage.files, 0, 'nothing from the swapped listing');
  t.equal(usage.skipped, 1);
  t.match(usage.firstError, /swapped: replaced while it was listed/);
  t.equal(usage.bytes, 2 * 8 * 512, 'the root and the swapped directory itself; not the other device');
});

void t.test('an abort stops the walk with the reason', async (t) => {
  const controller = new AbortController();
  const { names, stats } = fakeTree(100);
  const fs = {
    readdir: () => Promise.resolve(names),
    entryStats: (path: string) => {
      if (path === '/v/f50') controller.abort(new Error('lost the lease'));
      return Promise.resolve(stats(path === '/v', path.length));
    },
  };
  await t.rejects(walkUsage({ fs, root: '/v', lanes: 2, pause: never, signal: controller.signal }), { message: 'lost the lease' });
});

void t.test('the root must be a directory', async (t) => {
  const dir = t.testdir({ file: 'x' });
  const fs = new ExportFs({ timeoutMs: 5000, concurrency: 1 }).background();
  await t.rejects(walkUsage({ fs, root: join(dir, 'file'), lanes: 1, pause: never, signal }), /not a directory/);
  t.ok((await lstat(dir)).isDirectory());
  t.same(await readdir(dir), ['file']);
});
