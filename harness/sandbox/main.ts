// `npm run sandbox`: a local Kubernetes (API server + control-plane stand-ins), a directory as the
// NFS export, the StorageClass of manifests/ (as the default class) and a few example claims, and
// the provisioner from lib/ as a child process; then a live table of claims, volumes and export
// directories. Prints the kubeconfig and a kubectl command, and a line with "sandbox ready" once
// the API server and the provisioner are ready. Ctrl-C / SIGTERM stop everything and exit 0.
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../cluster.ts';
import type { Cluster } from '../cluster.ts';
import { makeControllerClients } from '../controllers/kube-clients.ts';
import { startProvisioner } from '../provisioner-process.ts';
import type { ProvisionerProcess } from '../provisioner-process.ts';
import { createObjects } from './apply.ts';
import { parseSandboxArgs } from './args.ts';
import type { SandboxOptions } from './args.ts';
import { startLiveView } from './live-table.ts';
import type { LiveView } from './live-table.ts';
import { provisionerOf, sandboxExamples, sandboxStorageClass } from './objects.ts';

const LIB_MAIN = fileURLToPath(new URL('../../lib/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SANDBOX_USER_AGENT = 'harness-sandbox';

interface NfsHandle {
  nfsServer: string;
  nfsPath: string;
  /** nfs://127.0.0.1/<pseudo>?version=4&nfsport=N, for nfs-ls / nfs-cat. */
  url: string;
  stop(): Promise<void>;
}

async function startRealNfs(exportDir: string): Promise<NfsHandle> {
  // harness/nfs is a teammate's module; imported lazily so the sandbox runs without it.
  const nfs = await import('../nfs/index.ts');
  const server = await nfs.startNfsServer({ exportDir });
  return { nfsServer: server.server, nfsPath: server.nfsPath(), url: server.url(), stop: () => server.stop() };
}

async function run(opts: SandboxOptions): Promise<void> {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const stateDir = mkdtempSync(join(tmpdir(), 'nfs-sandbox-'));
  const kubeconfigPath = opts.kubeconfigPath ? resolve(opts.kubeconfigPath) : join(stateDir, 'kubeconfig');
  const exportDir = opts.exportDir ? resolve(opts.exportDir) : join(stateDir, 'export');
  mkdirSync(exportDir, { recursive: true });
  const controllerLog: WriteStream = createWriteStream(join(stateDir, 'controllers.log'));
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
    cluster = await startCluster({
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      kubeconfigPath,
      controllers: { log: (message, fields) => void controllerLog.write(`${JSON.stringify({ time: new Date().toISOString(), message, ...fields })}\n`) },
    });
    const clients = makeControllerClients(cluster.kubeconfigPath, SANDBOX_USER_AGENT);

    const sc = sandboxStorageClass();
    const provisionerName = opts.provisionerName ?? provisionerOf(sc.object);
    sc.object['provisioner'] = provisionerName;
    await createObjects(clients, [sc.object]);
    out(`storage class: ${sc.object.metadata.name} (default, provisioner ${provisionerName}) from ${sc.source}`);
    if (opts.examples) {
      const ex = sandboxExamples();
      const created = await createObjects(clients, ex.objects);
      out(`examples: ${created.join(', ') || '(already there)'} from ${ex.source}`);
    }

    let nfsServer = '127.0.0.1';
    let nfsPath = exportDir;
    if (opts.nfs) {
      nfs = await startRealNfs(exportDir);
      nfsServer = nfs.nfsServer;
      nfsPath = nfs.nfsPath;
      out(`nfs: ${exportDir} exported by nfs-ganesha as ${nfsServer}:${nfsPath} (port ${new URL(nfs.url).searchParams.get('nfsport') ?? '?'}; try: nfs-ls '${nfs.url}')`);
    }

    let provisionerNote: string;
    if (existsSync(LIB_MAIN)) {
      provisioner = await startProvisioner({
        kubeconfigPath: cluster.kubeconfigPath,
        exportDir,
        provisionerName,
        nfsServer,
        nfsPath,
        logLevel: opts.logLevel,
        podName: 'sandbox-provisioner',
        env: opts.provisionerEnv,
        onLine: (l) => void provisionerLog.write(`${l.text}\n`),
      });
      await provisioner.waitReady(60_000);
      provisionerNote = `provisioner: pid ${provisioner.pid}, ${provisioner.httpUrl}/metrics, log ${provisionerLogPath}`;
      void provisioner.exited.then((s) => {
        if (!shuttingDown) out(`provisioner exited unexpectedly (code ${String(s.code)}, signal ${String(s.signal)}); its log: ${provisionerLogPath}`);
      });
    } else {
      provisionerNote = 'provisioner: lib/main.ts does not exist yet, so no provisioner runs: claims stay Pending';
    }

    const header = [
      `kubeconfig: ${cluster.kubeconfigPath}`,
      `export:     ${exportDir}`,
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
      exportDir,
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
