// Request bodies in application/vnd.kubernetes.protobuf, as typed client-go clients send them
// (every `kubectl create <kind>` generator, `kubectl auth can-i`), decoded to the JSON object the
// rest of the server handles. Only the kinds below are known; the body of another kind, or one
// setting a field our schemas leave out, is refused with 415 naming what is missing, never
// stored in part.
import type { JsonObject, KubeObject } from '../json.ts';
import { ApiError, badRequest } from '../status-errors.ts';
import { UnknownField, decodeMessage } from './decode.ts';
import { openEnvelope } from './envelope.ts';
import { Deployment, ReplicaSet } from './messages/apps.ts';
import { SelfSubjectAccessReview, SelfSubjectRulesReview } from './messages/authorization.ts';
import { ConfigMap, Event, Namespace, Secret, Service, ServiceAccount } from './messages/core.ts';
import { Event as EventsV1Event } from './messages/events.ts';
import { DeleteOptions } from './messages/meta.ts';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from './messages/rbac.ts';
import type { Message } from './schema.ts';
import { MalformedProtobuf } from './wire.ts';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

const kinds = new Map<string, Message>([
  ['v1/Namespace', Namespace],
  ['v1/ConfigMap', ConfigMap],
  ['v1/Secret', Secret],
  ['v1/ServiceAccount', ServiceAccount],
  ['v1/Service', Service],
  ['v1/Event', Event],
  ['events.k8s.io/v1/Event', EventsV1Event],
  ['apps/v1/Deployment', Deployment],
  ['apps/v1/ReplicaSet', ReplicaSet],
  ['rbac.authorization.k8s.io/v1/Role', Role],
  ['rbac.authorization.k8s.io/v1/ClusterRole', ClusterRole],
  ['rbac.authorization.k8s.io/v1/RoleBinding', RoleBinding],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', ClusterRoleBinding],
  ['authorization.k8s.io/v1/SelfSubjectAccessReview', SelfSubjectAccessReview],
  ['authorization.k8s.io/v1/SelfSubjectRulesReview', SelfSubjectRulesReview],
]);

const unsupported = (what: string): ApiError =>
  new ApiError(415, 'UnsupportedMediaType', `the harness API server cannot decode ${what} from ${PROTOBUF}; send it as application/json`);

export interface Expected {
  apiVersion: string;
  kind: string;
}

// `expected` is the kind the URL addresses, used when the envelope names none (as the real
// server defaults the decode to the endpoint's kind). DeleteOptions come under any group's version.
export function decodeProtobuf(body: Uint8Array, expected: Expected): KubeObject {
  try {
    const env = openEnvelope(body);
    if (env.contentEncoding !== '' || (env.contentType !== '' && env.contentType !== PROTOBUF)) {
      throw unsupported(`a body with contentEncoding "${env.contentEncoding}" and contentType "${env.contentType}"`);
    }
    const apiVersion = env.apiVersion || expected.apiVersion;
    const kind = env.kind || expected.kind;
    const msg = kind === 'DeleteOptions' ? DeleteOptions : kinds.get(`${apiVersion}/${kind}`);
    if (!msg) throw unsupported(`${kind} in version "${apiVersion}"`);
    const obj: JsonObject = { apiVersion, kind, ...decodeMessage(msg, env.raw) };
    return obj as unknown as KubeObject;
  } catch (err) {
    if (err instanceof UnknownField) throw unsupported(`${err.message} (not in its schema here)`);
    // The real server's answer to a body it cannot decode (handlers' transformDecodeError).
    if (err instanceof MalformedProtobuf) throw badRequest(`the object provided is unrecognized (${err.message})`);
    throw err;
  }
}
