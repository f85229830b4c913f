import * as nodeFs from 'node:fs/promises';
import { lstat, mkdir, readdir, readFile, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import t from 'tap';
import winston from 'winston';
import type { ProvisionRequest } from '../../lib/controller/provisioner.ts';
import { FsTimeoutError, IgnoredError, PermanentError, TransientError } from '../../lib/errors.ts';
import type { FsImplementation, FsOperation, FsOutcome, NfsExportOptions, NfsProvisionerOptions } from '../../lib/nfs/index.ts';
import { DIRECTORY_ANNOTATION, EXPORT_ANNOTATION, ExportStateError, NfsExport, NfsProvisioner, ON_DELETE_ANNOTATION, PROVISIONED_BY_ANNOTATION } from '../../lib/nfs/index.ts';
import { snapshotTree } from './helpers/tree-snapshot.ts';

type WithTestdir = Pick<typeof t, 'testdir'>;

const NAME = 'example.com/nfs';
const signal = new AbortController().signal;

function collectingLogger() {
  const lines: { level: string; message: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: string; message: string });
      done();
    },
  });
  return { lines, logger: winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] }) };
}

/** One export (named default) and its provisioner; options of either. */
type SetupOptions = Partial<Omit<NfsExportOptions, 'name'>> & Partial<Pick<NfsProvisionerOptions, 'clock' | 'onWarning'>>;

async function setup(t: WithTestdir, options: SetupOptions = {}) {
  const dir = await realpath(t.testdir({ export: {}, sentinel: { 'secret.txt': 'do not touch', etc: { passwd: 'root:x:0:0' } } }));
  const root = join(dir, 'export');
  const sentinel = join(dir, 'sentinel');
  const { lines, logger } = collectingLogger();
  const { clock, onWarning, ...exportOptions } = options;
  const exported = new NfsExport({ name: 'default', server: 'nfs.example.com', path: '/exports', mountPath: root, fsTimeoutMs: 5000, fsConcurrency: 2, ...exportOptions });
  const provisioner = new NfsProvisioner({
    exports: [exported],
    logger,
    provisionerNames: [NAME],
    clock: clock ?? { now: () => Date.parse('2026-01-02T03:04:05Z') },
    ...(onWarning === undefined ? {} : { onWarning }),
  });
  const sentinelBefore = await snapshotTree(sentinel);
  return { root, sentinel, provisioner, exported, lines, sentinelBefore };
}

function claim(overrides: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): V1PersistentVolumeClaim {
  return {
    metadata: {
      name: overrides.name ?? 'data',
      namespace: overrides.namespace ?? 'default',
      uid: '1111-2222',
      ...(overrides.labels === undefined ? {} : { labels: overrides.labels }),
      ...(overrides.annotations === undefined ? {} : { annotations: overrides.annotations }),
    },
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
  };
}

function storageClass(parameters?: Record<string, string>): V1StorageClass {
  return { metadata: { name: 'nfs' }, provisioner: NAME, ...(parameters === undefined ? {} : { parameters }) };
}

function request(claimObject: V1PersistentVolumeClaim, parameters?: Record<string, string>): ProvisionRequest {
  return { claim: claimObject, storageClass: storageClass(parameters), pvName: 'pvc-1111-2222' };
}

/** The PV the controller would build around a provisioned volume. */
function pvFor(source: { nfs?: { server: string; path: string } }, annotations: Record<string, string>, name = 'pvc-1111-2222'): V1PersistentVolume {
  return {
    metadata: { name, annotations: { [PROVISIONED_BY_ANNOTATION]: NAME, ...annotations } },
    spec: { ...(source.nfs === undefined ? {} : { nfs: source.nfs }), storageClassName: 'nfs', persistentVolumeReclaimPolicy: 'Delete' },
  };
}

async function provisionPv(provisioner: NfsProvisioner, req: ProvisionRequest): Promise<V1PersistentVolume> {
  const volume = await provisioner.provision(req, signal);
  const nfs = volume.source.nfs;
  if (nfs === undefined) throw new Error('no nfs source');
  return pvFor({ nfs }, { ...volume.annotations });
}

async function listTree(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).map(String).sort();
}

