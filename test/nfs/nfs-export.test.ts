import * as nodeFs from 'node:fs/promises';
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { FsTimeoutError } from '../../lib/errors.ts';
import type { FsImplementation } from '../../lib/nfs/export-fs.ts';
import { ExportStateError, NfsExport, stateOfError } from '../../lib/nfs/nfs-export.ts';
import type { NfsExportOptions } from '../../lib/nfs/nfs-export.ts';

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

function exportAt(mountPath: string, options: Partial<NfsExportOptions> = {}): NfsExport {
  return new NfsExport({ name: 'second', server: 'nfs-b', path: '/srv/b/', mountPath, fsTimeoutMs: 50, fsConcurrency: 2, ...options });
}

void t.test('names, paths and which NFS sources it holds', (t) => {
  const e = exportAt('/mnt/b/', { provisionerNames: ['x/y'] });
  t.equal(e.mountPath, '/mnt/b/');
  t.equal(e.sourcePath('ns-c-pvc-1'), '/srv/b/ns-c-pvc-1');
  t.ok(e.holds({ server: 'NFS-B', path: '/srv/b/ns-c-pvc-1' }), 'server names compare case-insensitively');
  t.ok(e.holds({ server: 'nfs-b', path: '/srv/b//team/x/' }));
  t.notOk(e.holds({ server: 'nfs-b', path: '/srv/b' }), 'never the export root');
  t.notOk(e.holds({ server: 'nfs-b', path: '/srv/bb/x' }), 'whole components only');
  t.notOk(e.holds({ server: 'nfs-a', path: '/srv/b/x' }), 'another server');
  t.same(e.provisionerNames, ['x/y']);
  t.end();
});

void t.test('start check: fine, or a configuration error, or a state the export may leave', async (t) => {
  const dir = await realpath(t.testdir({ ok: {}, file: 'x' }));
  t.same(await exportAt(join(dir, 'ok')).checkAtStart(), { ok: true });
  t.same(await readdir(join(dir, 'ok')), [], 'the probe write leaves nothing');
  t.same(await exportAt(join(dir, 'missing')).checkAtStart(), { ok: false, fatal: true, problem: `${join(dir, 'missing')} does not exist (is the export mounted?)` });
  t.match(await exportAt(join(dir, 'file')).checkAtStart(), { ok: false, fatal: true, problem: /is not a directory/ });
  const readOnly: FsImplementation = { ...nodeFs, writeFile: () => Promise.reject(errno('EROFS')) };
  t.match(await exportAt(join(dir, 'ok'), { fs: readOnly }).checkAtStart(), { ok: false, fatal: true, problem: /is not writable \(EROFS\)/ });
  const full: FsImplementation = { ...nodeFs, writeFile: () => Promise.reject(errno('ENOSPC')) };
  t.match(await exportAt(join(dir, 'ok'), { fs: full }).checkAtStart(), { ok: false, fatal: false, state: 'full' }, 'full is not a configuration error');
  const hang = <T>(): Promise<T> => new Promise<T>(() => {});
  const hung: FsImplementation = { ...nodeFs, realpath: hang };
  t.match(await exportAt(join(dir, 'ok'), { fs: hung }).checkAtStart(), { ok: false, fatal: false, state: 'hung', problem: /did not answer within 50 ms/ });
});

void t.test('probe failures say what the export is', async (t) => {
  const dir = await realpath(t.testdir({ ok: {} }));
  const signal = new AbortController().signal;
  await exportAt(join(dir, 'ok')).probe(signal);
  for (const [code, state, words] of [['EROFS', 'read-only', 'is read-only'], ['ENOSPC', 'full', 'is full'], ['EACCES', 'not-writable', 'is not writable'], ['EIO', 'unusable', 'cannot be used']] as const) {
    const fs: FsImplementation = { ...nodeFs, writeFile: () => Promise.reject(errno(code)) };
    await t.rejects(exportAt(join(dir, 'ok'), { fs }).probe(signal), { name: 'ExportStateError', state, message: new RegExp(`the export "second" \\(.*\\) ${words}: ${code}`) }, code);
  }
  await t.rejects(exportAt(join(dir, 'gone')).probe(signal), { state: 'unusable', message: /gone/ });
  t.equal(stateOfError(new FsTimeoutError('lstat /x', 5)), 'hung');
  t.equal(stateOfError(new ExportStateError('full', 'x')), 'full');
});
