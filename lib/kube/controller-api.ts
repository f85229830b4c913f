// The controller's API writes on client-node (see lib/controller/controller-api.ts). Events go at
// low priority through the rate limit so PVs are never queued behind them.
import type { CoreV1Event, V1PersistentVolume } from '@kubernetes/client-node';
import type { ControllerApi } from '../controller/controller-api.ts';
import { apiErrorMessage, isNotFound, StatusError } from './api-errors.ts';
import type { KubeClients } from './client.ts';

export function controllerApi(clients: KubeClients): ControllerApi {
  const core = clients.core;
  return {
    async createVolume(pv, signal): Promise<void> {
      await clients.runWithSignal(signal, () => core.createPersistentVolume({ body: pv }));
    },
    async deleteVolume(name, uid, signal): Promise<void> {
      try {
        await clients.runWithSignal(signal, () => core.deletePersistentVolume({ name, body: { preconditions: { uid } } }));
      } catch (error: unknown) {
        if (!isNotFound(error)) throw error;
      }
    },
    async removeVolumeFinalizer(pv: V1PersistentVolume, finalizer, signal): Promise<void> {
      const finalizers = pv.metadata?.finalizers ?? [];
      const index = finalizers.indexOf(finalizer);
      if (index < 0) return;
      const name = pv.metadata?.name ?? '';
      // JSON patch with a test: removes exactly our entry, or fails if the list moved (retried
      // later from the updated cache) - never drops someone else's finalizer.
      const body = [
        { op: 'test', path: `/metadata/finalizers/${index}`, value: finalizer },
        { op: 'remove', path: `/metadata/finalizers/${index}` },
      ];
      try {
        await clients.runWithSignal(signal, () => core.patchPersistentVolume({ name, body }));
      } catch (error: unknown) {
        if (isNotFound(error)) return;
        if (error instanceof Error && 'code' in error && error.code === 422) {
          throw new StatusError(422, `finalizer list of ${name} changed; retrying from the updated cache (${apiErrorMessage(error)})`);
        }
        throw error;
      }
    },
    async createEvent(namespace, event: CoreV1Event): Promise<void> {
      await clients.runLowPriority(() => core.createNamespacedEvent({ namespace, body: event }));
    },
    async updateEventSeries(namespace, name, count, lastTimestamp): Promise<void> {
      const body = [
        { op: 'replace', path: '/count', value: count },
        { op: 'replace', path: '/lastTimestamp', value: lastTimestamp.toISOString() },
      ];
      await clients.runLowPriority(() => core.patchNamespacedEvent({ name, namespace, body }));
    },
  };
}
