// What the informer caches keep of each object. managedFields (server-side apply bookkeeping) is
// often the largest part of a claim or volume in a real cluster, and nothing here reads it, so it
// is dropped before caching; everything else stays (pathPattern may use any label or annotation).
// The metadata is rebuilt rather than `delete`d from: deleting a property turns an object into a
// dictionary-mode one in V8, about 600 bytes more per cached object.
import type { KubernetesObject } from '@kubernetes/client-node';

export function withoutManagedFields<T extends KubernetesObject>(object: T): T {
  if (object.metadata?.managedFields === undefined) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  object.metadata = metadata;
  return object;
}
