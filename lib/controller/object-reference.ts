// The involved object of an event: a claim or a volume as the API names it, with its uid and
// resourceVersion when known (kubectl describe matches events to the object by them).
import type { V1ObjectReference, V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';

export function claimReference(claim: V1PersistentVolumeClaim): V1ObjectReference {
  const m = claim.metadata ?? {};
  return {
    kind: 'PersistentVolumeClaim',
    apiVersion: 'v1',
    namespace: m.namespace ?? '',
    name: m.name ?? '',
    ...(m.uid === undefined ? {} : { uid: m.uid }),
    ...(m.resourceVersion === undefined ? {} : { resourceVersion: m.resourceVersion }),
  };
}

export function volumeReference(pv: V1PersistentVolume): V1ObjectReference {
  const m = pv.metadata ?? {};
  return {
    kind: 'PersistentVolume',
    apiVersion: 'v1',
    name: m.name ?? '',
    ...(m.uid === undefined ? {} : { uid: m.uid }),
    ...(m.resourceVersion === undefined ? {} : { resourceVersion: m.resourceVersion }),
  };
}
