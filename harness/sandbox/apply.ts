// Creates the sandbox's objects through the API (as `kubectl create` would); an object that already
// exists (a sandbox restarted on the same API server) is left as it is.
import type { AppsV1Api, CoreV1Api, StorageV1Api, V1StorageClass } from '@kubernetes/client-node';
import { isAlreadyExists } from '../controllers/api-errors.ts';
import type { ManifestObject } from './objects.ts';

export interface ApplyClients {
  core: CoreV1Api;
  storage: StorageV1Api;
  apps: AppsV1Api;
}

/** Returns "kind/name" of each object created. */
export async function createObjects(clients: ApplyClients, objects: ManifestObject[], namespace = 'default'): Promise<string[]> {
  const created: string[] = [];
  for (const obj of objects) {
    const ns = obj.metadata.namespace ?? namespace;
    try {
      switch (obj.kind) {
        case 'StorageClass':
          await clients.storage.createStorageClass({ body: obj as unknown as V1StorageClass });
          break;
        case 'PersistentVolumeClaim':
          await clients.core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: obj });
          break;
        case 'Service':
          await clients.core.createNamespacedService({ namespace: ns, body: obj });
          break;
        case 'StatefulSet':
          await clients.apps.createNamespacedStatefulSet({ namespace: ns, body: obj });
          break;
        default:
          throw new Error(`the sandbox does not apply ${obj.kind} objects`);
      }
      created.push(`${obj.kind.toLowerCase()}/${obj.metadata.name}`);
    } catch (err: unknown) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  return created;
}