void t.test('default directory, mode 0777, PV source and annotations', async (t) => {
  const { root, provisioner } = await setup(t);
  const volume = await provisioner.provision(request(claim()), signal);
  t.same(volume, {
    source: { nfs: { server: 'nfs.example.com', path: '/exports/default-data-pvc-1111-2222' } },
    annotations: { [DIRECTORY_ANNOTATION]: 'default-data-pvc-1111-2222', [ON_DELETE_ANNOTATION]: 'archive', [EXPORT_ANNOTATION]: 'default' },
  });
  const stats = await stat(join(root, 'default-data-pvc-1111-2222'));
  t.ok(stats.isDirectory());
  t.equal(stats.mode & 0o7777, 0o777, 'chmod applied despite the umask');
});

void t.test('NFS_PATH with a trailing slash or / gives no double slash', async (t) => {
  for (const [path, expected] of [
    ['/exports/', '/exports/default-data-pvc-1111-2222'],
    ['/', '/default-data-pvc-1111-2222'],
  ] as const) {
    const { provisioner } = await setup(t, { path });
    const volume = await provisioner.provision(request(claim()), signal);
    t.equal(volume.source.nfs?.path, expected);
  }
});

void t.test('pathPattern: each variable, nested directories', async (t) => {
  const { root, provisioner } = await setup(t);
  const c = claim({ namespace: 'team', name: 'pg', labels: { app: 'db' }, annotations: { 'nfs.io/storage-path': 'shared' } });
  const volume = await provisioner.provision(
    request(c, { pathPattern: '${.PVC.namespace}/${.PVC.labels.app}/${.PVC.annotations.nfs.io/storage-path}/${.PVC.name}-${.PV.name}' }),
    signal,
  );
  t.equal(volume.annotations[DIRECTORY_ANNOTATION], 'team/db/shared/pg-pvc-1111-2222');
  t.equal(volume.source.nfs?.path, '/exports/team/db/shared/pg-pvc-1111-2222');
  t.ok((await stat(join(root, 'team/db/shared/pg-pvc-1111-2222'))).isDirectory());
  t.equal((await stat(join(root, 'team/db/shared/pg-pvc-1111-2222'))).mode & 0o7777, 0o777);
});

void t.test('hostile labels and annotations stay inside the export', async (t) => {
  const { root, sentinel, provisioner, sentinelBefore } = await setup(t);
  const cases: [string, string][] = [
    ['../../sentinel', '..%2F..%2Fsentinel'],
    ['../', '..%2F'],
    ['/etc', '%2Fetc'],
    ['/', '%2F'],
    ['..', '%2E%2E'],
    ['.', '%2E'],
    ['équipe/データ', 'équipe%2Fデータ'],
    ['', 'default-data-pvc-1111-2222'],
  ];
  for (const [value, expected] of cases) {
    const volume = await provisioner.provision(request(claim({ labels: { x: value }, annotations: { y: value } }), { pathPattern: '${.PVC.labels.x}' }), signal);
    t.equal(volume.annotations[DIRECTORY_ANNOTATION], expected, JSON.stringify(value));
    const viaAnnotation = await provisioner.provision(request(claim({ annotations: { y: value } }), { pathPattern: '${.PVC.annotations.y}' }), signal);
    t.equal(viaAnnotation.annotations[DIRECTORY_ANNOTATION], expected, `annotation ${JSON.stringify(value)}`);
  }
  const long = await provisioner.provision(request(claim({ annotations: { y: '../'.repeat(400) } }), { pathPattern: 'v/${.PVC.annotations.y}' }), signal);
  const directory = long.annotations[DIRECTORY_ANNOTATION] ?? '';
  t.match(directory, /^v\/(\.\.%2F)+[.%2F]*-[0-9a-f]{16}$/, 'a very long value is shortened with a hash');
  t.ok(Buffer.byteLength(directory.split('/')[1] ?? '') <= 255);
  t.ok((await stat(join(root, directory))).isDirectory());
  t.same(await snapshotTree(sentinel), sentinelBefore, 'nothing outside the export changed');
  t.same((await readdir(join(root, '..'))).sort(), ['export', 'sentinel'], 'nothing created beside the export');
});

