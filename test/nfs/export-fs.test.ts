import { lstat, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { FsTimeoutError } from '../../lib/errors.ts';
import type { FsImplementation, FsOperation, FsOutcome } from '../../lib/nfs/export-fs.ts';
import { ExportFs } from '../../lib/nfs/export-fs.ts';

/** An fs whose every call hangs until released, like a stopped NFS server; counts the calls that started. */
function hungFs() {
  const waiting: (() => void)[] = [];
  let started = 0;
  const hang = <T>(value: T) =>
    new Promise<T>((resolve) => {
      started += 1;
      waiting.push(() => resolve(value));
    });
  const fs: FsImplementation = {
    lstat: () => hang({ isDirectory: () => true, isSymbolicLink: () => false }),
    realpath: (path) => hang(path),
    mkdir: () => hang(undefined),
    rename: () => hang(undefined),
    rm: () => hang(undefined),
    writeFile: () => hang(undefined),
    open: () => hang({ chmod: async () => {}, chown: async () => {}, close: async () => {} }),
  };
  return {
    fs,
    started: () => started,
    releaseAll: () => waiting.splice(0).forEach((release) => release()),
  };
}

function recorder() {
  const calls: { operation: FsOperation; outcome: FsOutcome; ms: number }[] = [];
  return { calls, observer: { onFsCall: (operation: FsOperation, ms: number, outcome: FsOutcome) => calls.push({ operation, ms, outcome }) } };
}

void t.test('real calls go through and are reported', async (t) => {
  const dir = t.testdir({ file: 'x' });
  const { calls, observer } = recorder();
  const fs = new ExportFs({ timeoutMs: 5000, concurrency: 2, observer });
  await fs.mkdir(join(dir, 'a'), 0o777);
  t.ok((await fs.lstat(join(dir, 'a'))).isDirectory());
  t.equal(await fs.realpath(join(dir, 'a', '..', 'file')), join(dir, 'file'));
  await fs.rename(join(dir, 'a'), join(dir, 'b'));
  await fs.writeFile(join(dir, 'b', 'f'), 'hello');
  await fs.rm(join(dir, 'b'));
  await t.rejects(lstat(join(dir, 'b')), { code: 'ENOENT' });
  t.same(calls.map((call) => `${call.operation}:${call.outcome}`), ['mkdir:ok', 'lstat:ok', 'realpath:ok', 'rename:ok', 'writeFile:ok', 'rm:ok']);
  t.ok(calls.every((call) => call.ms >= 0));
});

void t.test('errors keep their code and are reported', async (t) => {
  const dir = t.testdir({});
  const { calls, observer } = recorder();
  const fs = new ExportFs({ timeoutMs: 5000, concurrency: 1, observer });
  await t.rejects(fs.lstat(join(dir, 'missing')), { code: 'ENOENT' });
  t.same(calls.map((call) => call.outcome), ['error']);
});

void t.test('a hung call times out with FsTimeoutError and frees the caller', async (t) => {
  const hung = hungFs();
  const { calls, observer } = recorder();
  const fs = new ExportFs({ timeoutMs: 30, concurrency: 2, fs: hung.fs, observer });
  t.teardown(hung.releaseAll);
  const error = await fs.mkdir('/export/x', 0o777).catch((e: unknown) => e);
  t.ok(error instanceof FsTimeoutError, 'FsTimeoutError');
  t.match(error, { operation: 'mkdir /export/x', kind: 'transient', message: /did not finish within 30 ms/ });
  t.same(calls.map((call) => `${call.operation}:${call.outcome}`), ['mkdir:timeout']);
});

void t.test('the limit caps hung calls; queued calls that timed out never start', async (t) => {
  const hung = hungFs();
  const fs = new ExportFs({ timeoutMs: 30, concurrency: 2, fs: hung.fs });
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => fs.lstat(`/export/${i}`)));
  t.ok(results.every((result) => result.status === 'rejected' && result.reason instanceof FsTimeoutError), 'all six time out');
  t.equal(hung.started(), 2, 'only two calls reached the hung fs');
  t.equal(fs.activeCount, 2, 'the two hung calls still hold their slots');
  t.equal(fs.pendingCount, 0, 'callers that timed out left the queue');

  // A new call while both slots are held by calls past their timeout is refused, without reaching the fs.
  await t.rejects(fs.realpath('/export'), { name: 'FsStalledError' });
  t.equal(hung.started(), 2);

  // The server answers again: the held slots are freed, the abandoned queue is skipped.
  hung.releaseAll();
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(fs.activeCount, 0);
  t.equal(fs.pendingCount, 0);
  t.equal(hung.started(), 2, 'abandoned calls were not run late');
  const next = fs.realpath('/export/again');
  hung.releaseAll();
  await new Promise((resolve) => setImmediate(resolve));
  hung.releaseAll();
  t.equal(await next, '/export/again', 'works again after recovery');
});

void t.test('an abort signal stops waiting', async (t) => {
  const hung = hungFs();
  const fs = new ExportFs({ timeoutMs: 60_000, concurrency: 1, fs: hung.fs });
  t.teardown(hung.releaseAll);
  const controller = new AbortController();
  const pending = fs.lstat('/export/a', controller.signal);
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(hung.started(), 1, 'the call reached the fs and hangs');
  controller.abort(new Error('lost the lease'));
  await t.rejects(pending, { message: 'lost the lease' });
  const aborted = AbortSignal.abort(new Error('already'));
  await t.rejects(fs.lstat('/export/b', aborted), { message: 'already' });
  t.equal(hung.started(), 1, 'an already aborted call never reaches the fs');
});

