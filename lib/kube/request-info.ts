// Kubernetes' request verb and resource from an HTTP method and URL, for request metrics
// (the same names the API server's audit log and the harness's request log use).

export interface RequestInfo {
  readonly verb: string;
  readonly resource: string;
}

const COLLECTION_VERBS: Readonly<Record<string, string>> = { GET: 'list', POST: 'create', DELETE: 'deletecollection' };
const OBJECT_VERBS: Readonly<Record<string, string>> = { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete', POST: 'create' };

export function requestInfo(method: string, url: string): RequestInfo {
  const parsed = new URL(url, 'http://localhost');
  const segments = parsed.pathname.split('/').filter((s) => s !== '');
  // /api/v1/... or /apis/<group>/<version>/...
  let rest = segments[0] === 'api' ? segments.slice(2) : segments[0] === 'apis' ? segments.slice(3) : segments;
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const resource = rest[0] ?? '';
  const named = rest.length >= 2;
  const upper = method.toUpperCase();
  if (upper === 'GET' && parsed.searchParams.get('watch') === 'true') return { verb: 'watch', resource };
  const verb = (named ? OBJECT_VERBS[upper] : COLLECTION_VERBS[upper]) ?? upper.toLowerCase();
  return { verb, resource: rest.length >= 3 ? `${resource}/${rest[2] ?? ''}` : resource };
}
