// DefaultStorageClass admission: a claim created without spec.storageClassName (and without the
// legacy beta annotation) gets the default class. With several defaults, the newest wins
// (Kubernetes 1.28+), ties broken by name. An explicit "" means "no class" and is left alone.
import type { AdmissionPlugin } from './types.ts';
import type { KubeObject } from '../json.ts';
import { isObject } from '../json.ts';

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';
export const LEGACY_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export function isDefaultClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

// The default class among `classes`, or undefined.
export function pickDefaultClass(classes: readonly KubeObject[]): KubeObject | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta > tb ? -1 : 1;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  return defaults[0];
}

export const defaultStorageClass: AdmissionPlugin = {
  name: 'DefaultStorageClass',
  admit({ operation, resource, object, store, registry }) {
    if (operation !== 'CREATE' || resource.kind !== 'PersistentVolumeClaim' || resource.group !== '') return;
    if (object.metadata.annotations?.[LEGACY_CLASS_ANNOTATION] !== undefined) return;
    const spec = object['spec'];
    if (!isObject(spec)) return;
    if (spec['storageClassName'] !== undefined && spec['storageClassName'] !== null) return;
    const scType = registry.get('storage.k8s.io', 'v1', 'storageclasses');
    if (!scType) return;
    const chosen = pickDefaultClass(store.list(scType, ''));
    if (chosen?.metadata.name) spec['storageClassName'] = chosen.metadata.name;
  },
};
