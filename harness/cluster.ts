// The Kubernetes a test, the bench or the sandbox runs against, one of two kinds:
// - 'real': kube-apiserver, etcd and kube-controller-manager built from their Go modules
//   (harness/control-plane/, `npm run control-plane:build`), with RBAC enforced;
// - 'local': harness/apiserver and the control-plane stand-ins in harness/controllers (no Go
//   needed; the sandbox's embedded default and the fast tests' double).
// Both install the RBAC the manifests ship; on the real one the provisioner runs with a token of
// its ServiceAccount, so every run proves that RBAC. harness/cluster-choice.ts says which kind a
// test gets.
import { startApiServer } from './apiserver/index.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ApiServer, FaultInjector, RequestLog } from './apiserver/index.ts';
import { startFaultProxy } from './control-plane/fault-proxy.ts';
import { call } from './control-plane/http-probe.ts';
import type { FaultProxy } from './control-plane/fault-proxy.ts';
import { startControlPlane } from './control-plane/control-plane.ts';
import type { ControlPlane, ControlPlaneOptions } from './control-plane/control-plane.ts';
import { installShippedRbac, PROVISIONER_NAMESPACE, PROVISIONER_SERVICE_ACCOUNT } from './control-plane/shipped-rbac.ts';
import type { AdminPost } from './control-plane/shipped-rbac.ts';
import { startPodReadiness } from './control-plane/pod-readiness.ts';
import { startControllers } from './controllers/index.ts';
import type { ControllerLog, ControllerSelection, RunningControllers } from './controllers/index.ts';

export type ClusterKind = 'local' | 'real';

export interface ClusterControllerOptions extends ControllerSelection {
  /** Full re-examination period of every controller; default 15 s. */
  resyncMs?: number;
  log?: ControllerLog;
}

export interface StartClusterOptions {
  /** Default 'local'. */
  kind?: ClusterKind;
  /** local: the API server's port (default a free one). */
  port?: number;
  /** local: watch events kept per resource. */
  historySize?: number;
  /** Where to write the admin kubeconfig. */
  kubeconfigPath?: string;
  /** local: true (default) every stand-in; false none; an object picks some. */
  controllers?: boolean | ClusterControllerOptions;
  /** real: how the control plane runs (its directory, binder period, controller manager on or off). */
  controlPlane?: Omit<ControlPlaneOptions, 'kubeconfigPath'>;
  /** real: mark pods Running and Ready once their claims are Bound (no kubelet runs here); default true. */
  podReadiness?: boolean;
  /** Install the shipped RBAC (namespace nfs-provisioner, its ServiceAccount and roles); default: on the real control plane only. */
  installRbac?: boolean;
}

/** Where and as whom the provisioner runs, as the Deployment's pod would. */
export interface ProvisionerIdentity {
  /** real: a kubeconfig with the provisioner's ServiceAccount token; local: the admin kubeconfig. */
  kubeconfigPath: string;
  /** POD_NAMESPACE: the Deployment's namespace, where the shipped Role lets it hold its Lease. */
  namespace: string;
}

