// What the scheduler does for a WaitForFirstConsumer claim once its Pod has a node: set
// volume.kubernetes.io/selected-node. Tests and the sandbox call this instead of running Pods.
import type { CoreV1Api, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { isConflict } from './api-errors.ts';
import { ANN_SELECTED_NODE } from './well-known.ts';

export async function markScheduled(client: CoreV1Api, namespace: string, claimName: string, nodeName: string): Promise<V1PersistentVolumeClaim> {
  // Read-modify-write with the resourceVersion, retried on conflict (another writer got there first).
  for (let attempt = 0; ; attempt++) {
    const claim = await client.readNamespacedPersistentVolumeClaim({ name: claimName, namespace });
    if (claim.metadata?.annotations?.[ANN_SELECTED_NODE] === nodeName) return claim;
    claim.metadata = { ...claim.metadata, annotations: { ...claim.metadata?.annotations, [ANN_SELECTED_NODE]: nodeName } };
    try {
      return await client.replaceNamespacedPersistentVolumeClaim({ name: claimName, namespace, body: claim });
    } catch (err: unknown) {
      if (!isConflict(err) || attempt >= 10) throw err;
    }
  }
}
