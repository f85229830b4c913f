// The API writes the controller makes; everything it reads comes from informer caches.
// lib/kube/controller-api.ts implements it on the REST client; tests use a fake.
import type { CoreV1Event, V1PersistentVolume } from '@kubernetes/client-node';

export interface ControllerApi {
  /** Creates the PV; rejects with a 409 error when it exists. */
  createVolume(pv: V1PersistentVolume, signal: AbortSignal): Promise<void>;
  /** Deletes the PV (precondition: uid); a PV already gone is success. */
  deleteVolume(name: string, uid: string, signal: AbortSignal): Promise<void>;
  /** Removes `finalizer` from the PV as seen in `pv` (a stale view fails, to be retried). Gone = success. */
  removeVolumeFinalizer(pv: V1PersistentVolume, finalizer: string, signal: AbortSignal): Promise<void>;
  createEvent(namespace: string, event: CoreV1Event): Promise<void>;
  /** Updates count and lastTimestamp of an event made before (aggregation of repeats). */
  updateEventSeries(namespace: string, name: string, count: number, lastTimestamp: Date): Promise<void>;
}
