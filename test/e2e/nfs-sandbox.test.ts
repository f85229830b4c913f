// `npm run sandbox -- --nfs`: the sandbox serves its export over a real NFSv4 server, the PVs it
// provisions name that server (127.0.0.1) and its pseudo path, they work through NFS, and the
// sandbox exits cleanly, taking ganesha with it.
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { makeControllerClients } from '../../harness/controllers/kube-clients.ts';
import { requireNfsOrSkip } from '../../harness/nfs/index.ts';
import { until } from './nfs-helpers/until.ts';
import { startSandbox } from '../harness/sandbox/sandbox-process.ts';
import { checkRoundTrip, exportRelative } from './nfs-helpers/volume-access.ts';

const PSEUDO = '/export'; // harness/nfs's default pseudo path, which the sandbox uses

/**
 * Live ganesha.nfsd processes exporting a directory, found through /proc and their config files
 * (the sandbox prints neither the NFS port nor ganesha's pid).
 */
function ganeshaServing(exportDir: string): { pid: number; port: number }[] {
  const found: { pid: number; port: number }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (!(argv[0] ?? '').endsWith('ganesha.nfsd') || !alive(Number(d))) continue;
      const config = readFileSync(argv[argv.indexOf('-f') + 1] ?? '', 'utf8');
      if (!config.split('\n').some((l) => l.trim() === `Path = ${exportDir};`)) continue;
      found.push({ pid: Number(d), port: Number(/NFS_Port = (\d+);/.exec(config)?.[1]) });
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return found;
}

const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

void t.test('--help documents --nfs and --exit-after-ready', async (t) => {
  const sandbox = startSandbox(t, ['--help']);
  const { code } = await sandbox.exitStatus;
  t.equal(code, 0);
  t.match(sandbox.output(), /--nfs\s+also serve the export over a real NFSv4 server/);
  t.match(sandbox.output(), /--exit-after-ready/);
});

void t.test('--nfs --exit-after-ready: ready on a real NFS server, then a clean exit', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const exportDir = realpathSync(t.testdir());
  const sandbox = startSandbox(t, ['--nfs', '--exit-after-ready', '--export-dir', exportDir]);
  const { code, signal } = await sandbox.exitStatus;
  const out = sandbox.output();
  t.equal(code, 0, 'exit code 0');
  t.equal(signal, null);
  t.match(out, /^sandbox ready/m, 'prints "sandbox ready"');
  t.match(out, new RegExp(`^nfs: .* exported by nfs-ganesha as 127\\.0\\.0\\.1:${PSEUDO} \\(port \\d+; try: nfs-ls 'nfs://127\\.0\\.0\\.1${PSEUDO}\\?version=4&nfsport=\\d+'\\)$`, 'm'), 'names the NFS server, pseudo path and port');
  t.match(out, /^sandbox stopped$/m, 'says it stopped');
  t.notMatch(out, /failed|exited unexpectedly/i, 'no failure on the way');
  t.match(out, new RegExp(`^nfs: ${exportDir} exported`, 'm'), 'the export is the directory given');
  t.same(ganeshaServing(exportDir), [], 'no ganesha left serving it');
});

void t.test('--nfs: the example PVs of both exports name 127.0.0.1 and their pseudo path and work through NFS', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const base = realpathSync(t.testdir({ a: {}, b: {} }));
  const exportDir = join(base, 'a');
  const secondDir = join(base, 'b');
  const kubeconfig = join(t.testdir(), 'kubeconfig');
  const sandbox = startSandbox(t, ['--nfs', '--export-dir', exportDir, '--export', `second=${secondDir}`, '--kubeconfig', kubeconfig]);
  await sandbox.waitFor(/^sandbox ready/m);

  const servers = ganeshaServing(exportDir);
  t.equal(servers.length, 1, 'one ganesha.nfsd serves the export');
  const ganesha = servers[0];
  if (!ganesha) return;
  const port = ganesha.port;
  t.ok(port > 0, `NFS port ${port} (read from ganesha's config: the sandbox does not print it)`);
  const world = { nfs: { server: '127.0.0.1', port, pseudoPath: PSEUDO }, exportDir };
  const secondWorld = { nfs: { server: '127.0.0.1', port, pseudoPath: '/export-second' }, exportDir: secondDir };

  const { core } = makeControllerClients(kubeconfig, 'e2e-nfs-sandbox-test');
  // The sandbox's examples: two claims and a StatefulSet's claims of the default class, one claim of nfs-second.
  const pvs = await until('the examples\' claims to be Bound', async () => {
    const claims = (await core.listPersistentVolumeClaimForAllNamespaces()).items;
    if (claims.length === 0 || claims.some((c) => c.status?.phase !== 'Bound')) return undefined;
    const volumes = (await core.listPersistentVolume()).items;
    return claims.length === volumes.length ? volumes : undefined;
  });
  t.ok(pvs.length >= 3, `${pvs.length} example PVs`);
  t.equal(pvs.filter((pv) => pv.spec?.claimRef?.name === 'second-claim').length, 1, 'one of them of the second export');
  for (const pv of pvs) {
    const name = pv.metadata?.name ?? '?';
    const served = pv.spec?.claimRef?.name === 'second-claim' ? secondWorld : world;
    t.equal(pv.spec?.nfs?.server, '127.0.0.1', `${name}: spec.nfs.server 127.0.0.1`);
    t.match(pv.spec?.nfs?.path, new RegExp(`^${served.nfs.pseudoPath}/[^/]+`), `${name}: spec.nfs.path below its export's pseudo path`);
    t.ok(existsSync(join(served.exportDir, exportRelative(served, pv.spec?.nfs?.path ?? ''))), `${name}: its directory is in its export`);
    await checkRoundTrip(t, served, pv);
  }

  sandbox.child.kill('SIGTERM');
  const { code } = await sandbox.exitStatus;
  t.equal(code, 0, 'SIGTERM: exit code 0');
  t.match(sandbox.output(), /^sandbox stopped$/m);
  await until('ganesha to be gone', () => Promise.resolve(alive(ganesha.pid) ? undefined : true), 10_000);
  t.pass(`ganesha (pid ${ganesha.pid}) stopped with the sandbox`);
});
