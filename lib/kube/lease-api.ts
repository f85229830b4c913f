// LeaseApi bound to one coordination.k8s.io/v1 Lease.
import type { V1Lease } from '@kubernetes/client-node';
import { isNotFound } from './api-errors.ts';
import type { LeaseApi } from './leader-elector.ts';
import type { RestClient } from './rest-client.ts';

export function leaseApi(client: RestClient, namespace: string, name: string): LeaseApi {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const object = `${collection}/${encodeURIComponent(name)}`;
  return {
    async get(signal): Promise<V1Lease | undefined> {
      try {
        return await client.request<V1Lease>({ method: 'GET', path: object, signal });
      } catch (error: unknown) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    create: (lease, signal) => client.request<V1Lease>({ method: 'POST', path: collection, body: lease, signal }),
    replace: (lease, signal) => client.request<V1Lease>({ method: 'PUT', path: object, body: lease, signal }),
  };
}