void t.test('a component over 255 bytes from the claim name is shortened and stable', async (t) => {
  const { root, provisioner } = await setup(t);
  const c = claim({ namespace: 'n'.repeat(63), name: 'c'.repeat(253) });
  const first = await provisioner.provision(request(c), signal);
  const second = await provisioner.provision(request(c), signal);
  t.same(second, first, 'the same directory on retry');
  const directory = first.annotations[DIRECTORY_ANNOTATION] ?? '';
  t.ok(Buffer.byteLength(directory) <= 255);
  t.ok((await stat(join(root, directory))).isDirectory());
});

void t.test('a symlink planted inside the export is never followed out', async (t) => {
  const { root, sentinel, provisioner, sentinelBefore } = await setup(t);
  await symlink(sentinel, join(root, 'team'));
  await mkdir(join(root, 'other'));
  await symlink('../../sentinel/etc', join(root, 'other', 'etc'));
  const c = claim({ namespace: 'team' });
  await t.rejects(provisioner.provision(request(c, { pathPattern: '${.PVC.namespace}/${.PVC.name}' }), signal), {
    name: 'PermanentError',
    message: /"team" on the export is a symlink/,
  });
  await t.rejects(provisioner.provision(request(c, { pathPattern: '${.PVC.namespace}' }), signal), PermanentError);
  await t.rejects(provisioner.provision(request(c, { pathPattern: 'other/etc/${.PVC.name}' }), signal), PermanentError);
  // And delete through a PV whose directory is now that link.
  const pv = pvFor({ nfs: { server: 'nfs.example.com', path: '/exports/team' } }, { [DIRECTORY_ANNOTATION]: 'team', [ON_DELETE_ANNOTATION]: 'delete' });
  await t.rejects(provisioner.delete(pv, undefined, signal), { name: 'PermanentError', message: /symlink/ });
  const nested = pvFor({ nfs: { server: 'nfs.example.com', path: '/exports/other/etc/passwd' } }, {});
  await t.rejects(provisioner.delete(nested, undefined, signal), { name: 'PermanentError', message: /outside the export/ });
  t.same(await snapshotTree(sentinel), sentinelBefore, 'sentinel byte for byte unchanged');
});

void t.test('idempotent: a retried claim reuses its directory and its data', async (t) => {
  const { root, provisioner } = await setup(t);
  const req = request(claim(), { pathPattern: '${.PVC.namespace}/${.PVC.name}' });
  const first = await provisioner.provision(req, signal);
  await writeFile(join(root, 'default/data/file.txt'), 'written by the pod');
  const second = await provisioner.provision(req, signal);
  t.same(second, first);
  t.equal(await readFile(join(root, 'default/data/file.txt'), 'utf8'), 'written by the pod');
});

void t.test('a crash between mkdir and chmod is repaired by the retry', async (t) => {
  const { root, provisioner } = await setup(t);
  await mkdir(join(root, 'default-data-pvc-1111-2222'), { mode: 0o700 });
  await provisioner.provision(request(claim()), signal);
  t.equal((await stat(join(root, 'default-data-pvc-1111-2222'))).mode & 0o7777, 0o777);
});

void t.test('mode, uid and gid parameters', async (t) => {
  const { root, provisioner } = await setup(t);
  await provisioner.provision(request(claim({ name: 'a' }), { mode: '0770' }), signal);
  t.equal((await stat(join(root, 'default-a-pvc-1111-2222'))).mode & 0o7777, 0o770);
  await provisioner.provision(request(claim({ name: 'b' }), { mode: '2775', gid: '2000' }), signal);
  const b = await stat(join(root, 'default-b-pvc-1111-2222'));
  t.equal(b.mode & 0o7777, 0o2775, 'setgid kept after chown');
  if (process.getuid?.() === 0) {
    t.equal(b.gid, 2000);
    await provisioner.provision(request(claim({ name: 'c' }), { uid: '1000', gid: '1000' }), signal);
    const c = await stat(join(root, 'default-c-pvc-1111-2222'));
    t.same([c.uid, c.gid], [1000, 1000]);
  } else {
    t.comment('not root: chown checks skipped');
  }
});

