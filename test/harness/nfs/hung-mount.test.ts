// The hung-export simulator: a bindfs pass-through whose calls block while it is stopped, and a
// teardown that never leaves a stuck mount.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { requireNfsOrSkip } from '../../../harness/nfs/availability.ts';
import { isMountPoint, probeStat, startPassThroughMount, type PassThroughMount } from '../../../harness/nfs/hung-mount.ts';

const need = { need: 'hung-mount' as const };

/**
 * A mount of a testdir's `export` onto a target outside the testdir: tap removes a testdir in a
 * teardown registered before ours, which must not run while the mount is still there.
 */
async function mounted(t: Test, files: Record<string, string>): Promise<{ mount: PassThroughMount; source: string; target: string }> {
  const source = `${t.testdir({ export: files })}/export`;
  const target = mkdtempSync(join(tmpdir(), 'hung-mount-test-'));
  const mount = await startPassThroughMount({ source, target }).catch((err: unknown) => {
    rmdirSync(target);
    throw err;
  });
  t.teardown(async () => {
    await mount.stop();
    rmdirSync(target);
  });
  return { mount, source, target };
}

void t.test('passes files through, both ways', async (t) => {
  if (!requireNfsOrSkip(t, need)) return;
  const { mount } = await mounted(t, { 'a.txt': 'from source' });
  t.ok(isMountPoint(mount.target));
  t.equal(readFileSync(`${mount.target}/a.txt`, 'utf8'), 'from source');
  writeFileSync(`${mount.target}/b.txt`, 'via mount');
  t.equal(readFileSync(`${mount.source}/b.txt`, 'utf8'), 'via mount');
});

void t.test('hang() blocks every call on the mount until resume()', async (t) => {
  if (!requireNfsOrSkip(t, need)) return;
  const { mount } = await mounted(t, { 'a.txt': 'x' });
  t.same(await probeStat(`${mount.target}/a.txt`, 2000), { outcome: 'ok' });

  mount.hang();
  t.equal(mount.isHung(), true);
  t.same(await probeStat(`${mount.target}/a.txt`, 700), { outcome: 'timeout' }, 'stat of a file hangs');
  t.same(await probeStat(`${mount.target}/never-seen`, 700), { outcome: 'timeout' }, 'so does a lookup of a new name');
  t.same(await probeStat(`${mount.source}/a.txt`, 2000), { outcome: 'ok' }, 'the source itself is unaffected');

  mount.resume();
  t.same(await probeStat(`${mount.target}/a.txt`, 2000), { outcome: 'ok' }, 'answers again after resume');
  const missing = await probeStat(`${mount.target}/never-seen`, 2000);
  t.equal(missing.outcome, 'error', 'and a missing name is an error again, not a hang');
});

void t.test('stop() while hung unmounts and ends bindfs', async (t) => {
  if (!requireNfsOrSkip(t, need)) return;
  const { mount, source, target } = await mounted(t, { 'a.txt': 'kept' });
  const pid = mount.pid;
  mount.hang();
  // A call caught in the hang: it must be released by stop(), not left blocked.
  const blocked = probeStat(`${mount.target}/a.txt`, 5000);
  const stopped = performance.now();
  await mount.stop();
  t.comment(`stop while hung took ${(performance.now() - stopped).toFixed(0)} ms`);
  t.not((await blocked).outcome, 'timeout', 'the blocked call returned');
  t.equal(isMountPoint(target), false, 'no mount left');
  t.equal(mount.pid, undefined);
  t.equal(isRunning(pid ?? -1), false, 'bindfs is gone');
  t.equal(existsSync(`${target}/a.txt`), false, 'the target is a plain empty directory again');
  t.equal(readFileSync(`${source}/a.txt`, 'utf8'), 'kept', 'the source is untouched');
  await mount.stop();
});

void t.test('refuses a target that is already a mount point', async (t) => {
  if (!requireNfsOrSkip(t, need)) return;
  const { source, target } = await mounted(t, {});
  await t.rejects(startPassThroughMount({ source, target }), /already a mount point/);
});

void t.test('a test process that ends without stop() leaves no mount and no bindfs', async (t) => {
  if (!requireNfsOrSkip(t, need)) return;
  const source = `${t.testdir({ export: { f: 'x' } })}/export`;
  const target = mkdtempSync(join(tmpdir(), 'hung-mount-test-'));
  t.teardown(() => rmdirSync(target));
  const script = `
    import { startPassThroughMount } from ${JSON.stringify(new URL('../../../harness/nfs/hung-mount.ts', import.meta.url).href)};
    const m = await startPassThroughMount({ source: process.argv[1], target: process.argv[2] });
    m.hang();
    console.log(m.pid);
    if (process.argv[3] === 'signal') setInterval(() => {}, 1000); // killed from outside
  `;
  for (const mode of ['exit', 'signal']) {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, source, target, mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.teardown(() => void child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += String(b)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const pid = await Promise.race([
      new Promise<number>((resolve) => child.stdout.once('data', (b: Buffer) => resolve(Number(String(b).trim())))),
      exited.then(() => {
        throw new Error(`the child exited before mounting: ${stderr}`);
      }),
    ]);
    if (mode === 'signal') child.kill('SIGTERM');
    await exited;
    t.equal(isMountPoint(target), false, `${mode}: no mount left`);
    t.equal(isRunning(pid), false, `${mode}: bindfs is gone`);
  }
});

/** Alive and not a zombie (an orphan is reaped by init on its own schedule). */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
