// Shared by the end-to-end tests: a harness cluster, an export directory (and a second one, for
// tests of several exports, given to the provisioner only through an exports file) with a sentinel tree
// beside them (snapshotted at the start, compared byte for byte at the end: nothing outside the
// export may change), the real provisioner as a child process, and waits on conditions (short
// polls, never fixed sleeps).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import { stringify } from 'yaml';
import type {
  AppsV1Api,
  CoreV1Api,
  CoreV1Event,
  StorageV1Api,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1StorageClass,
} from '@kubernetes/client-node';
import { startCluster } from '../../../harness/cluster.ts';
import type { Cluster } from '../../../harness/cluster.ts';
import { clusterChoice } from '../../../harness/cluster-choice.ts';
import { makeControllerClients } from '../../../harness/controllers/kube-clients.ts';
import { startProvisioner } from '../../../harness/provisioner-process.ts';
import type { ProvisionerProcess, StartProvisionerOptions } from '../../../harness/provisioner-process.ts';
import { listTree, snapshotTree } from './tree-snapshot.ts';
import type { TreeSnapshot } from './tree-snapshot.ts';

export const PROVISIONER_UA = /^nfs-provisioner-ts\//;
export const DIRECTORY_ANNOTATION = 'nfs-provisioner.dev/directory';
export const EXPORT_ANNOTATION = 'nfs-provisioner.dev/export';
export const ON_DELETE_ANNOTATION = 'nfs-provisioner.dev/on-delete';
export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const PV_FINALIZER = 'external-provisioner.volume.kubernetes.io/finalizer';

/** Polls probe every intervalMs until it returns something other than undefined/false. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error: unknown) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? ` (last error: ${lastError.message})` : ''}`);
    }
    await sleep(intervalMs);
  }
}

export interface ClaimSpecOptions {
  namespace?: string;
  storageClassName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  accessModes?: string[];
  storage?: string;
  extraSpec?: Partial<NonNullable<V1PersistentVolumeClaim['spec']>>;
}

/** One entry of an exports file, as an operator writes it. */
export interface ExportEntry {
  name: string;
  server: string;
  path: string;
  mountPath: string;
  provisionerNames?: string[];
  fsTimeout?: string;
  fsConcurrency?: number;
}

export interface E2E {
  cluster: Cluster;
  core: CoreV1Api;
  storage: StorageV1Api;
  apps: AppsV1Api;
  /** The directory holding export/, export-b/ and sentinel/. */
  root: string;
  exportDir: string;
  /** A second export directory; the provisioner serves it once an exports file names it. */
  secondExportDir: string;
  /** Writes an exports file (NFS_EXPORTS_FILE) in root and returns its path. */
  writeExportsFile(exports: readonly ExportEntry[]): string;
  sentinelDir: string;
  provisionerName: string;
  /** Namespace the provisioner runs in (its Lease lives there). */
  provisionerNamespace: string;
  /** Starts the real provisioner (torn down with the test) and waits for /readyz. On the real
   * control plane it runs with its ServiceAccount's token and the shipped RBAC. */
  provisioner(opts?: Partial<StartProvisionerOptions>, waitReady?: boolean): Promise<ProvisionerProcess>;
  createClass(name: string, parameters?: Record<string, string>, extra?: Partial<V1StorageClass>): Promise<V1StorageClass>;
  createClaim(name: string, opts?: ClaimSpecOptions): Promise<V1PersistentVolumeClaim>;
  /** Waits until the claim is Bound and its PV exists; returns both. */
  waitBound(name: string, namespace?: string, timeoutMs?: number): Promise<{ claim: V1PersistentVolumeClaim; pv: V1PersistentVolume }>;
  waitPvGone(pvName: string, timeoutMs?: number): Promise<void>;
  readPv(pvName: string): Promise<V1PersistentVolume | undefined>;
  deleteClaim(name: string, namespace?: string): Promise<void>;
  events(filter: { name?: string; namespace?: string; reason?: string; kind?: string }): Promise<CoreV1Event[]>;
  waitEvent(filter: { name: string; namespace?: string; reason: string; kind?: string }, timeoutMs?: number): Promise<CoreV1Event>;
  /** Every path below the export, or the given directory (the provisioner's short-lived probe file left out). */
  exportTree(dir?: string): Promise<string[]>;
  /** Asserts the sentinel beside the export is byte-identical to its snapshot from the start. */
  checkSentinel(t: Test): Promise<void>;
}

/** A tree that must never change: files, a nested directory, a file named like an attack target. */
function plantSentinel(dir: string): void {
  mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
  writeFileSync(join(dir, 'secret.txt'), 'do not touch\n');
  writeFileSync(join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(join(dir, 'nested', 'deeper', 'data.bin'), Buffer.from([0, 1, 2, 3, 255]));
  mkdirSync(join(dir, 'victim'));
}

/** The file the provisioner's export probe writes and removes every few seconds. */
export function isProbeFile(relative: string): boolean {
  return /^\.nfs-provisioner-probe-/.test(relative);
}

export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 404;
}

