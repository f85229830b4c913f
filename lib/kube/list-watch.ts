// ListWatchSource implementations on the REST client: paged lists and watches of one resource.
// Both pass the client's gate (User-Agent, credentials, rate limit, abort).
import type { KubernetesObject, V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { ListPage, ListWatchSource } from './informer.ts';
import type { RestClient } from './rest-client.ts';

interface ListBody<T> {
  items?: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** client-go's reflector: server-side watch timeouts spread over 5-10 minutes. */
function watchTimeoutSeconds(): number {
  return Math.floor(300 * (1 + Math.random()));
}

export function listWatchSource<T extends KubernetesObject>(client: RestClient, path: string): ListWatchSource<T> {
  return {
    async list(options, signal): Promise<ListPage<T>> {
      const page = await client.request<ListBody<T>>({ method: 'GET', path, query: { limit: options.limit, continue: options.continue }, signal });
      const next = page.metadata?.continue;
      return {
        items: page.items ?? [],
        resourceVersion: page.metadata?.resourceVersion ?? '',
        ...(next === undefined || next === '' ? {} : { continue: next }),
      };
    },
    watch(resourceVersion, onEvent, signal): Promise<void> {
      const timeoutSeconds = watchTimeoutSeconds();
      // A quiet cluster is normal: the server's timeoutSeconds ends the watch; the idle bound only
      // catches a connection that died without closing.
      return client.watch(
        path,
        { resourceVersion: resourceVersion === '' ? undefined : resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
        onEvent,
        signal,
        (timeoutSeconds + 30) * 1000,
      );
    },
  };
}

export function claimSource(client: RestClient): ListWatchSource<V1PersistentVolumeClaim> {
  return listWatchSource(client, '/api/v1/persistentvolumeclaims');
}

export function volumeSource(client: RestClient): ListWatchSource<V1PersistentVolume> {
  return listWatchSource(client, '/api/v1/persistentvolumes');
}

export function storageClassSource(client: RestClient): ListWatchSource<V1StorageClass> {
  return listWatchSource(client, '/apis/storage.k8s.io/v1/storageclasses');
}
