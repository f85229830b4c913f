// A Kubernetes-API-compatible server for tests, the sandbox, the benchmark and the fault suite.
// `startApiServer()` listens on 127.0.0.1 (a free port by default) and writes a kubeconfig that
// kubectl and @kubernetes/client-node accept as is.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultAdmissionPlugins } from './admission/index.ts';
import type { AdmissionPlugin } from './admission/index.ts';
import { Faults } from './faults.ts';
import type { FaultInjector } from './faults.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { Objects } from './objects.ts';
import { seededRandom } from './random.ts';
import { MemoryRequestLog } from './request-log.ts';
import type { RequestLog } from './request-log.ts';
import { makeRegistry } from './resources.ts';
import type { Registry } from './resources.ts';
import { makeRouter } from './router.ts';
import { Store } from './store.ts';
import type { ActiveWatch } from './watch.ts';

export type { FaultInjector, FaultRule } from './faults.ts';
export type { RequestEntry, RequestFilter, RequestLog } from './request-log.ts';
export type { KubeObject } from './json.ts';
export type { Store } from './store.ts';

export interface ApiServerOptions {
  port?: number;
  host?: string;
  // Watch events kept per resource for resuming watches and continuing lists (default 10000).
  historySize?: number;
  // Where to write the kubeconfig (default: a new temporary directory, removed on stop).
  kubeconfigPath?: string;
  // Seed for fault decisions and generated names (default: random).
  seed?: number;
  // Interval of BOOKMARK events on watches that allow them (default 60 s, like the real server).
  bookmarkIntervalMs?: number;
  // Timeout of watches that ask for none (default 1800 s).
  watchTimeoutSeconds?: number;
  // Admission plugins (default: DefaultStorageClass, StorageObjectInUseProtection).
  admission?: readonly AdmissionPlugin[];
  // Clock for timestamps (default: the system clock).
  now?: () => Date;
}

export interface ApiServer {
  url: string;
  kubeconfigPath: string;
  requests: RequestLog;
  faults: FaultInjector;
  // Direct access to stored objects (read them; write through the API).
  store: Store;
  registry: Registry;
  // Closes the listener and every connection (open watches included), listens again on the same
  // port; stored objects and the resourceVersion counter are kept.
  restart(): Promise<void>;
  stop(): Promise<void>;
  // Watches currently streaming (each holds a store subscription and its timeout timers).
  openWatches(): number;
}

const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startApiServer(opts: ApiServerOptions = {}): Promise<ApiServer> {
  const host = opts.host ?? '127.0.0.1';
  const random = seededRandom(opts.seed ?? randomBytes(4).readUInt32LE(0));
  const now = opts.now ?? ((): Date => new Date());
  const registry = makeRegistry();
  const store = new Store(opts.historySize ?? 10_000);
  const objects = new Objects({ store, registry, admission: opts.admission ?? defaultAdmissionPlugins, now, random, defer: (fn) => setImmediate(fn) });
  const nsType = registry.get('', 'v1', 'namespaces');
  for (const name of INITIAL_NAMESPACES) {
    if (nsType) objects.create(nsType, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const log = new MemoryRequestLog();
  const watches = new Map<ActiveWatch, ServerResponse>();
  const dropAll = (abrupt: boolean): number => {
    const all = [...watches.entries()];
    for (const [w, res] of all) {
      if (abrupt) res.destroy();
      w.stop();
    }
    return all.length;
  };
  const faults = new Faults(random, dropAll);
  let port = opts.port ?? 0;
  const router = makeRouter({
    registry,
    store,
    objects,
    log,
    faults,
    watchOptions: { bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000, defaultTimeoutSeconds: opts.watchTimeoutSeconds ?? 1800 },
    now,
    serverAddress: () => `${host}:${port}`,
    watches,
  });

  const sockets = new Set<Socket>();
  let server: Server;
  const listen = async (): Promise<void> => {
    server = createServer({ keepAlive: true, noDelay: true }, router);
    server.keepAliveTimeout = 30_000;
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') port = addr.port;
  };
  const close = async (): Promise<void> => {
    dropAll(true);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    sockets.clear();
    await closed;
  };

  await listen();
  const url = `http://${host}:${port}`;
  let tempDir: string | undefined;
  let kubeconfigPath = opts.kubeconfigPath;
  if (!kubeconfigPath) {
    tempDir = mkdtempSync(join(tmpdir(), 'harness-apiserver-'));
    kubeconfigPath = join(tempDir, 'kubeconfig');
  }
  writeKubeconfig(kubeconfigPath, url, randomBytes(16).toString('hex'));

  let stopped = false;
  return {
    url,
    kubeconfigPath,
    requests: log,
    faults,
    store,
    registry,
    restart: async () => {
      if (stopped) throw new Error('the API server is stopped');
      await close();
      await listen();
    },
    openWatches: () => watches.size,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      faults.clear();
      await close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