export async function setupE2E(t: Test, opts: { provisionerName?: string } = {}): Promise<E2E> {
  const cluster = await startCluster({ kind: clusterChoice().kind });
  t.teardown(() => cluster.stop());
  const identity = await cluster.provisionerIdentity();
  const clients = makeControllerClients(cluster.kubeconfigPath, 'e2e-test');
  const { core, storage, apps } = clients;
  const root = t.testdir({ export: {}, 'export-b': {}, sentinel: {} });
  const exportDir = join(root, 'export');
  const secondExportDir = join(root, 'export-b');
  const sentinelDir = join(root, 'sentinel');
  plantSentinel(sentinelDir);
  const before: TreeSnapshot = await snapshotTree(sentinelDir);
  const provisionerName = opts.provisionerName ?? 'e2e.nfs-provisioner.dev/nfs';

  const readPv = async (pvName: string): Promise<V1PersistentVolume | undefined> => {
    try {
      return await core.readPersistentVolume({ name: pvName });
    } catch (error: unknown) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };

  const events = async (filter: { name?: string; namespace?: string; reason?: string; kind?: string }): Promise<CoreV1Event[]> => {
    const list = await core.listNamespacedEvent({ namespace: filter.namespace ?? 'default' });
    return list.items.filter(
      (e) =>
        (filter.name === undefined || e.involvedObject.name === filter.name) &&
        (filter.reason === undefined || e.reason === filter.reason) &&
        (filter.kind === undefined || e.involvedObject.kind === filter.kind),
    );
  };

  const e2e: E2E = {
    cluster,
    core,
    storage,
    apps,
    root,
    exportDir,
    secondExportDir,
    sentinelDir,
    provisionerName,
    provisionerNamespace: identity.namespace,
    writeExportsFile(exports) {
      const path = join(root, 'exports.yaml');
      writeFileSync(path, stringify({ exports }));
      return path;
    },
    async provisioner(popts = {}, waitReady = true) {
      const proc = await startProvisioner({
        kubeconfigPath: identity.kubeconfigPath,
        exportDir,
        provisionerName,
        ...popts,
        env: { POD_NAMESPACE: identity.namespace, ...popts.env },
      });
      t.teardown(async () => {
        await proc.stop('SIGTERM', 5000);
      });
      if (waitReady) await proc.waitReady(30_000);
      return proc;
    },
    createClass(name, parameters, extra = {}) {
      return storage.createStorageClass({
        body: {
          apiVersion: 'storage.k8s.io/v1',
          kind: 'StorageClass',
          metadata: { name },
          provisioner: provisionerName,
          ...(parameters ? { parameters } : {}),
          ...extra,
        },
      });
    },
    createClaim(name, c = {}) {
      return core.createNamespacedPersistentVolumeClaim({
        namespace: c.namespace ?? 'default',
        body: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name,
            ...(c.labels ? { labels: c.labels } : {}),
            ...(c.annotations ? { annotations: c.annotations } : {}),
          },
          spec: {
            accessModes: c.accessModes ?? ['ReadWriteMany'],
            resources: { requests: { storage: c.storage ?? '1Mi' } },
            ...(c.storageClassName === undefined ? {} : { storageClassName: c.storageClassName }),
            ...c.extraSpec,
          },
        },
      });
    },
    async waitBound(name, namespace = 'default', timeoutMs = 15_000) {
      return eventually(`claim ${namespace}/${name} to be Bound`, async () => {
        const claim = await core.readNamespacedPersistentVolumeClaim({ name, namespace });
        if (claim.status?.phase !== 'Bound' || !claim.spec?.volumeName) return undefined;
        const pv = await readPv(claim.spec.volumeName);
        return pv ? { claim, pv } : undefined;
      }, timeoutMs);
    },
    async waitPvGone(pvName, timeoutMs = 15_000) {
      await eventually(`PV ${pvName} to be deleted`, async () => (await readPv(pvName)) === undefined, timeoutMs);
    },
    readPv,
    async deleteClaim(name, namespace = 'default') {
      await core.deleteNamespacedPersistentVolumeClaim({ name, namespace });
    },
    events,
    async waitEvent(filter, timeoutMs = 15_000) {
      return eventually(`event ${filter.reason} on ${filter.name}`, async () => (await events(filter))[0], timeoutMs);
    },
    async exportTree(dir = exportDir) {
      return (await listTree(dir)).filter((p) => !isProbeFile(p));
    },
    async checkSentinel(tt) {
      const after = await snapshotTree(sentinelDir);
      tt.same(after, before, 'the sentinel beside the export is byte-identical (nothing outside the export was touched)');
    },
  };
  return e2e;
}

/** Sum of Event.count over events (an aggregated repeat counts as many). */
export function eventCount(events: readonly CoreV1Event[]): number {
  return events.reduce((n, e) => n + (e.count ?? 1), 0);
}
