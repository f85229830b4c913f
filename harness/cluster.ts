// A local Kubernetes for tests, the benchmark and the sandbox: the API server plus the
// control-plane stand-ins (PV binder, protection finalizers, default class, StatefulSet claims),
// which talk to it over HTTP like kube-controller-manager does.
import { startApiServer } from './apiserver/index.ts';
import type { ApiServer } from './apiserver/index.ts';
import { startControllers } from './controllers/index.ts';
import type { ControllerLog, ControllerSelection, RunningControllers } from './controllers/index.ts';

export interface ClusterControllerOptions extends ControllerSelection {
  /** Full re-examination period of every controller; default 15 s. */
  resyncMs?: number;
  log?: ControllerLog;
}

export interface StartClusterOptions {
  port?: number;
  historySize?: number;
  kubeconfigPath?: string;
  /** true (default): every stand-in; false: none; an object picks some (unnamed ones stay on). */
  controllers?: boolean | ClusterControllerOptions;
}

export interface Cluster {
  apiServer: ApiServer;
  kubeconfigPath: string;
  url: string;
  /** Absent when started with controllers: false. */
  controllers?: RunningControllers;
  /** Stops the controllers, then the API server. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startCluster(opts: StartClusterOptions = {}): Promise<Cluster> {
  const apiServer = await startApiServer({
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.historySize !== undefined ? { historySize: opts.historySize } : {}),
    ...(opts.kubeconfigPath !== undefined ? { kubeconfigPath: opts.kubeconfigPath } : {}),
  });
  let controllers: RunningControllers | undefined;
  const wanted = opts.controllers ?? true;
  if (wanted !== false) {
    const { resyncMs, log, ...enable } = wanted === true ? {} : wanted;
    try {
      controllers = await startControllers({
        kubeconfigPath: apiServer.kubeconfigPath,
        enable,
        ...(resyncMs !== undefined ? { resyncMs } : {}),
        ...(log ? { log } : {}),
      });
    } catch (err: unknown) {
      await apiServer.stop();
      throw err;
    }
  }
  let stopping: Promise<void> | undefined;
  return {
    apiServer,
    kubeconfigPath: apiServer.kubeconfigPath,
    url: apiServer.url,
    ...(controllers ? { controllers } : {}),
    stop() {
      stopping ??= (async () => {
        controllers?.stop();
        await apiServer.stop();
      })();
      return stopping;
    },
  };
}
