// `npm run sandbox`: a local Kubernetes (API server + control-plane stand-ins; with --real,
// kube-apiserver, etcd and kube-controller-manager from harness/control-plane), directories as NFS
// exports (`default` and, unless --export names others, `second`), the StorageClass of manifests/
// (as the default class) plus a class `nfs-<name>` per further export, a few example claims, and
// the provisioner from lib/ as a child process, running as the cluster's provisioner identity (on
// the real control plane its ServiceAccount's token and the shipped RBAC); then a live table of
// claims, volumes and export directories. Prints the kubeconfig and a kubectl command, and a line
// with "sandbox ready" once the API server and the provisioner are ready. Ctrl-C / SIGTERM stop
// everything and exit 0.
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../cluster.ts';
import type { Cluster, StartClusterOptions } from '../cluster.ts';
import { PROVISIONER_SERVICE_ACCOUNT } from '../control-plane/shipped-rbac.ts';
import type { ControllerLog } from '../controllers/index.ts';
import { makeControllerClients } from '../controllers/kube-clients.ts';
import { startProvisioner } from '../provisioner-process.ts';
import type { ProvisionerProcess } from '../provisioner-process.ts';
import { createObjects } from './apply.ts';
import { parseSandboxArgs } from './args.ts';
import type { SandboxOptions } from './args.ts';
import { startLiveView } from './live-table.ts';
import type { LiveView } from './live-table.ts';
import { stringify } from 'yaml';
import { exportExampleClaim, exportStorageClass, provisionerOf, sandboxExamples, sandboxStorageClass } from './objects.ts';

