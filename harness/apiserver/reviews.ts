// The authorization reviews `kubectl auth can-i` creates (authorization.k8s.io/v1
// SelfSubjectAccessReview, and SelfSubjectRulesReview for --list): create-only kinds that are
// answered, not stored. This server authorizes every request (it stores RBAC objects but never
// evaluates them), so it answers as a real API server run with --authorization-mode=AlwaysAllow
// does: allowed, with no reason, and rules of "*". That is the truth for any caller here, the
// kubeconfig's admin included; the answers of a server that enforces RBAC come from the real
// control plane (issue 12), not from a model of RBAC here.
import type { KubeObject } from './json.ts';
import { isObject } from './json.ts';
import type { ResourceType } from './resource-type.ts';
import { apiVersionOf } from './resource-type.ts';
import { badRequest, invalid } from './status-errors.ts';
import type { StatusCause } from './status-errors.ts';

export type Review = (body: KubeObject) => KubeObject;

const EXACTLY_ONE = 'exactly one of nonResourceAttributes or resourceAttributes must be specified';

function metadataMustBeEmpty(o: KubeObject): StatusCause[] {
  const { managedFields: _ignored, ...rest } = o.metadata;
  return Object.keys(rest).length > 0 ? [{ reason: 'FieldValueInvalid', message: 'Invalid value: must be empty', field: 'metadata' }] : [];
}

function selfSubjectAccessReview(o: KubeObject): KubeObject {
  const spec = isObject(o['spec']) ? o['spec'] : {};
  const causes = metadataMustBeEmpty(o);
  if (isObject(spec['resourceAttributes']) === isObject(spec['nonResourceAttributes'])) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${EXACTLY_ONE}`, field: 'spec' });
  }
  if (causes.length > 0) throw invalid(o.kind, 'authorization.k8s.io', '', causes);
  return { ...o, spec, status: { allowed: true } };
}

function selfSubjectRulesReview(o: KubeObject): KubeObject {
  const causes = metadataMustBeEmpty(o);
  if (causes.length > 0) throw invalid(o.kind, 'authorization.k8s.io', '', causes);
  return {
    ...o,
    status: {
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    },
  };
}

export const reviews: Record<string, Review> = {
  SelfSubjectAccessReview: selfSubjectAccessReview,
  SelfSubjectRulesReview: selfSubjectRulesReview,
};

// The answer to a create of a review kind: the request with its status, nothing stored.
export function answerReview(rt: ResourceType, review: Review, body: unknown): KubeObject {
  if (!isObject(body)) throw badRequest('the body of the request was not a valid object');
  const o = body as unknown as KubeObject;
  const apiVersion = apiVersionOf(rt);
  if ((o.kind && o.kind !== rt.kind) || (o.apiVersion && o.apiVersion !== apiVersion)) {
    throw badRequest(`the API version in the data (${o.apiVersion}) does not match the expected API version (${apiVersion})`);
  }
  return review({ ...o, apiVersion, kind: rt.kind, metadata: isObject(o.metadata) ? o.metadata : {} });
}
