// PatchApi (lib/controller/patch-api.ts) on the REST client: JSON merge patches of PVs and of the
// claim status subresource (RBAC: persistentvolumes patch, persistentvolumeclaims/status patch).
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { PatchApi } from '../controller/patch-api.ts';
import type { RestClient } from './rest-client.ts';

const MERGE_PATCH = 'application/merge-patch+json';

export function patchApi(client: RestClient): PatchApi {
  return {
    patchVolume(name, patch, signal, lowPriority = false): Promise<V1PersistentVolume> {
      return client.request<V1PersistentVolume>({
        method: 'PATCH',
        path: `/api/v1/persistentvolumes/${encodeURIComponent(name)}`,
        body: patch,
        contentType: MERGE_PATCH,
        signal,
        lowPriority,
      });
    },
    patchClaimStatus(namespace, name, patch, signal): Promise<V1PersistentVolumeClaim> {
      return client.request<V1PersistentVolumeClaim>({
        method: 'PATCH',
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims/${encodeURIComponent(name)}/status`,
        body: patch,
        contentType: MERGE_PATCH,
        signal,
      });
    },
  };
}