const LIB_MAIN = fileURLToPath(new URL('../../lib/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SANDBOX_USER_AGENT = 'harness-sandbox';

interface NfsHandle {
  nfsServer: string;
  nfsPath: string;
  /** nfs://127.0.0.1/<pseudo>?version=4&nfsport=N, for nfs-ls / nfs-cat. */
  url: string;
  /** NFS paths of the further exports, in order. */
  morePaths: string[];
  stop(): Promise<void>;
}

/** An export the sandbox serves: its name, directory, and what PVs of it name. */
interface ServedExport {
  name: string;
  dir: string;
  server: string;
  path: string;
}

async function startRealNfs(exportDir: string, more: readonly { name: string; dir: string }[]): Promise<NfsHandle> {
  // harness/nfs is a teammate's module; imported lazily so the sandbox runs without it.
  const nfs = await import('../nfs/index.ts');
  // One server with an EXPORT per directory, as one NFS server with several shares.
  const server = await nfs.startNfsServer({ exportDir, moreExports: more.map((e) => ({ exportDir: e.dir, pseudoPath: `/export-${e.name}` })) });
  return { nfsServer: server.server, nfsPath: server.nfsPath(), url: server.url(), morePaths: server.moreExports.map((e) => e.nfsPath()), stop: () => server.stop() };
}

/** The harness with its stand-ins logging to controllerLog, or the real control plane (its daemons log to files of their own). */
function clusterOptions(opts: SandboxOptions, kubeconfigPath: string, log: ControllerLog): StartClusterOptions {
  if (opts.real) return { kind: 'real', kubeconfigPath, ...(opts.port !== undefined ? { controlPlane: { apiServerPort: opts.port } } : {}) };
  return { kind: 'local', ...(opts.port !== undefined ? { port: opts.port } : {}), kubeconfigPath, controllers: { log } };
}

/** What runs the cluster, for the header: the real control plane's daemons and their logs. */
function clusterNote(cluster: Cluster, controllerLogPath: string): string {
  const cp = cluster.controlPlane;
  if (cp === undefined) return `cluster:    local harness API server and control-plane stand-ins (their log ${controllerLogPath})`;
  return `cluster:    real control plane: ${cp.daemons.map((d) => `${d.name} (pid ${String(d.pid)})`).join(', ')}; logs in ${cp.dir}`;
}

async function run(opts: SandboxOptions): Promise<void> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const stateDir = mkdtempSync(join(tmpdir(), 'nfs-sandbox-'));
  const kubeconfigPath = opts.kubeconfigPath ? resolve(opts.kubeconfigPath) : join(stateDir, 'kubeconfig');
  const exportDir = opts.exportDir ? resolve(opts.exportDir) : join(stateDir, 'export');
  mkdirSync(exportDir, { recursive: true });
  const more = opts.exports.map((e) => ({ name: e.name, dir: e.dir === undefined ? join(stateDir, `export-${e.name}`) : resolve(e.dir) }));
  for (const e of more) mkdirSync(e.dir, { recursive: true });
  const controllerLogPath = join(stateDir, 'controllers.log');
  const controllerLog: WriteStream = createWriteStream(controllerLogPath);
  const provisionerLogPath = join(stateDir, 'provisioner.log');
  const provisionerLog: WriteStream = createWriteStream(provisionerLogPath);

  let cluster: Cluster | undefined;
  let provisioner: ProvisionerProcess | undefined;
  let nfs: NfsHandle | undefined;
  let view: LiveView | undefined;
  let shuttingDown: Promise<void> | undefined;

  const shutdown = (code: number): Promise<void> => {
    shuttingDown ??= (async () => {
      view?.stop();
      try {
        if (provisioner) {
          const exit = await provisioner.stop('SIGTERM', 10_000);
          if (exit !== 0) out(`provisioner exited with code ${String(exit)}`);
        }
        await nfs?.stop();
        await cluster?.stop();
      } finally {
        controllerLog.end();
        provisionerLog.end();
        rmSync(stateDir, { recursive: true, force: true });
        process.exitCode = code;
        out('sandbox stopped');
      }
    })();
    return shuttingDown;
  };
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      out(`${signal} again: exiting at once`);
      process.exit(1);
    }
    out(`${signal}: stopping the sandbox`);
    void shutdown(0).then(() => process.exit());
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (opts.real) out('starting the real control plane (kube-apiserver, etcd, kube-controller-manager)');
    cluster = await startCluster(
      clusterOptions(opts, kubeconfigPath, (message, fields) => void controllerLog.write(`${JSON.stringify({ time: new Date().toISOString(), message, ...fields })}\n`)),
    );
    const identity = await cluster.provisionerIdentity();
    const clients = makeControllerClients(cluster.kubeconfigPath, SANDBOX_USER_AGENT);

    const sc = sandboxStorageClass();
    const provisionerName = opts.provisionerName ?? provisionerOf(sc.object);
    sc.object['provisioner'] = provisionerName;
    await createObjects(clients, [sc.object, ...more.map((e) => exportStorageClass(e.name, provisionerName))]);
    out(`storage class: ${sc.object.metadata.name} (default, provisioner ${provisionerName}) from ${sc.source}`);
    for (const e of more) out(`storage class: nfs-${e.name} (export: ${e.name})`);
    if (opts.examples) {
      const ex = sandboxExamples();
      const created = await createObjects(clients, [...ex.objects, ...more.map((e) => exportExampleClaim(e.name))]);
      out(`examples: ${created.join(', ') || '(already there)'} from ${ex.source} and one claim per further export`);
      if (opts.real && ex.objects.some((o) => o.kind === 'StatefulSet')) {
        out('            (no nodes run Pods here: a StatefulSet gets the claims of its first ordinal only, as OrderedReady waits for that Pod)');
      }
    }

    let nfsServer = '127.0.0.1';
    let nfsPath = exportDir;
    let served: ServedExport[] = more.map((e) => ({ ...e, server: nfsServer, path: e.dir }));
    if (opts.nfs) {
      nfs = await startRealNfs(exportDir, more);
      const handle = nfs;
      nfsServer = handle.nfsServer;
      nfsPath = handle.nfsPath;
      served = more.map((e, i) => ({ ...e, server: handle.nfsServer, path: handle.morePaths[i] ?? '' }));
      out(`nfs: ${exportDir} exported by nfs-ganesha as ${nfsServer}:${nfsPath} (port ${new URL(handle.url).searchParams.get('nfsport') ?? '?'}; try: nfs-ls '${handle.url}')`);
      for (const e of served) out(`nfs: ${e.dir} exported as ${e.server}:${e.path}`);
    }
    const exportsFile = join(stateDir, 'exports.yaml');
    writeFileSync(exportsFile, stringify({ exports: served.map((e) => ({ name: e.name, server: e.server, path: e.path, mountPath: e.dir })) }));

    let provisionerNote: string;
    if (existsSync(LIB_MAIN)) {
      provisioner = await startProvisioner({
        kubeconfigPath: identity.kubeconfigPath,
        exportDir,
        provisionerName,
        nfsServer,
        nfsPath,
        logLevel: opts.logLevel,
        podName: 'sandbox-provisioner',
        env: { NFS_EXPORTS_FILE: exportsFile, POD_NAMESPACE: identity.namespace, ...opts.provisionerEnv },
        onLine: (l) => void provisionerLog.write(`${l.text}\n`),
      });
      await provisioner.waitReady(60_000);
      const as = cluster.kind === 'real' ? `, as ServiceAccount ${identity.namespace}/${PROVISIONER_SERVICE_ACCOUNT} (${identity.kubeconfigPath})` : '';
      provisionerNote = `provisioner: pid ${provisioner.pid}, ${provisioner.httpUrl}/metrics, log ${provisionerLogPath}${as}`;
      void provisioner.exited.then((s) => {
        if (!shuttingDown) out(`provisioner exited unexpectedly (code ${String(s.code)}, signal ${String(s.signal)}); its log: ${provisionerLogPath}`);
      });
    } else {
      provisionerNote = 'provisioner: lib/main.ts does not exist yet, so no provisioner runs: claims stay Pending';
    }

    const header = [
      clusterNote(cluster, controllerLogPath),
      `kubeconfig: ${cluster.kubeconfigPath}`,
      `export:     ${exportDir} (default; class nfs-client)`,
      ...more.map((e) => `export ${e.name}: ${e.dir} (class nfs-${e.name})`),
      provisionerNote,
      `try:        kubectl --kubeconfig ${cluster.kubeconfigPath} apply -f ${join(REPO, 'manifests/examples/claim.yaml')}`,
      `            kubectl --kubeconfig ${cluster.kubeconfigPath} get pvc,pv`,
      'Ctrl-C stops the sandbox.',
    ];
    for (const l of header) out(l);
    out(`sandbox ready (API server ${cluster.url})`);
    if (opts.exitAfterReady) {
      await shutdown(0);
      return;
    }
    view = startLiveView({
      core: clients.core,
      watch: clients.watch,
      exports: [{ name: 'default', dir: exportDir }, ...more],
      write: (text) => void process.stdout.write(text),
      tty: process.stdout.isTTY,
      header,
      ...(provisioner ? { metricsUrl: `${provisioner.httpUrl}/metrics` } : {}),
    });
  } catch (err: unknown) {
    if (shuttingDown) return;
    process.stderr.write(`sandbox failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    await shutdown(1);
  }
}

let parsed;
try {
  parsed = parseSandboxArgs(process.argv.slice(2));
} catch (err: unknown) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n(see --help)\n`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(parsed.text);
} else {
  await run(parsed.options);
}
