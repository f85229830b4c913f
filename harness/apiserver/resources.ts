// The table of kinds the server serves. Adding a kind is one entry here (plus, if it wants them,
// field selectors, validation and table columns by name).
import type { KubeObject } from './json.ts';
import { getPath, scalar } from './json.ts';
import type { ResourceType } from './resource-type.ts';
import { resourceKey } from './resource-type.ts';
import { reviews } from './reviews.ts';
import { defaults, validators } from './validation.ts';

type Spec = Partial<ResourceType> & Pick<ResourceType, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'>;

const str = (path: string) => (o: KubeObject): string => {
  const v = getPath(o, path.split('.'));
  return scalar(v);
};

const eventFields: ResourceType['fields'] = {
  'involvedObject.kind': str('involvedObject.kind'),
  'involvedObject.namespace': str('involvedObject.namespace'),
  'involvedObject.name': str('involvedObject.name'),
  'involvedObject.uid': str('involvedObject.uid'),
  'involvedObject.apiVersion': str('involvedObject.apiVersion'),
  'involvedObject.resourceVersion': str('involvedObject.resourceVersion'),
  'involvedObject.fieldPath': str('involvedObject.fieldPath'),
  reason: str('reason'),
  reportingComponent: str('reportingComponent'),
  source: str('source.component'),
  type: str('type'),
};

// events.k8s.io/v1 Events select on the same field names as core Events (the real server maps
// regarding.* to involvedObject.*), plus the new names.
const eventsV1Fields: ResourceType['fields'] = {
  'involvedObject.kind': str('regarding.kind'),
  'involvedObject.namespace': str('regarding.namespace'),
  'involvedObject.name': str('regarding.name'),
  'involvedObject.uid': str('regarding.uid'),
  'involvedObject.apiVersion': str('regarding.apiVersion'),
  'involvedObject.resourceVersion': str('regarding.resourceVersion'),
  'involvedObject.fieldPath': str('regarding.fieldPath'),
  'regarding.kind': str('regarding.kind'),
  'regarding.name': str('regarding.name'),
  'regarding.namespace': str('regarding.namespace'),
  'regarding.uid': str('regarding.uid'),
  reason: str('reason'),
  reportingController: str('reportingController'),
  type: str('type'),
};

const podFields: ResourceType['fields'] = {
  'spec.nodeName': str('spec.nodeName'),
  'spec.restartPolicy': str('spec.restartPolicy'),
  'spec.schedulerName': str('spec.schedulerName'),
  'spec.serviceAccountName': str('spec.serviceAccountName'),
  'spec.hostNetwork': (o) => String(getPath(o, ['spec', 'hostNetwork']) === true),
  'status.phase': str('status.phase'),
  'status.podIP': str('status.podIP'),
  'status.nominatedNodeName': str('status.nominatedNodeName'),
};

const specs: Spec[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], hasStatus: true, nameRule: 'label', fields: { 'status.phase': str('status.phase') } },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], hasStatus: true },
  { group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false, shortNames: ['pv'], hasStatus: true },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], fields: eventFields },
  { group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', namespaced: true, shortNames: ['ep'], singular: 'endpoints' },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, fields: { type: str('type') } },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'] },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true, shortNames: ['svc'], hasStatus: true, nameRule: 'label', categories: ['all'] },
  // Listed by `kubectl describe namespace` ("No resource quota.", "No LimitRange resource.").
  { group: '', version: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas', namespaced: true, shortNames: ['quota'], hasStatus: true },
  { group: '', version: 'v1', kind: 'LimitRange', plural: 'limitranges', namespaced: true, shortNames: ['limits'] },
  { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], hasStatus: true, fields: { 'spec.unschedulable': (o) => String(getPath(o, ['spec', 'unschedulable']) === true) } },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], hasStatus: true, fields: podFields, categories: ['all'], generation: true },
  { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'] },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true },
  { group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], fields: eventsV1Fields },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, shortNames: ['deploy'], hasStatus: true, categories: ['all'], generation: true },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], hasStatus: true, categories: ['all'], generation: true },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, shortNames: ['sts'], hasStatus: true, categories: ['all'], generation: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true, nameRule: 'path-segment' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, nameRule: 'path-segment' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, nameRule: 'path-segment' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false, nameRule: 'path-segment' },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: ['create'] },
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false, verbs: ['create'] },
];

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function complete(s: Spec): ResourceType {
  const d = defaults[s.kind];
  const v = validators[s.kind];
  const review = s.group === 'authorization.k8s.io' ? reviews[s.kind] : undefined;
  return {
    singular: s.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    verbs: VERBS,
    hasStatus: false,
    nameRule: 'subdomain',
    generation: false,
    fields: {},
    ...s,
    ...(d ? { defaults: d } : {}),
    ...(v ? { validate: v } : {}),
    ...(review ? { review } : {}),
  };
}

export interface Registry {
  all: readonly ResourceType[];
  // By group + plural ("" + "persistentvolumeclaims").
  get(group: string, version: string, plural: string): ResourceType | undefined;
  groupVersions(): { group: string; version: string }[];
}

export function makeRegistry(extra: Spec[] = []): Registry {
  const all = [...specs, ...extra].map(complete);
  const byKey = new Map(all.map((r) => [`${r.version}:${resourceKey(r.group, r.plural)}`, r]));
  return {
    all,
    get: (group, version, plural) => byKey.get(`${version}:${resourceKey(group, plural)}`),
    groupVersions: () => {
      const seen = new Map<string, { group: string; version: string }>();
      for (const r of all) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
      return [...seen.values()];
    },
  };
}