void t.test('chown refused by the server (root_squash) is a PermanentError that says so', async (t) => {
  const eperm = Object.assign(new Error('EPERM: operation not permitted, fchown'), { code: 'EPERM' });
  const fs: FsImplementation = {
    ...nodeFs,
    open: async (path, flags) => {
      const handle = await nodeFs.open(path, flags);
      return { chmod: (mode) => handle.chmod(mode), chown: () => Promise.reject(eperm), close: () => handle.close() };
    },
  };
  const { provisioner } = await setup(t, { fs });
  await t.rejects(provisioner.provision(request(claim(), { uid: '1000' }), signal), {
    name: 'PermanentError',
    message: /EPERM.*run as root.*root_squash/,
  });
});

void t.test('validate: messages for bad parameters, data sources, unsafe paths', async (t) => {
  const { provisioner } = await setup(t);
  t.equal(provisioner.validate(request(claim())), undefined);
  t.equal(provisioner.validate(request(claim(), { archiveOnDelete: 'false', pathPattern: '${.PVC.name}', mode: '0700' })), undefined);
  t.match(provisioner.validate(request(claim(), { archiveOnDelete: 'maybe' })), 'archiveOnDelete: "maybe" is not a boolean');
  t.match(provisioner.validate(request(claim(), { mode: '999' })), 'mode: "999"');
  t.equal(provisioner.validate(request(claim(), { pathpattern: 'x' })), undefined, 'an unknown key is no reason to refuse (it is warned about)');
  t.match(provisioner.validate(request(claim(), { export: 'nope' })), /export: "nope" is not an export of this provisioner \(known: "default"\)/);
  t.match(provisioner.validate(request(claim(), { pathPattern: '../x' })), '".." component');
  const withSource = claim();
  withSource.spec = { ...withSource.spec, dataSource: { kind: 'PersistentVolumeClaim', name: 'src' } };
  t.match(provisioner.validate(request(withSource)), 'data from PersistentVolumeClaim "src"');
  const long = claim({ annotations: { a: 'x'.repeat(250) } });
  t.match(provisioner.validate(request(long, { pathPattern: Array.from({ length: 20 }, () => '${.PVC.annotations.a}').join('/') })), 'PATH_MAX');
  await t.rejects(provisioner.provision(request(claim(), { onDelete: 'nope' }), signal), { name: 'PermanentError', message: /onDelete: "nope"/ });
});

void t.test('delete follows what the PV recorded, without the class', async (t) => {
  const { root, provisioner } = await setup(t);
  const archived = await provisionPv(provisioner, request(claim({ name: 'a' })));
  const deleted = await provisionPv(provisioner, request(claim({ name: 'd' }), { archiveOnDelete: 'false' }));
  const retained = await provisionPv(provisioner, request(claim({ name: 'r' }), { onDelete: 'retain', archiveOnDelete: 'false' }));
  const nested = await provisionPv(provisioner, request(claim({ name: 'n' }), { pathPattern: '${.PVC.namespace}/${.PVC.name}' }));
  await writeFile(join(root, 'default-a-pvc-1111-2222', 'keep.txt'), 'data');
  await writeFile(join(root, 'default/n/keep.txt'), 'nested data');
  for (const pv of [archived, deleted, retained, nested]) await provisioner.delete(pv, undefined, signal);
  t.same(await listTree(root), [
    'archived-default-a-pvc-1111-2222',
    'archived-default-a-pvc-1111-2222/keep.txt',
    'default',
    'default-r-pvc-1111-2222',
    'default/archived-n',
    'default/archived-n/keep.txt',
  ]);
  t.equal(await readFile(join(root, 'default/archived-n/keep.txt'), 'utf8'), 'nested data');
  // Retried deletes (e.g. after a crash before the PV was removed) are done at once.
  for (const pv of [archived, deleted, retained, nested]) await provisioner.delete(pv, undefined, signal);
  t.equal((await listTree(root)).length, 6);
});

void t.test('the recorded decision wins over the current class', async (t) => {
  const { root, provisioner } = await setup(t);
  const pv = await provisionPv(provisioner, request(claim(), { archiveOnDelete: 'false' }));
  await provisioner.delete(pv, storageClass({ archiveOnDelete: 'true' }), signal);
  t.same(await readdir(root), [], 'deleted as recorded, not archived as the class now says');
});

