// The controller's API writes (see lib/controller/controller-api.ts) on the REST client. Events go
// at low priority through the rate limit so PVs are never queued behind them.
import type { CoreV1Event, V1PersistentVolume } from '@kubernetes/client-node';
import type { ControllerApi } from '../controller/controller-api.ts';
import { apiErrorMessage, isNotFound, statusCode, StatusError } from './api-errors.ts';
import type { RestClient } from './rest-client.ts';

const VOLUMES = '/api/v1/persistentvolumes';
const JSON_PATCH = 'application/json-patch+json';

const volumePath = (name: string): string => `${VOLUMES}/${encodeURIComponent(name)}`;
const eventsPath = (namespace: string): string => `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;

export function controllerApi(client: RestClient): ControllerApi {
  return {
    async createVolume(pv, signal): Promise<void> {
      await client.request({ method: 'POST', path: VOLUMES, body: pv, signal });
    },
    async deleteVolume(name, uid, signal): Promise<void> {
      try {
        await client.request({ method: 'DELETE', path: volumePath(name), body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid } }, signal });
      } catch (error: unknown) {
        if (!isNotFound(error)) throw error;
      }
    },
    async removeVolumeFinalizer(pv: V1PersistentVolume, finalizer, signal): Promise<void> {
      const finalizers = pv.metadata?.finalizers ?? [];
      const index = finalizers.indexOf(finalizer);
      if (index < 0) return;
      const name = pv.metadata?.name ?? '';
      // JSON patch with a test: removes exactly our entry, or fails if the list moved (retried
      // later from the updated cache) - never drops someone else's finalizer.
      const body = [
        { op: 'test', path: `/metadata/finalizers/${index}`, value: finalizer },
        { op: 'remove', path: `/metadata/finalizers/${index}` },
      ];
      try {
        await client.request({ method: 'PATCH', path: volumePath(name), body, contentType: JSON_PATCH, signal });
      } catch (error: unknown) {
        if (isNotFound(error)) return;
        if (statusCode(error) === 422) {
          throw new StatusError(422, `finalizer list of ${name} changed; retrying from the updated cache (${apiErrorMessage(error)})`);
        }
        throw error;
      }
    },
    async createEvent(namespace, event: CoreV1Event): Promise<void> {
      await client.request({ method: 'POST', path: eventsPath(namespace), body: event, lowPriority: true });
    },
    async updateEventSeries(namespace, name, count, lastTimestamp): Promise<void> {
      const body = [
        { op: 'replace', path: '/count', value: count },
        { op: 'replace', path: '/lastTimestamp', value: lastTimestamp.toISOString() },
      ];
      await client.request({ method: 'PATCH', path: `${eventsPath(namespace)}/${encodeURIComponent(name)}`, body, contentType: JSON_PATCH, lowPriority: true });
    },
  };
}
