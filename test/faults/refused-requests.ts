// Requests of the provisioner the API server refused as wrong (400 Bad Request, 403 Forbidden, 422
// Invalid), from the cluster's request log (the real one: its audit log). None is ever right: a 403
// is a permission the shipped RBAC lacks or a call the provisioner should not make, a 422 an
// object the real validation refuses. 404, 409, 410, 429 and 5xx are part of normal operation (or
// of the injected faults) and are not counted, and so is a 422 on a PV patch: the provisioner
// removes its finalizer with a JSON patch whose `test` op fails (422, on both servers) when its
// cached copy is stale, by design (lib/kube/controller-api.ts), and retries from the cache.
import type { RequestEntry, RequestLog } from '../../harness/apiserver/request-log.ts';

/** The provisioner's User-Agent: `nfs-provisioner-ts/<version>` (lib/kube/rest-client.ts). */
export const PROVISIONER_UA = /^nfs-provisioner-ts\//;

const REFUSED = new Set([400, 403, 422]);

/** One line per (verb, resource, code): count and an example path. */
export function refusedRequests(log: RequestLog): string[] {
  const groups = new Map<string, { n: number; example: RequestEntry }>();
  for (const e of log.entries({ userAgent: PROVISIONER_UA })) {
    if (!REFUSED.has(e.code)) continue;
    if (e.code === 422 && e.verb === 'patch' && e.resource === 'persistentvolumes') continue;
    const key = `${e.verb} ${e.resource ?? e.path}${e.subresource === undefined ? '' : `/${e.subresource}`} ${e.code}`;
    const g = groups.get(key);
    if (g) g.n++;
    else groups.set(key, { n: 1, example: e });
  }
  return [...groups].map(([key, g]) => `${key} x${g.n} (e.g. ${g.example.path})`);
}
