// Shared by the controller tests: a cluster with the stand-ins, a test client with its own
// User-Agent, and a poll-until helper (controllers are asynchronous; tests wait for outcomes).
import type { Test } from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCluster } from '../../../harness/cluster.ts';
import type { Cluster, ClusterControllerOptions } from '../../../harness/cluster.ts';
import { makeControllerClients } from '../../../harness/controllers/kube-clients.ts';
import type { ControllerClients } from '../../../harness/controllers/kube-clients.ts';

export interface Fixture {
  cluster: Cluster;
  api: ControllerClients;
}

export async function clusterFixture(t: Test, controllers: ClusterControllerOptions | boolean = true, historySize?: number): Promise<Fixture> {
  const cluster = await startCluster({ controllers, ...(historySize !== undefined ? { historySize } : {}) });
  t.teardown(() => cluster.stop());
  const api = makeControllerClients(cluster.kubeconfigPath, 'controller-test');
  return { cluster, api };
}

/** Polls fn until it returns a value other than undefined/false; fails with `what` after timeoutMs. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err: unknown) {
      lastErr = err;
    }
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}${lastErr instanceof Error ? ` (last error: ${lastErr.message})` : ''}`);
}

/** Lets the controllers settle, then resolves: for asserting that something did NOT happen. */
export async function settle(f: Fixture, ms = 300): Promise<void> {
  await sleep(ms);
  await f.cluster.controllers?.idle();
}