export interface Cluster {
  kind: ClusterKind;
  /** The admin's kubeconfig (everything allowed). */
  kubeconfigPath: string;
  url: string;
  /** Every request the API server answered (the real one: from its audit log). */
  requests: RequestLog;
  /** local only: the harness API server (faults, restart, direct store access). */
  apiServer?: ApiServer;
  /** local only, absent with controllers: false. */
  controllers?: RunningControllers;
  /** real only. */
  controlPlane?: ControlPlane;
  provisionerIdentity(): Promise<ProvisionerIdentity>;
  /**
   * Fault injection for the provisioner's requests, and the identity to run it with so they pass
   * through it: local, the harness API server's own; real, a fault proxy in front of
   * kube-apiserver (started on first use, stopped with the cluster).
   */
  faultInjection(): Promise<{ faults: FaultInjector; identity: ProvisionerIdentity }>;
  /** Stops the controllers, then the API server. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startCluster(opts: StartClusterOptions = {}): Promise<Cluster> {
  return (opts.kind ?? 'local') === 'real' ? startRealCluster(opts) : startLocalCluster(opts);
}

async function startRealCluster(opts: StartClusterOptions): Promise<Cluster> {
  const controlPlane = await startControlPlane({
    ...opts.controlPlane,
    ...(opts.kubeconfigPath !== undefined ? { kubeconfigPath: opts.kubeconfigPath } : {}),
  });
  const post: AdminPost = (path, body) => controlPlane.adminCall('POST', path, body);
  try {
    if (opts.installRbac ?? true) await installShippedRbac(post);
  } catch (error: unknown) {
    await controlPlane.stop();
    throw error;
  }
  const readiness = opts.podReadiness ?? true ? startPodReadiness(controlPlane.adminCall) : undefined;
  let identity: Promise<ProvisionerIdentity> | undefined;
  let proxied: Promise<{ proxy: FaultProxy; identity: ProvisionerIdentity }> | undefined;
  let stopping: Promise<void> | undefined;
  const provisionerIdentity = (): Promise<ProvisionerIdentity> => {
    identity ??= controlPlane
      .serviceAccountKubeconfig(PROVISIONER_NAMESPACE, PROVISIONER_SERVICE_ACCOUNT)
      .then((kubeconfigPath) => ({ kubeconfigPath, namespace: PROVISIONER_NAMESPACE }));
    return identity;
  };
  return {
    kind: 'real',
    kubeconfigPath: controlPlane.kubeconfigPath,
    url: controlPlane.url,
    requests: controlPlane.requests,
    controlPlane,
    provisionerIdentity,
    async faultInjection() {
      proxied ??= (async () => {
        const direct = await provisionerIdentity();
        const proxy = await startFaultProxy(controlPlane.url, readFileSync(controlPlane.caFile));
        const kubeconfigPath = join(controlPlane.dir, 'provisioner-via-fault-proxy.kubeconfig');
        writeFileSync(kubeconfigPath, rewriteServer(readFileSync(direct.kubeconfigPath, 'utf8'), proxy.url), { mode: 0o600 });
        return { proxy, identity: { kubeconfigPath, namespace: direct.namespace } };
      })();
      const { proxy, identity: viaProxy } = await proxied;
      return { faults: proxy.faults, identity: viaProxy };
    },
    stop() {
      stopping ??= (async () => {
        if (proxied) await (await proxied).proxy.stop();
        await readiness?.stop();
        await controlPlane.stop();
      })();
      return stopping;
    },
  };
}

async function startLocalCluster(opts: StartClusterOptions): Promise<Cluster> {
  const apiServer = await startApiServer({
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.historySize !== undefined ? { historySize: opts.historySize } : {}),
    ...(opts.kubeconfigPath !== undefined ? { kubeconfigPath: opts.kubeconfigPath } : {}),
  });
  let controllers: RunningControllers | undefined;
  const wanted = opts.controllers ?? true;
  try {
    if (opts.installRbac === true) await installShippedRbac((path, body) => call(new URL(path, apiServer.url).href, { method: 'POST', body, userAgent: 'harness-setup' }));
    if (wanted !== false) {
      const { resyncMs, log, ...enable } = wanted === true ? {} : wanted;
      controllers = await startControllers({
        kubeconfigPath: apiServer.kubeconfigPath,
        enable,
        ...(resyncMs !== undefined ? { resyncMs } : {}),
        ...(log ? { log } : {}),
      });
    }
  } catch (err: unknown) {
    await apiServer.stop();
    throw err;
  }
  // The harness enforces no RBAC: the admin kubeconfig, and the namespace provisioners ran in
  // before (or the shipped one, when its RBAC was installed).
  const identity: ProvisionerIdentity = { kubeconfigPath: apiServer.kubeconfigPath, namespace: opts.installRbac === true ? PROVISIONER_NAMESPACE : 'default' };
  let stopping: Promise<void> | undefined;
  return {
    kind: 'local',
    apiServer,
    kubeconfigPath: apiServer.kubeconfigPath,
    url: apiServer.url,
    requests: apiServer.requests,
    ...(controllers ? { controllers } : {}),
    // The harness's own fault injection applies to every client, so the identity is the same one.
    faultInjection: () => Promise.resolve({ faults: apiServer.faults, identity }),
    provisionerIdentity: () => Promise.resolve(identity),
    stop() {
      stopping ??= (async () => {
        controllers?.stop();
        await apiServer.stop();
      })();
      return stopping;
    },
  };
}

/** The harness API server of a local cluster; throws on a real one (for tests of harness-only features). */
export function localApiServer(cluster: Cluster): ApiServer {
  if (cluster.apiServer === undefined) throw new Error('this needs the local harness API server (fault injection, restart or its store)');
  return cluster.apiServer;
}

/** A kubeconfig whose clusters point at server instead (plain HTTP: no CA). */
function rewriteServer(kubeconfig: string, server: string): string {
  const doc = parse(kubeconfig) as { clusters?: Array<{ cluster?: Record<string, unknown> }> };
  for (const c of doc.clusters ?? []) c.cluster = { server };
  return stringify(doc);
}
