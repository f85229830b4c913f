// Shared caches of the resources the stand-ins read, one list+watch per resource however many
// controllers subscribe (as kube-controller-manager's shared informer factory). A reflector starts
// only when some controller asked for its resource.
import type {
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StatefulSet,
  V1StorageClass,
} from '@kubernetes/client-node';
import type { ControllerClients } from './kube-clients.ts';
import { startReflector } from './reflector.ts';
import type { ChangeType, KubeObject, ListResult, Reflector } from './reflector.ts';

export type ChangeHandler<T> = (type: ChangeType, obj: T, old: T | undefined) => void;

export interface Informer<T extends KubeObject> {
  /** Subscribes a handler; also marks the resource as needed so start() watches it. */
  on(handler: ChangeHandler<T>): void;
  /** Called after each (re)list: controllers resync everything then. */
  onSynced(handler: () => void): void;
  get(key: string): T | undefined;
  list(): T[];
  remember(obj: T): void;
}

export interface SharedInformers {
  claims: Informer<V1PersistentVolumeClaim>;
  volumes: Informer<V1PersistentVolume>;
  classes: Informer<V1StorageClass>;
  pods: Informer<V1Pod>;
  statefulSets: Informer<V1StatefulSet>;
  start(): void;
  /** Resolves once every started informer has listed. */
  synced(): Promise<void>;
  stop(): void;
}

interface LazyInformer<T extends KubeObject> extends Informer<T> {
  start(): void;
  synced(): Promise<void>;
  stop(): void;
}

function lazyInformer<T extends KubeObject>(
  clients: ControllerClients,
  path: string,
  list: () => Promise<ListResult<T>>,
  onError: (err: unknown) => void,
): LazyInformer<T> {
  const handlers: ChangeHandler<T>[] = [];
  const syncHandlers: (() => void)[] = [];
  let reflector: Reflector<T> | undefined;
  return {
    on: (h) => void handlers.push(h),
    onSynced: (h) => void syncHandlers.push(h),
    get: (key) => reflector?.get(key),
    list: () => reflector?.list() ?? [],
    remember: (obj) => reflector?.remember(obj),
    start() {
      if (reflector || (handlers.length === 0 && syncHandlers.length === 0)) return;
      reflector = startReflector<T>({
        path,
        list,
        watch: clients.watch,
        onChange: (type, obj, old) => {
          for (const h of handlers) h(type, obj, old);
        },
        onSynced: () => {
          for (const h of syncHandlers) h();
        },
        onError,
      });
    },
    synced: () => reflector?.synced ?? Promise.resolve(),
    stop: () => reflector?.stop(),
  };
}

export function createSharedInformers(clients: ControllerClients, onError: (err: unknown) => void = () => undefined): SharedInformers {
  const { core, storage, apps } = clients;
  const claims = lazyInformer<V1PersistentVolumeClaim>(clients, '/api/v1/persistentvolumeclaims', () => core.listPersistentVolumeClaimForAllNamespaces(), onError);
  const volumes = lazyInformer<V1PersistentVolume>(clients, '/api/v1/persistentvolumes', () => core.listPersistentVolume(), onError);
  const classes = lazyInformer<V1StorageClass>(clients, '/apis/storage.k8s.io/v1/storageclasses', () => storage.listStorageClass(), onError);
  const pods = lazyInformer<V1Pod>(clients, '/api/v1/pods', () => core.listPodForAllNamespaces(), onError);
  const statefulSets = lazyInformer<V1StatefulSet>(clients, '/apis/apps/v1/statefulsets', () => apps.listStatefulSetForAllNamespaces(), onError);
  const all = [claims, volumes, classes, pods, statefulSets];
  return {
    claims,
    volumes,
    classes,
    pods,
    statefulSets,
    start: () => all.forEach((i) => i.start()),
    synced: async () => {
      await Promise.all(all.map((i) => i.synced()));
    },
    stop: () => all.forEach((i) => i.stop()),
  };
}