void t.test('a tampered or inconsistent PV is not acted on', async (t) => {
  const { root, provisioner } = await setup(t);
  const victim = await provisionPv(provisioner, request(claim({ name: 'victim' })));
  const pv = await provisionPv(provisioner, request(claim({ name: 'own' }), { archiveOnDelete: 'false' }));
  const before = await snapshotTree(root);
  const tampered = { ...pv, metadata: { ...pv.metadata, annotations: { ...pv.metadata?.annotations, [DIRECTORY_ANNOTATION]: victim.metadata?.annotations?.[DIRECTORY_ANNOTATION] ?? '' } } };
  await t.rejects(provisioner.delete(tampered, undefined, signal), { name: 'PermanentError', message: /does not match its NFS path/ });
  for (const directory of ['..', '/etc', '', 'a/../..']) {
    const bad = { ...pv, metadata: { ...pv.metadata, annotations: { ...pv.metadata?.annotations, [DIRECTORY_ANNOTATION]: directory } } };
    await t.rejects(provisioner.delete(bad, undefined, signal), PermanentError, JSON.stringify(directory));
  }
  const rootPv = pvFor({ nfs: { server: 'nfs.example.com', path: '/exports/' } }, {});
  await t.rejects(provisioner.delete(rootPv, undefined, signal), { name: 'PermanentError', message: /no export holds its NFS source nfs.example.com:\/exports\// }, 'never the export root');
  const otherServer = pvFor({ nfs: { server: '10.0.0.9', path: '/exports/default-own-pvc-1111-2222' } }, {});
  await t.rejects(provisioner.delete(otherServer, undefined, signal), { name: 'PermanentError', message: /no export holds its NFS source 10.0.0.9:/ });
  const notOurs = { ...pv, metadata: { ...pv.metadata, annotations: { [PROVISIONED_BY_ANNOTATION]: 'someone-else' } } };
  await t.rejects(provisioner.delete(notOurs, undefined, signal), IgnoredError);
  const notNfs = pvFor({}, {});
  await t.rejects(provisioner.delete(notNfs, undefined, signal), IgnoredError);
  t.same(await snapshotTree(root), before, 'the export is unchanged');
});

void t.test('PVs made by the Go project', async (t) => {
  const { root, provisioner } = await setup(t, { path: '/exports/' });
  await mkdir(join(root, 'default-old-pvc-9'));
  await writeFile(join(root, 'default-old-pvc-9', 'f'), 'old data');
  await mkdir(join(root, 'ns', 'nested'), { recursive: true });
  await mkdir(join(root, 'default-gone-pvc-8'));
  const legacy = (path: string) => pvFor({ nfs: { server: 'nfs.example.com', path } }, {});

  // Class gone: archive, the safe default, in place.
  await provisioner.delete(legacy('/exports/default-old-pvc-9'), undefined, signal);
  t.equal(await readFile(join(root, 'archived-default-old-pvc-9', 'f'), 'utf8'), 'old data');
  // Nested directories (Go's pathPattern) are archived next to themselves, not flattened.
  await provisioner.delete(legacy('/exports/ns/nested'), undefined, signal);
  t.ok((await lstat(join(root, 'ns', 'archived-nested'))).isDirectory());
  // Class still there: its parameters decide.
  await provisioner.delete(legacy('/exports/default-gone-pvc-8'), storageClass({ archiveOnDelete: 'false' }), signal);
  await t.rejects(lstat(join(root, 'default-gone-pvc-8')), { code: 'ENOENT' });
  // A class with bad parameters: archive.
  await mkdir(join(root, 'x'));
  await provisioner.delete(legacy('/exports/x'), storageClass({ archiveOnDelete: 'maybe' }), signal);
  t.ok((await lstat(join(root, 'archived-x'))).isDirectory());
  // Already gone: done.
  await provisioner.delete(legacy('/exports/never-existed'), undefined, signal);
});

void t.test('probe: writable export passes and leaves nothing; read-only fails with the reason', async (t) => {
  const { root, provisioner } = await setup(t);
  await provisioner.probe(signal);
  t.same(await readdir(root), [], 'no probe file left behind');
  const erofs = Object.assign(new Error('EROFS: read-only file system, open'), { code: 'EROFS' });
  const readOnly: FsImplementation = { ...nodeFs, writeFile: () => Promise.reject(erofs) };
  const { provisioner: ro } = await setup(t, { fs: readOnly });
  await t.rejects(ro.probe(signal), { name: 'TransientError', message: /is read-only/ });
  const missing = await setup(t, { mountPath: '/nonexistent/mount/for/test' });
  await t.rejects(missing.provisioner.probe(signal), { name: 'TransientError', message: /\/nonexistent\/mount\/for\/test/ });
});

void t.test('a hung export: calls time out, the limit holds, metrics hooks see it', async (t) => {
  const releases: (() => void)[] = [];
  let started = 0;
  const hang = <T>(): Promise<T> =>
    new Promise<T>(() => {
      started += 1;
      releases.push(() => {});
    });
  const hung: FsImplementation = {
    lstat: hang,
    realpath: hang,
    mkdir: hang,
    rename: hang,
    rm: hang,
    writeFile: hang,
    open: hang,
  };
  const calls: { operation: FsOperation; outcome: FsOutcome }[] = [];
  const { provisioner, exported } = await setup(t, {
    fs: hung,
    fsTimeoutMs: 40,
    fsConcurrency: 2,
    observer: { onFsCall: (operation, _ms, outcome) => calls.push({ operation, outcome }) },
  });
  const results = await Promise.allSettled([
    provisioner.provision(request(claim({ name: 'a' })), signal),
    provisioner.provision(request(claim({ name: 'b' })), signal),
    provisioner.provision(request(claim({ name: 'c' })), signal),
    exported.probe(signal),
    provisioner.delete(pvFor({ nfs: { server: 'nfs.example.com', path: '/exports/x' } }, {}), undefined, signal),
  ]);
  for (const [index, result] of results.entries()) {
    // The probe says what the timeout means for the export.
    const reason: unknown = result.status === 'rejected' && index === 3 && result.reason instanceof ExportStateError ? result.reason.cause : result.status === 'rejected' ? result.reason : undefined;
    t.ok(reason instanceof FsTimeoutError && reason instanceof TransientError, 'FsTimeoutError (transient)');
  }
  t.match(results[3], { status: 'rejected', reason: { state: 'hung' } }, 'the probe reports the export hung');
  t.equal(started, 2, 'no more hung calls than the concurrency limit');
  t.same(exported.fsLoad(), { active: 2, pending: 0 }, "timed-out callers do not linger in the queue");
  t.ok(calls.length === 5 && calls.every((call) => call.operation === 'realpath' && call.outcome === 'timeout'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await t.rejects(provisioner.provision(request(claim({ name: 'd' })), signal), { name: 'FsStalledError' }, 'once every slot outlived the timeout, new calls are refused at once');
  t.match(calls.at(-1), { operation: 'realpath', outcome: 'stalled' });
  t.equal(started, 2, 'and never started');
});

void t.test('an aborted signal stops provisioning before it touches the export', async (t) => {
  const { root, provisioner } = await setup(t);
  const aborted = AbortSignal.abort(new Error('shutting down'));
  await t.rejects(provisioner.provision(request(claim()), aborted), { message: 'shutting down' });
  t.same(await readdir(root), []);
});

void t.test('logs say what happened to which volume', async (t) => {
  const { provisioner, lines } = await setup(t);
  const pv = await provisionPv(provisioner, request(claim()));
  await provisioner.delete(pv, undefined, signal);
  t.match(lines, [
    { level: 'info', message: 'volume directory ready', claim: 'default/data', directory: 'default-data-pvc-1111-2222', mode: '0777' },
    { level: 'info', message: 'volume directory reclaimed', outcome: 'archived', archivedAs: 'archived-default-data-pvc-1111-2222' },
  ]);
});

void t.test('constructors refuse relative paths, no exports and repeated names', (t) => {
  const { logger } = collectingLogger();
  t.throws(() => new NfsExport({ name: 'a', server: 's', path: 'exports', mountPath: '/m', fsTimeoutMs: 1, fsConcurrency: 1 }), RangeError);
  t.throws(() => new NfsProvisioner({ exports: [], logger, provisionerNames: [NAME] }), RangeError);
  const a = new NfsExport({ name: 'a', server: 's', path: '/a', mountPath: '/m', fsTimeoutMs: 1, fsConcurrency: 1 });
  t.throws(() => new NfsProvisioner({ exports: [a, a], logger, provisionerNames: [NAME] }), RangeError);
  t.end();
});

void t.test('storageLocation names the server and the normalized NFS path, so the controller can spot shared storage', async (t) => {
  const { provisioner } = await setup(t);
  t.equal(provisioner.storageLocation(pvFor({ nfs: { server: '10.0.0.1', path: '/exports//a/b/' } }, {})), '10.0.0.1:/exports/a/b');
  t.equal(provisioner.storageLocation(pvFor({ nfs: { server: 'nfs', path: '/' } }, {})), 'nfs:/');
  t.equal(provisioner.storageLocation(pvFor({ nfs: { server: 'nfs', path: 'relative' } }, {})), undefined);
  t.equal(provisioner.storageLocation(pvFor({}, {})), undefined);
});

/** Two exports on two servers, both real directories; `second` also answers for provisioner example.com/b. */
async function twoExports(t: WithTestdir, secondFs?: FsImplementation) {
  const dir = await realpath(t.testdir({ a: {}, b: {} }));
  const { logger, lines } = collectingLogger();
  const first = new NfsExport({ name: 'default', server: 'nfs-a', path: '/exports/a', mountPath: join(dir, 'a'), fsTimeoutMs: 100, fsConcurrency: 2 });
  const second = new NfsExport({
    name: 'second',
    server: 'nfs-b',
    path: '/exports/b',
    mountPath: join(dir, 'b'),
    provisionerNames: ['example.com/b'],
    fsTimeoutMs: 100,
    fsConcurrency: 2,
    ...(secondFs === undefined ? {} : { fs: secondFs }),
  });
  const warnings: { reason: string; message: string }[] = [];
  const provisioner = new NfsProvisioner({
    exports: [first, second],
    logger,
    provisionerNames: [NAME, 'example.com/b'],
    onWarning: (_request, reason, message) => warnings.push({ reason, message }),
  });
  return { dir, provisioner, first, second, warnings, lines };
}

function classRequest(provisionerName: string, parameters?: Record<string, string>, name = 'data'): ProvisionRequest {
  return { claim: claim({ name }), storageClass: { ...storageClass(parameters), provisioner: provisionerName }, pvName: 'pvc-1111-2222' };
}

void t.test('several exports: the class parameter, else the provisioner name, else default picks the export', async (t) => {
  const { dir, provisioner } = await twoExports(t);
  const byParameter = await provisioner.provision(classRequest(NAME, { export: 'second' }, 'p'), signal);
  t.same(byParameter.source, { nfs: { server: 'nfs-b', path: '/exports/b/default-p-pvc-1111-2222' } });
  t.equal(byParameter.annotations[EXPORT_ANNOTATION], 'second');
  t.ok((await stat(join(dir, 'b', 'default-p-pvc-1111-2222'))).isDirectory(), 'made on the second export');
  const byName = await provisioner.provision(classRequest('example.com/b', undefined, 'n'), signal);
  t.equal(byName.source.nfs?.server, 'nfs-b', "the provisioner name's export");
  const byDefault = await provisioner.provision(classRequest(NAME, undefined, 'd'), signal);
  t.same(byDefault.source, { nfs: { server: 'nfs-a', path: '/exports/a/default-d-pvc-1111-2222' } });
  t.equal(byDefault.annotations[EXPORT_ANNOTATION], 'default');
  const explicitDefault = await provisioner.provision(classRequest('example.com/b', { export: 'default' }, 'x'), signal);
  t.equal(explicitDefault.source.nfs?.server, 'nfs-a', 'the parameter wins over the provisioner name');
  t.same((await readdir(join(dir, 'a'))).sort(), ['default-d-pvc-1111-2222', 'default-x-pvc-1111-2222']);
  t.same((await readdir(join(dir, 'b'))).sort(), ['default-n-pvc-1111-2222', 'default-p-pvc-1111-2222']);
  t.match(provisioner.validate(classRequest(NAME, { export: 'third' })), 'export: "third" is not an export of this provisioner (known: "default", "second")');
  await t.rejects(provisioner.provision(classRequest(NAME, { export: 'third' }), signal), { name: 'PermanentError', message: /known: "default", "second"/ });
});

void t.test('several exports: reclaim goes to the export the PV names, or whose server and path hold it', async (t) => {
  const { dir, provisioner } = await twoExports(t);
  const made = await provisioner.provision(classRequest(NAME, { export: 'second', archiveOnDelete: 'false' }, 'mine'), signal);
  const pv = pvFor({ nfs: made.source.nfs ?? { server: '', path: '' } }, { ...made.annotations });
  // The class is gone; the PV alone says where.
  await provisioner.delete(pv, undefined, signal);
  t.same(await readdir(join(dir, 'b')), [], 'deleted on the second export');
  // A Go-made PV of the second install: no annotations, provisioned by its own name.
  await mkdir(join(dir, 'b', 'default-go-pvc-7'));
  const goPv = pvFor({ nfs: { server: 'nfs-b', path: '/exports/b/default-go-pvc-7' } }, { [PROVISIONED_BY_ANNOTATION]: 'example.com/b' });
  t.match(provisioner.exportForVolume(goPv), { ok: true, via: 'source', export: { name: 'second' } });
  await provisioner.delete(goPv, undefined, signal);
  t.same(await readdir(join(dir, 'b')), ['archived-default-go-pvc-7'], 'archived in place on its export');
  // A renamed export: the annotation names nothing configured, the source still decides.
  await mkdir(join(dir, 'b', 'renamed'));
  const renamed = pvFor({ nfs: { server: 'nfs-b', path: '/exports/b/renamed' } }, { [EXPORT_ANNOTATION]: 'old-name', [DIRECTORY_ANNOTATION]: 'renamed', [ON_DELETE_ANNOTATION]: 'delete' });
  await provisioner.delete(renamed, undefined, signal);
  t.same(await readdir(join(dir, 'b')), ['archived-default-go-pvc-7']);
  // An annotation aimed at another export than the PV's source is not acted on.
  await mkdir(join(dir, 'a', 'victim'));
  const redirected = pvFor({ nfs: { server: 'nfs-b', path: '/exports/b/victim' } }, { [EXPORT_ANNOTATION]: 'default', [ON_DELETE_ANNOTATION]: 'delete' });
  await t.rejects(provisioner.delete(redirected, undefined, signal), { name: 'PermanentError', message: /names an export .* that does not hold its NFS source/ });
  t.same(await readdir(join(dir, 'a')), ['victim']);
});

void t.test('an unknown class parameter is warned about and the claim provisioned with the defaults', async (t) => {
  const { dir, provisioner, warnings, lines } = await twoExports(t);
  const made = await provisioner.provision(classRequest(NAME, { archiveOnDelet: 'false' }), signal);
  t.equal(made.annotations[ON_DELETE_ANNOTATION], 'archive', 'the default, which keeps data');
  t.ok((await stat(join(dir, 'a', 'default-data-pvc-1111-2222'))).isDirectory());
  t.equal(warnings.length, 1);
  t.match(warnings[0], { reason: 'UnknownParameter', message: /StorageClass "nfs": unknown parameter "archiveOnDelet" ignored \(known: archiveOnDelete, .*export\)/ });
  t.match(lines, [{ level: 'warn', message: 'unknown StorageClass parameters ignored', keys: ['archiveOnDelet'] }]);
});

void t.test('a hung export fails only its own claims, and fast once its slots are stuck', async (t) => {
  const hang = <T>(): Promise<T> => new Promise<T>(() => {});
  const hung: FsImplementation = { lstat: hang, realpath: hang, mkdir: hang, rename: hang, rm: hang, writeFile: hang, open: hang };
  const { provisioner, second } = await twoExports(t, hung);
  const stuck = await Promise.allSettled([0, 1, 2].map((i) => provisioner.provision(classRequest(NAME, { export: 'second' }, `h${i}`), signal)));
  t.ok(stuck.every((r) => r.status === 'rejected' && r.reason instanceof FsTimeoutError), 'the second export times out');
  const started = performance.now();
  const fine = await provisioner.provision(classRequest(NAME, undefined, 'ok'), signal);
  t.equal(fine.source.nfs?.server, 'nfs-a', 'the default export provisions meanwhile');
  t.ok(performance.now() - started < 50, 'at its normal speed');
  const refused = performance.now();
  await t.rejects(provisioner.provision(classRequest(NAME, { export: 'second' }, 'late'), signal), { name: 'FsStalledError' });
  t.ok(performance.now() - refused < 50, 'a claim of the hung export no longer waits out the timeout');
  t.same(second.fsLoad(), { active: 2, pending: 0 });
});
