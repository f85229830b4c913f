// LeaseApi bound to one Lease through client-node's CoordinationV1Api.
import type { V1Lease } from '@kubernetes/client-node';
import { isNotFound } from './api-errors.ts';
import type { KubeClients } from './client.ts';
import type { LeaseApi } from './leader-elector.ts';

export function leaseApi(clients: KubeClients, namespace: string, name: string): LeaseApi {
  const api = clients.coordination;
  return {
    async get(signal): Promise<V1Lease | undefined> {
      try {
        return await clients.runWithSignal(signal, () => api.readNamespacedLease({ name, namespace }));
      } catch (error: unknown) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    create: (lease, signal) => clients.runWithSignal(signal, () => api.createNamespacedLease({ namespace, body: lease })),
    replace: (lease, signal) => clients.runWithSignal(signal, () => api.replaceNamespacedLease({ name, namespace, body: lease })),
  };
}
