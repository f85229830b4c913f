// The NFS backend's UsageMeter, through NfsProvisioner.usageMeter: which PVs it measures, with
// the directory rules of reclaim, on which export (the routing of reclaim), and that it waits while
// that export is unhealthy, and only that one.
import { realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import type { Test } from 'tap';
import winston from 'winston';
import type { V1PersistentVolume } from '@kubernetes/client-node';
import { DIRECTORY_ANNOTATION, EXPORT_ANNOTATION, NfsExport, NfsProvisioner, PROVISIONED_BY_ANNOTATION } from '../../lib/nfs/index.ts';

const NAME = 'example.com/nfs';
const signal = new AbortController().signal;
const logger = winston.createLogger({ transports: [new winston.transports.Stream({ stream: new Writable({ write: (_c, _e, done) => done() }) })] });

function pv(directory: string, extra: { by?: string; server?: string; path?: string; export?: string } = {}): V1PersistentVolume {
  return {
    metadata: {
      name: 'pvc-1',
      annotations: { [PROVISIONED_BY_ANNOTATION]: extra.by ?? NAME, [DIRECTORY_ANNOTATION]: directory, ...(extra.export === undefined ? {} : { [EXPORT_ANNOTATION]: extra.export }) },
    },
    spec: { nfs: { server: extra.server ?? 'nfs.example.com', path: extra.path ?? `/exports/${directory}` } },
  };
}

async function setup(t: Pick<Test, 'testdir'>, healthy: (exportName: string) => boolean = () => true) {
  const dir = await realpath(
    t.testdir({
      export: { 'ns-data': { a: Buffer.alloc(8192, 1), sub: { b: 'x' } } },
      fast: { 'ns-fast': { c: 'y', d: 'z', e: 'w' } },
      outside: { big: Buffer.alloc(65536, 1) },
    }),
  );
  const exports = [
    new NfsExport({ name: 'default', server: 'nfs.example.com', path: '/exports', mountPath: join(dir, 'export'), fsTimeoutMs: 5000, fsConcurrency: 2 }),
    new NfsExport({ name: 'fast', server: 'nfs.example.com', path: '/fast', mountPath: join(dir, 'fast'), fsTimeoutMs: 5000, fsConcurrency: 1 }),
  ];
  const provisioner = new NfsProvisioner({ exports, logger, provisionerNames: [NAME, 'other.example.com/nfs'] });
  return { dir, meter: provisioner.usageMeter({ healthy }) };
}

void t.test('measures the directory a PV of ours records', async (t) => {
  const { meter } = await setup(t);
  const usage = await meter.measure(pv('ns-data'), signal);
  t.equal(usage?.files, 2);
  t.ok((usage?.bytes ?? 0) >= 8192);
  t.equal(usage?.skipped, 0);
  t.equal(meter.exportOf(pv('ns-data')), 'default');
});

void t.test('not ours, another server, or a directory that is gone: nothing to measure', async (t) => {
  const { meter } = await setup(t);
  t.equal(await meter.measure(pv('ns-data', { by: 'other' }), signal), undefined);
  t.equal(await meter.measure(pv('ns-data', { server: 'elsewhere' }), signal), undefined);
  t.equal(await meter.measure(pv('missing'), signal), undefined);
});

void t.test('an annotation that disagrees with the NFS path, or a volume replaced by a symlink, is refused', async (t) => {
  const { dir, meter } = await setup(t);
  await t.rejects(meter.measure(pv('ns-data', { path: '/exports/other' }), signal), /does not match its NFS path/);
  await symlink(join(dir, 'outside'), join(dir, 'export', 'linked'));
  await t.rejects(meter.measure(pv('linked'), signal), /symlink/);
  await writeFile(join(dir, 'outside', 'more'), 'x');
});

void t.test('waits while the export is unhealthy, then measures', async (t) => {
  let healthy = false;
  const { meter } = await setup(t, () => healthy);
  let done = false;
  const measuring = meter.measure(pv('ns-data'), signal).then((u) => {
    done = true;
    return u;
  });
  await new Promise((resolve) => setTimeout(resolve, 700));
  t.equal(done, false, 'paused');
  healthy = true;
  t.equal((await measuring)?.files, 2);
});

void t.test('a PV of a second export (or of a second provisioner name) is walked on that export and labelled with it', async (t) => {
  const { meter } = await setup(t);
  const onFast = pv('ns-fast', { path: '/fast/ns-fast', export: 'fast', by: 'other.example.com/nfs' });
  t.equal(meter.exportOf(onFast), 'fast');
  t.equal((await meter.measure(onFast, signal))?.files, 3);
  const unannotated = pv('ns-fast', { path: '/fast/ns-fast' });
  t.equal(meter.exportOf(unannotated), 'fast', 'routed by its NFS source');
  t.equal((await meter.measure(unannotated, signal))?.files, 3);
  await t.rejects(meter.measure(pv('ns-fast', { path: '/fast/ns-fast', export: 'default' }), signal).then((u) => (u === undefined ? Promise.reject(new Error('not measured')) : u)), /not measured/, 'an annotation naming an export that does not hold it: not measured');
});

void t.test('an unhealthy export pauses only the walks on it', async (t) => {
  let fastHealthy = false;
  const { meter } = await setup(t, (name) => name !== 'fast' || fastHealthy);
  let done = false;
  const measuring = meter.measure(pv('ns-fast', { path: '/fast/ns-fast', export: 'fast' }), signal).then((u) => {
    done = true;
    return u;
  });
  t.equal((await meter.measure(pv('ns-data'), signal))?.files, 2, 'the default export is walked meanwhile');
  await new Promise((resolve) => setTimeout(resolve, 600));
  t.equal(done, false, 'the walk on "fast" is paused');
  fastHealthy = true;
  t.equal((await measuring)?.files, 3);
});
