// One real-NFS end-to-end world: a ganesha NFSv4 server exporting a temporary directory, the
// harness cluster (API server + PV binder, StatefulSet and default-class stand-ins), and the
// provisioner from lib/ running as its pod would: NFS_MOUNT_PATH is the exported directory (the
// kubelet's mount gives the pod the same view), NFS_SERVER=127.0.0.1, NFS_PATH the pseudo path.
// Everything started here is stopped by the test's teardown.
import { join } from 'node:path';
import type { Test } from 'tap';
import type { CoreV1Api, StorageV1Api, AppsV1Api, V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { startCluster } from '../../../harness/cluster.ts';
import { clusterChoice } from '../../../harness/cluster-choice.ts';
import type { Cluster } from '../../../harness/cluster.ts';
import { makeControllerClients } from '../../../harness/controllers/kube-clients.ts';
import { startNfsServer } from '../../../harness/nfs/index.ts';
import type { NfsServer, SquashMode } from '../../../harness/nfs/index.ts';
import { startProvisioner } from '../../../harness/provisioner-process.ts';
import type { ProvisionerProcess } from '../../../harness/provisioner-process.ts';
import { until } from './until.ts';

export const DIRECTORY_ANNOTATION = 'nfs-provisioner.dev/directory';
export const ON_DELETE_ANNOTATION = 'nfs-provisioner.dev/on-delete';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';


export interface NfsWorldOptions {
  provisionerName?: string;
  squash?: SquashMode;
  /** Directories (and files) to lay out in the export before the server starts. */
  exportFixture?: Parameters<Test['testdir']>[0];
  /** false: start no provisioner (static volumes only). */
  provisioner?: boolean;
  /** The provisioner's NFS_PATH (default the pseudo path) ... */
  nfsPath?: string;
  /** ... and the directory of the export mounted at its NFS_MOUNT_PATH (default the export's root). */
  mountSubdir?: string;
  /** Extra environment for the provisioner (e.g. USAGE_INTERVAL). */
  provisionerEnv?: Record<string, string>;
}

export interface NfsWorld {
  nfs: NfsServer;
  cluster: Cluster;
  provisioner: ProvisionerProcess | undefined;
  provisionerName: string;
  /** The exported directory as a real path: what the provisioner sees as NFS_MOUNT_PATH. */
  exportDir: string;
  /** The provisioner's NFS_PATH. */
  nfsPath: string;
  core: CoreV1Api;
  storage: StorageV1Api;
  apps: AppsV1Api;
  createClass(name: string, parameters?: Record<string, string>, opts?: { isDefault?: boolean; reclaimPolicy?: 'Delete' | 'Retain' }): Promise<void>;
  createClaim(name: string, opts?: { storageClassName?: string; accessModes?: string[]; storage?: string; volumeName?: string; namespace?: string }): Promise<V1PersistentVolumeClaim>;
  /** Waits until the claim is Bound and its PV is Bound to it; both as last read. */
  waitBound(name: string, namespace?: string): Promise<{ claim: V1PersistentVolumeClaim; pv: V1PersistentVolume }>;
  waitPvGone(name: string): Promise<void>;
  waitPvPhase(name: string, phase: string): Promise<V1PersistentVolume>;
  deleteClaim(name: string, namespace?: string): Promise<void>;
}

export async function startNfsWorld(t: Test, opts: NfsWorldOptions = {}): Promise<NfsWorld> {
  const provisionerName = opts.provisionerName ?? 'e2e.nfs-provisioner.dev/nfs';
  const dir = t.testdir(opts.exportFixture ?? {});
  const [nfs, cluster] = await Promise.all([
    startNfsServer({ exportDir: dir, ...(opts.squash !== undefined ? { squash: opts.squash } : {}) }),
    startCluster({ kind: clusterChoice().kind }),
  ]);
  t.teardown(() => nfs.stop());
  t.teardown(() => cluster.stop());

  const nfsPath = opts.nfsPath ?? nfs.nfsPath();
  let provisioner: ProvisionerProcess | undefined;
  if (opts.provisioner !== false) {
    const identity = await cluster.provisionerIdentity();
    provisioner = await startProvisioner({
      kubeconfigPath: identity.kubeconfigPath,
      env: { POD_NAMESPACE: identity.namespace },
      exportDir: opts.mountSubdir !== undefined ? join(nfs.exportDir, opts.mountSubdir) : nfs.exportDir,
      provisionerName,
      nfsServer: nfs.server,
      nfsPath,
      ...(opts.provisionerEnv !== undefined ? { env: opts.provisionerEnv } : {}),
    });
    const running = provisioner;
    // Registered after the cluster's, so it runs first (tap runs teardowns last in, first out).
    t.teardown(async () => {
      await running.stop();
    });
    await provisioner.waitReady();
  }

  const { core, storage, apps } = makeControllerClients(cluster.kubeconfigPath, 'e2e-nfs-test');

  const readClaim = (name: string, namespace: string): Promise<V1PersistentVolumeClaim> =>
    core.readNamespacedPersistentVolumeClaim({ name, namespace });
  const readPv = async (name: string): Promise<V1PersistentVolume | undefined> =>
    (await core.listPersistentVolume()).items.find((v) => v.metadata?.name === name);

  return {
    nfs,
    cluster,
    provisioner,
    provisionerName,
    exportDir: nfs.exportDir,
    nfsPath,
    core,
    storage,
    apps,
    async createClass(name, parameters, copts = {}) {
      await storage.createStorageClass({
        body: {
          metadata: { name, ...(copts.isDefault === true ? { annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } } : {}) },
          provisioner: provisionerName,
          ...(parameters !== undefined ? { parameters } : {}),
          ...(copts.reclaimPolicy !== undefined ? { reclaimPolicy: copts.reclaimPolicy } : {}),
        },
      });
    },
    createClaim(name, copts = {}) {
      return core.createNamespacedPersistentVolumeClaim({
        namespace: copts.namespace ?? 'default',
        body: {
          metadata: { name },
          spec: {
            accessModes: copts.accessModes ?? ['ReadWriteMany'],
            resources: { requests: { storage: copts.storage ?? '1Mi' } },
            ...(copts.storageClassName !== undefined ? { storageClassName: copts.storageClassName } : {}),
            ...(copts.volumeName !== undefined ? { volumeName: copts.volumeName } : {}),
          },
        },
      });
    },
    async waitBound(name, namespace = 'default') {
      return until(`claim ${namespace}/${name} and its PV to be Bound`, async () => {
        const claim = await readClaim(name, namespace);
        const volumeName = claim.spec?.volumeName;
        if (claim.status?.phase !== 'Bound' || volumeName === undefined) return undefined;
        const pv = await readPv(volumeName);
        if (pv?.status?.phase !== 'Bound' || pv.spec?.claimRef?.uid !== claim.metadata?.uid) return undefined;
        return { claim, pv };
      });
    },
    async waitPvGone(name) {
      await until(`PV ${name} to be deleted`, async () => ((await readPv(name)) === undefined ? true : undefined));
    },
    waitPvPhase(name, phase) {
      return until(`PV ${name} to be ${phase}`, async () => {
        const pv = await readPv(name);
        return pv?.status?.phase === phase ? pv : undefined;
      });
    },
    async deleteClaim(name, namespace = 'default') {
      await core.deleteNamespacedPersistentVolumeClaim({ name, namespace });
      await until(`claim ${namespace}/${name} to be gone`, async () => {
        const left = await core.listNamespacedPersistentVolumeClaim({ namespace });
        return left.items.some((c) => c.metadata?.name === name) ? undefined : true;
      });
    },
  };
}
