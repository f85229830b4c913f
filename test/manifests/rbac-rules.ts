// Kubernetes RBAC authorization, reduced to what the least-privilege test needs: does a set of
// Role/ClusterRole rules allow one API request, and which (group, resource, verb) permissions do
// the rules grant. Follows the API server's RBAC authorizer: a ClusterRole (through a
// ClusterRoleBinding) grants in every namespace and on cluster-scoped resources; a Role only in its
// own namespace; `*` matches anything; resourceNames restricts by object name (never satisfied
// by create, list or watch of a collection); a subresource must be named as `resource/sub`.
import type { KubeObject } from './render.ts';

/** One API request, as the API server's request log records it. */
export interface ApiRequest {
  /** "" for the core group. */
  readonly apiGroup: string;
  /** Plural resource name, e.g. "persistentvolumes". */
  readonly resource: string;
  readonly subresource?: string;
  /** Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection. */
  readonly verb: string;
  /** Set for requests in a namespace (namespaced resources), unset for cluster-wide ones. */
  readonly namespace?: string;
  /** The object's name, when the request names one. */
  readonly name?: string;
}

/** One rule, with where it applies. */
export interface Grant {
  /** `ClusterRole/x` or `Role/ns/x`. */
  readonly source: string;
  /** Unset: everywhere (ClusterRole); set: only in this namespace (Role). */
  readonly namespace?: string;
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames: readonly string[];
}

/** A permission a rule grants: one group, resource (maybe `res/sub`) and verb. */
export interface Permission {
  readonly source: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly verb: string;
}

interface RawRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** The rules of every ClusterRole and Role among `objects`. */
export function grantsOf(objects: readonly KubeObject[]): Grant[] {
  return objects.flatMap((o) => {
    if (o.kind !== 'ClusterRole' && o.kind !== 'Role') return [];
    const rules = (o['rules'] ?? []) as RawRule[];
    const namespace = o.kind === 'Role' ? (o.metadata.namespace ?? 'default') : undefined;
    const source = namespace === undefined ? `ClusterRole/${o.metadata.name}` : `Role/${namespace}/${o.metadata.name}`;
    return rules.map((r) => {
      if (r.nonResourceURLs !== undefined) throw new Error(`${source}: nonResourceURLs are not expected`);
      return {
        source,
        ...(namespace === undefined ? {} : { namespace }),
        apiGroups: r.apiGroups ?? [],
        resources: r.resources ?? [],
        verbs: r.verbs ?? [],
        resourceNames: r.resourceNames ?? [],
      };
    });
  });
}

function resourceOf(req: ApiRequest): string {
  return req.subresource === undefined || req.subresource === '' ? req.resource : `${req.resource}/${req.subresource}`;
}

const matches = (granted: readonly string[], wanted: string): boolean => granted.includes('*') || granted.includes(wanted);

/** Whether one rule allows one request. */
export function allows(grant: Grant, req: ApiRequest): boolean {
  if (grant.namespace !== undefined && req.namespace !== grant.namespace) return false;
  if (!matches(grant.apiGroups, req.apiGroup)) return false;
  if (!matches(grant.resources, resourceOf(req))) return false;
  if (!matches(grant.verbs, req.verb)) return false;
  if (grant.resourceNames.length > 0) return req.name !== undefined && grant.resourceNames.includes(req.name);
  return true;
}

/** Every (group, resource, verb) a rule grants, for checking that each was used. */
export function permissionsOf(grant: Grant): Permission[] {
  return grant.apiGroups.flatMap((apiGroup) =>
    grant.resources.flatMap((resource) => grant.verbs.map((verb) => ({ source: grant.source, apiGroup, resource, verb }))),
  );
}

/** Whether a request exercised a permission (within the permission's rule's scope). */
export function exercises(grant: Grant, permission: Permission, req: ApiRequest): boolean {
  return (
    allows(grant, req) &&
    (permission.apiGroup === '*' || permission.apiGroup === req.apiGroup) &&
    (permission.resource === '*' || permission.resource === resourceOf(req)) &&
    (permission.verb === '*' || permission.verb === req.verb)
  );
}

/** `verb group/resource[/sub] [in ns]`, for messages. */
export function describe(req: ApiRequest): string {
  const where = req.namespace === undefined ? '(cluster-wide)' : `in ${req.namespace}`;
  return `${req.verb} ${req.apiGroup === '' ? 'core' : req.apiGroup}/${resourceOf(req)} ${where}`;
}
