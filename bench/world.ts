// A fresh world per scenario: harness cluster (API server + control-plane stand-ins), an empty
// export directory, the StorageClass, the bench's own API client (User-Agent nfs-bench) and the
// tracker's watches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1StorageClass } from '@kubernetes/client-node';
import { startCluster } from '../harness/cluster.ts';
import type { Cluster } from '../harness/cluster.ts';
import { makeControllerClients } from '../harness/controllers/kube-clients.ts';
import type { ControllerClients } from '../harness/controllers/kube-clients.ts';
import { Tracker } from './tracker.ts';

export const BENCH_USER_AGENT = 'nfs-bench';
export const PROVISIONER_NAME = 'bench.nfs-provisioner.dev/nfs';
export const CLASS_NAME = 'bench-nfs';
export const NAMESPACE = 'default';

export interface World {
  cluster: Cluster;
  exportDir: string;
  clients: ControllerClients;
  tracker: Tracker;
  notes: string[];
  stop(): Promise<void>;
}

export async function startWorld(opts: { withClass?: boolean; historySize?: number } = {}): Promise<World> {
  const cluster = await startCluster({ historySize: opts.historySize ?? 200_000 });
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
  try {
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
  return {
    cluster,
    exportDir,
    clients,
    tracker,
    notes,
    stop: async () => {
      tracker.stop();
      await cluster.stop();
      rmSync(exportDir, { recursive: true, force: true });
    },
  };
}
