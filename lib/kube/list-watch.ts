// ListWatchSource implementations on client-node: paged lists through the generated clients and
// watches through Watch (both pass the gate of client.ts: User-Agent, rate limit).
import type { KubernetesObject, V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import { Watch } from '@kubernetes/client-node';
import type { KubeClients } from './client.ts';
import type { ListPage, ListWatchSource } from './informer.ts';

interface ListLike<T> {
  items: T[];
  metadata?: { resourceVersion?: string; _continue?: string };
}

type Lister<T> = (options: { limit: number; continue?: string }) => Promise<ListLike<T>>;

/** client-go's reflector: server-side watch timeouts spread over 5-10 minutes. */
function watchTimeoutSeconds(): number {
  return Math.floor(300 * (1 + Math.random()));
}

export function listWatchSource<T extends KubernetesObject>(clients: KubeClients, path: string, lister: Lister<T>): ListWatchSource<T> {
  return {
    async list(options, signal): Promise<ListPage<T>> {
      const page = await clients.runWithSignal(signal, () => lister(options));
      const next = page.metadata?._continue;
      return {
        items: page.items,
        resourceVersion: page.metadata?.resourceVersion ?? '',
        ...(next === undefined || next === '' ? {} : { continue: next }),
      };
    },
    watch(resourceVersion, onEvent, signal): Promise<void> {
      const timeoutSeconds = watchTimeoutSeconds();
      const watch = new Watch(clients.kubeConfig);
      // Watch aborts a watch that is quiet for requestTimeoutMs (30 s by default, private); a quiet
      // cluster is normal, so let the server's timeoutSeconds end it instead.
      Object.assign(watch, { requestTimeoutMs: (timeoutSeconds + 30) * 1000 });
      return new Promise<void>((resolve, reject) => {
        let request: AbortController | undefined;
        let settled = false;
        const finish = (error: unknown): void => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) reject(signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
          else if (error === null || error === undefined) resolve();
          else reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        };
        // Settle at once on abort: Watch hands out its AbortController only after the response
        // headers arrived, which a quiet server may hold back until the first event.
        const onAbort = (): void => {
          request?.abort();
          finish(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        watch
          .watch(
            path,
            { resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
            (type: string, object: unknown) => {
              if (!settled) onEvent(type, object);
            },
            (error: unknown) => finish(error),
          )
          .then((controller) => {
            request = controller;
            if (settled) controller.abort();
          }, finish);
      });
    },
  };
}

export function claimSource(clients: KubeClients): ListWatchSource<V1PersistentVolumeClaim> {
  return listWatchSource(clients, '/api/v1/persistentvolumeclaims', (o) =>
    clients.core.listPersistentVolumeClaimForAllNamespaces({ limit: o.limit, ...(o.continue === undefined ? {} : { _continue: o.continue }) }),
  );
}

export function volumeSource(clients: KubeClients): ListWatchSource<V1PersistentVolume> {
  return listWatchSource(clients, '/api/v1/persistentvolumes', (o) =>
    clients.core.listPersistentVolume({ limit: o.limit, ...(o.continue === undefined ? {} : { _continue: o.continue }) }),
  );
}

export function storageClassSource(clients: KubeClients): ListWatchSource<V1StorageClass> {
  return listWatchSource(clients, '/apis/storage.k8s.io/v1/storageclasses', (o) =>
    clients.storage.listStorageClass({ limit: o.limit, ...(o.continue === undefined ? {} : { _continue: o.continue }) }),
  );
}
