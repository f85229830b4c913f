// A fresh world per scenario: a cluster (the real control plane or the harness, --cluster), an
// empty export directory, the StorageClass, the bench's own API client (User-Agent nfs-bench, the
// admin's credentials) and the tracker's watches, plus the identity the provisioner under test
// runs as: on the real control plane a ServiceAccount token with the shipped RBAC (or the RBAC
// file given for another program), so the bench measures it with exactly the permissions a
// Deployment has.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1StorageClass } from '@kubernetes/client-node';
import type { RequestEntry } from '../harness/apiserver/index.ts';
import { startCluster } from '../harness/cluster.ts';
import type { Cluster } from '../harness/cluster.ts';
import { installShippedRbac, PROVISIONER_SERVICE_ACCOUNT, readRbacFile } from '../harness/control-plane/shipped-rbac.ts';
import { makeControllerClients } from '../harness/controllers/kube-clients.ts';
import type { ControllerClients } from '../harness/controllers/kube-clients.ts';
import { BENCH_USER_AGENT, isProvisionerRequest } from './api-requests.ts';
import type { BenchCluster, BenchOptions } from './args.ts';
import { Tracker } from './tracker.ts';

export { BENCH_USER_AGENT };
export const PROVISIONER_NAME = 'bench.nfs-provisioner.dev/nfs';
export const CLASS_NAME = 'bench-nfs';
export const NAMESPACE = 'default';

/** Where and as whom the provisioner under test runs. */
export interface SubjectIdentity {
  kubeconfigPath: string;
  /** POD_NAMESPACE (where its leader-election lock lives). */
  namespace: string;
  /** real: the user the API server authenticates it as (its requests are counted by it). */
  user?: string;
}

/** The cluster a result was measured on, recorded in every result. */
export interface ClusterInfo {
  kind: BenchCluster;
  kcmQps?: number;
  kcmBurst?: number;
  binderSyncPeriod?: string;
}

export interface World {
  cluster: Cluster;
  info: ClusterInfo;
  exportDir: string;
  clients: ControllerClients;
  tracker: Tracker;
  identity: SubjectIdentity;
  /** Was this request made by the provisioner under test? */
  isSubjectRequest(e: RequestEntry): boolean;
  notes: string[];
  stop(): Promise<void>;
}

export interface WorldOptions {
  withClass?: boolean;
  historySize?: number;
  /** real: the RBAC file the provisioner is deployed with (default the shipped RBAC). */
  rbacFile?: string;
}

export function clusterInfo(o: Pick<BenchOptions, 'cluster' | 'kcmQps' | 'binderSyncPeriod'>): ClusterInfo {
  return o.cluster === 'local' ? { kind: 'local' } : { kind: 'real', kcmQps: o.kcmQps, kcmBurst: o.kcmQps * 2, binderSyncPeriod: o.binderSyncPeriod };
}

async function subjectIdentity(cluster: Cluster, rbacFile: string | undefined): Promise<SubjectIdentity> {
  const shipped = await cluster.provisionerIdentity();
  if (cluster.controlPlane === undefined) return shipped;
  let account = { namespace: shipped.namespace, name: PROVISIONER_SERVICE_ACCOUNT };
  let kubeconfigPath = shipped.kubeconfigPath;
  if (rbacFile !== undefined) {
    const rbac = readRbacFile(rbacFile);
    const cp = cluster.controlPlane;
    await installShippedRbac((path, body) => cp.adminCall('POST', path, body), rbac.objects);
    account = rbac.serviceAccount;
    kubeconfigPath = await cp.serviceAccountKubeconfig(account.namespace, account.name, join(cp.dir, 'subject.kubeconfig'));
  }
  return { kubeconfigPath, namespace: account.namespace, user: `system:serviceaccount:${account.namespace}:${account.name}` };
}

export async function startWorld(o: Pick<BenchOptions, 'cluster' | 'kcmQps' | 'binderSyncPeriod'>, opts: WorldOptions = {}): Promise<World> {
  const cluster = await startCluster(
    o.cluster === 'real'
      ? { kind: 'real', controlPlane: { controllerManagerQps: o.kcmQps, binderSyncPeriod: o.binderSyncPeriod } }
      : { kind: 'local', historySize: opts.historySize ?? 200_000 },
  );
  const exportDir = mkdtempSync(join(tmpdir(), 'nfs-bench-export-'));
  const clients = makeControllerClients(cluster.kubeconfigPath, BENCH_USER_AGENT);
  const notes: string[] = [];
  const tracker = new Tracker({
    watch: clients.watch,
    namespace: NAMESPACE,
    onError: (err) => {
      // client-node ends a watch after 30 s without events; the tracker just watches again.
      if (err instanceof Error && err.name === 'TimeoutError') return;
      const msg = `bench watch error: ${err instanceof Error ? err.message : String(err)}`;
      if (!notes.includes(msg)) notes.push(msg);
    },
  });
  let identity: SubjectIdentity;
  try {
    identity = await subjectIdentity(cluster, opts.rbacFile);
    if (opts.withClass ?? true) {
      const body: V1StorageClass = {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: CLASS_NAME },
        provisioner: PROVISIONER_NAME,
        parameters: { archiveOnDelete: 'true' },
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'Immediate',
      };
      await clients.storage.createStorageClass({ body });
    }
    await tracker.start();
  } catch (err: unknown) {
    tracker.stop();
    await cluster.stop();
    rmSync(exportDir, { recursive: true, force: true });
    throw err;
  }
  const user = identity.user;
  return {
    cluster,
    info: clusterInfo(o),
    exportDir,
    clients,
    tracker,
    identity,
    // The audit log names the user; the harness's log only the User-Agent.
    isSubjectRequest: user !== undefined ? (e) => e.user === user : isProvisionerRequest,
    notes,
    stop: async () => {
      tracker.stop();
      await cluster.stop();
      rmSync(exportDir, { recursive: true, force: true });
    },
  };
}
