// Parses a request path into what it addresses: a discovery document or a resource request
// (group, version, namespace, plural, name, subresource), as the API server's RequestInfo does.
export interface ResourceTarget {
  type: 'resource';
  group: string;
  version: string;
  namespace: string | undefined;
  plural: string;
  name: string | undefined;
  subresource: string | undefined;
  // /api/v1/watch/... (deprecated watch paths)
  legacyWatch: boolean;
}

export interface OtherTarget {
  type: 'other';
  segments: string[];
}

export type Target = ResourceTarget | OtherTarget;

export function parseTarget(pathname: string, isNamespaced: (group: string, version: string, plural: string) => boolean): Target {
  const segments = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    version = segments[1] ?? '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1] ?? '';
    version = segments[2] ?? '';
    rest = segments.slice(3);
  } else return { type: 'other', segments };
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // namespaces/<ns>/<plural>/... addresses namespaced objects; namespaces/<name>[/status] the Namespace.
  if (rest[0] === 'namespaces' && rest.length >= 3 && isNamespaced(group, version, rest[2] ?? '')) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  return {
    type: 'resource',
    group,
    version,
    namespace,
    plural: rest[0] ?? '',
    name: rest[1],
    subresource: rest[2],
    legacyWatch,
  };
}