void t.test('a throwing observer does not break fs calls', async (t) => {
  const dir = t.testdir({});
  const fs = new ExportFs({
    timeoutMs: 5000,
    concurrency: 1,
    observer: {
      onFsCall: () => {
        throw new Error('metrics broke');
      },
    },
  });
  t.ok((await fs.lstat(dir)).isDirectory());
});

void t.test('setModeAndOwner sets mode (umask does not apply) and refuses a symlink', async (t) => {
  const dir = t.testdir({ outside: {}, export: {} });
  const fs = new ExportFs({ timeoutMs: 5000, concurrency: 1 });
  await mkdir(join(dir, 'export', 'v'), { mode: 0o700 });
  await fs.setModeAndOwner(join(dir, 'export', 'v'), 0o2775, {});
  t.equal((await stat(join(dir, 'export', 'v'))).mode & 0o7777, 0o2775);

  await writeFile(join(dir, 'outside', 'f'), 'x');
  const before = (await stat(join(dir, 'outside'))).mode;
  await symlink(join(dir, 'outside'), join(dir, 'export', 'link'));
  await t.rejects(fs.setModeAndOwner(join(dir, 'export', 'link'), 0o777, {}), { code: /^(ELOOP|ENOTDIR)$/ });
  t.equal((await stat(join(dir, 'outside'))).mode, before, 'the link target is unchanged');
});

void t.test('timeouts must be positive', (t) => {
  t.throws(() => new ExportFs({ timeoutMs: 0, concurrency: 1 }), RangeError);
  t.end();
});

void t.test('once every slot is held by a call older than the timeout, calls are refused at once and never start', async (t) => {
  const hung = hungFs();
  const { calls, observer } = recorder();
  const fs = new ExportFs({ timeoutMs: 30, concurrency: 2, fs: hung.fs, observer });
  t.equal(fs.stalled, false);
  const first = await Promise.allSettled([fs.lstat('/a'), fs.lstat('/b'), fs.lstat('/c')]);
  t.ok(first.every((r) => r.status === 'rejected' && r.reason instanceof FsTimeoutError), 'the queued call times out like the hung ones');
  await new Promise((resolve) => setTimeout(resolve, 10));
  t.equal(fs.stalled, true);
  const started = performance.now();
  await t.rejects(fs.mkdir('/d', 0o777), { name: 'FsStalledError', message: /mkdir \/d not started: all 2 fs slots .* within 30 ms/ });
  t.ok(performance.now() - started < 20, 'refused without waiting');
  t.equal(hung.started(), 2, 'it did not start');
  t.equal(calls.at(-1)?.outcome, 'stalled');
  hung.releaseAll();
  await new Promise((resolve) => setTimeout(resolve, 5));
  t.equal(fs.stalled, false, 'the export answers again');
  const resumed = fs.lstat('/e');
  hung.releaseAll();
  await new Promise((resolve) => setTimeout(resolve, 5));
  hung.releaseAll();
  t.ok((await resumed).isDirectory(), 'calls go through again');
});

void t.test('one slow call does not count as stalled while another slot is free', async (t) => {
  const hung = hungFs();
  const fs = new ExportFs({ timeoutMs: 20, concurrency: 2, fs: hung.fs });
  await t.rejects(fs.lstat('/a'), FsTimeoutError);
  await new Promise((resolve) => setTimeout(resolve, 10));
  t.equal(fs.stalled, false);
  const next = fs.lstat('/b');
  await new Promise((resolve) => setTimeout(resolve, 1));
  hung.releaseAll();
  t.ok((await next).isDirectory());
});

void t.test('background calls: readdir and entryStats on the real fs, reported', async (t) => {
  const dir = t.testdir({ a: 'xy', sub: {} });
  const { calls, observer } = recorder();
  const fs = new ExportFs({ timeoutMs: 5000, concurrency: 1, observer }).background();
  t.same((await fs.readdir(dir)).sort(), ['a', 'sub']);
  const stats = await fs.entryStats(join(dir, 'a'));
  t.equal(stats.nlink, 1);
  t.ok(stats.ino > 0 && stats.blocks >= 0);
  t.same(calls.map((c) => `${c.operation}:${c.outcome}`), ['readdir:ok', 'lstat:ok']);
});

void t.test('background calls share the slots but wait behind normal ones, and their timer starts at the grant', async (t) => {
  const hung = hungFs();
  const fs = new ExportFs({ timeoutMs: 40, concurrency: 1, fs: hung.fs, usageFs: { lstat: () => Promise.reject(new Error('unused')), readdir: () => Promise.resolve(['x']) } });
  t.teardown(hung.releaseAll);
  const bg = fs.background();
  const normal = fs.realpath('/export'); // holds the only slot, hung
  const listing = bg.readdir('/export');
  let listed = false;
  void listing.then(() => (listed = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  hung.releaseAll(); // the normal call returns after 20 ms
  t.equal(await normal, '/export');
  // Queued 20+ ms behind the claim's call, yet not timed out: only its own run counts.
  await new Promise((resolve) => setTimeout(resolve, 30));
  t.equal(listed, false, 'still waits: normal work was just now and this would take the last slot');
  // The limiter's wake-up timer is unref'd (it never keeps a process alive): hold this one open.
  const alive = setTimeout(() => undefined, 5000);
  t.same(await listing, ['x'], 'granted once the export is quiet (1 s after normal work)');
  clearTimeout(alive);
});

void t.test('a hung background call still times out', async (t) => {
  const fs = new ExportFs({ timeoutMs: 30, concurrency: 1, usageFs: { lstat: () => new Promise(() => {}), readdir: () => new Promise(() => {}) } });
  const error = await fs.background().readdir('/export/v').catch((e: unknown) => e);
  t.ok(error instanceof FsTimeoutError);
  t.equal(fs.activeCount, 1, 'the hung call keeps its slot, as every hung call does');
});
