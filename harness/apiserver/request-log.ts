// Every request the server answered: Kubernetes verb, resource, client and outcome. Entries are
// small flat records in one array, so 100k requests cost a few MB and counting is a linear scan.
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestEntry {
  // Kubernetes verb for resource requests; the HTTP method in lower case for discovery and others.
  verb: string;
  method: string;
  path: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  userAgent: string;
  /** The authenticated user (the real API server's audit log names it; the harness does not). */
  user?: string;
  code: number;
  // Milliseconds until the response ended (a watch: until it closed; -1 while still open).
  durationMs: number;
  // Date.now() at arrival.
  time: number;
}

export interface RequestFilter {
  verb?: string | readonly string[];
  resource?: string;
  subresource?: string;
  apiGroup?: string;
  namespace?: string;
  name?: string;
  // A string matches when the User-Agent contains it.
  userAgent?: string | RegExp;
  code?: number;
}

export interface RequestLog {
  count(filter?: RequestFilter): number;
  entries(filter?: RequestFilter): RequestEntry[];
  reset(): void;
}

export function matchesFilter(e: RequestEntry, f: RequestFilter): boolean {
  if (f.verb !== undefined && (typeof f.verb === 'string' ? e.verb !== f.verb : !f.verb.includes(e.verb))) return false;
  if (f.resource !== undefined && e.resource !== f.resource) return false;
  if (f.subresource !== undefined && e.subresource !== f.subresource) return false;
  if (f.apiGroup !== undefined && e.apiGroup !== f.apiGroup) return false;
  if (f.namespace !== undefined && e.namespace !== f.namespace) return false;
  if (f.name !== undefined && e.name !== f.name) return false;
  if (f.code !== undefined && e.code !== f.code) return false;
  if (f.userAgent !== undefined) {
    if (typeof f.userAgent === 'string' ? !e.userAgent.includes(f.userAgent) : !f.userAgent.test(e.userAgent)) return false;
  }
  return true;
}

export class MemoryRequestLog implements RequestLog {
  private list: RequestEntry[] = [];

  record(e: RequestEntry): void {
    this.list.push(e);
  }

  count(filter: RequestFilter = {}): number {
    let n = 0;
    for (const e of this.list) if (matchesFilter(e, filter)) n++;
    return n;
  }

  entries(filter: RequestFilter = {}): RequestEntry[] {
    return this.list.filter((e) => matchesFilter(e, filter));
  }

  reset(): void {
    this.list = [];
  }
}
