// Per-kind defaulting and validation: the required fields and immutability rules a user of the
// real API server runs into (PVC/PV/StorageClass/workloads), with Kubernetes' field paths.
import type { JsonObject, KubeObject } from './json.ts';
import { getPath, isObject, jsonEqual, scalar } from './json.ts';
import { defaultPodSpec } from './pod-defaults.ts';
import type { StatusCause } from './status-errors.ts';

const required = (field: string, detail = ''): StatusCause => ({
  reason: 'FieldValueRequired',
  message: detail ? `Required value: ${detail}` : 'Required value',
  field,
});
const unsupported = (field: string, value: unknown, allowed: string[]): StatusCause => ({
  reason: 'FieldValueNotSupported',
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`,
  field,
});
const forbidden = (field: string, detail: string): StatusCause => ({
  reason: 'FieldValueForbidden',
  message: `Forbidden: ${detail}`,
  field,
});
const invalidValue = (field: string, value: unknown, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  field,
});

function obj(o: unknown): JsonObject {
  return isObject(o) ? o : {};
}
function ensure(o: KubeObject | JsonObject, key: string): JsonObject {
  const cur = o[key];
  if (isObject(cur)) return cur;
  const fresh: JsonObject = {};
  (o as JsonObject)[key] = fresh;
  return fresh;
}

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
const VOLUME_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder',
  'cephfs', 'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk',
  'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi',
];

function accessModes(spec: JsonObject, field: string): StatusCause[] {
  const modes = spec['accessModes'];
  if (!Array.isArray(modes) || modes.length === 0) return [required(field, 'at least 1 access mode is required')];
  return modes.filter((m) => typeof m !== 'string' || !ACCESS_MODES.includes(m)).map((m) => unsupported(field, m, ACCESS_MODES));
}

function validatePvcSpec(spec: JsonObject, prefix: string): StatusCause[] {
  const out = accessModes(spec, `${prefix}.accessModes`);
  const storage = getPath(spec, ['resources', 'requests', 'storage']);
  if (storage === undefined || storage === null || storage === '') out.push(required(`${prefix}.resources[storage]`));
  const mode = spec['volumeMode'];
  if (mode !== undefined && mode !== 'Filesystem' && mode !== 'Block') out.push(unsupported(`${prefix}.volumeMode`, mode, ['Block', 'Filesystem']));
  return out;
}

function pvc(o: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = obj(o['spec']);
  const out = validatePvcSpec(spec, 'spec');
  if (old) {
    // spec is immutable except requests (expansion), volumeName once set, and a class assigned
    // to a claim that had none (retroactive default class, Kubernetes 1.28+).
    const oldSpec = obj(old['spec']);
    const strip = (s: JsonObject, base: JsonObject): JsonObject => {
      const c = structuredClone(s);
      const res = obj(c['resources']);
      delete res['requests'];
      delete c['volumeAttributesClassName'];
      if (!base['volumeName']) delete c['volumeName'];
      if (base['storageClassName'] === undefined || base['storageClassName'] === null) delete c['storageClassName'];
      return c;
    };
    if (!jsonEqual(strip(spec, oldSpec), strip(oldSpec, oldSpec))) {
      out.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    }
  }
  return out;
}

function pv(o: KubeObject): StatusCause[] {
  const spec = obj(o['spec']);
  const out: StatusCause[] = accessModes(spec, 'spec.accessModes');
  if (getPath(spec, ['capacity', 'storage']) === undefined) out.push(required('spec.capacity'));
  const sources = VOLUME_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sources.length === 0) out.push(required('spec', 'must specify a volume type'));
  for (const extra of sources.slice(1)) out.push(forbidden(`spec.${extra}`, 'may not specify more than 1 volume type'));
  const nfs = spec['nfs'];
  if (isObject(nfs)) {
    if (!nfs['server']) out.push(required('spec.nfs.server'));
    const path = nfs['path'];
    if (!path) out.push(required('spec.nfs.path'));
    else if (typeof path !== 'string' || !path.startsWith('/')) out.push(invalidValue('spec.nfs.path', path, 'must be an absolute path'));
  }
  const policy = spec['persistentVolumeReclaimPolicy'];
  if (policy !== undefined && !['Retain', 'Delete', 'Recycle'].includes(scalar(policy))) {
    out.push(unsupported('spec.persistentVolumeReclaimPolicy', policy, ['Delete', 'Recycle', 'Retain']));
  }
  return out;
}

function storageClass(o: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const out: StatusCause[] = [];
  if (typeof o['provisioner'] !== 'string' || o['provisioner'] === '') out.push(required('provisioner'));
  const policy = o['reclaimPolicy'];
  if (policy !== undefined && policy !== 'Delete' && policy !== 'Retain') out.push(unsupported('reclaimPolicy', policy, ['Delete', 'Retain']));
  const mode = o['volumeBindingMode'];
  if (mode !== undefined && mode !== 'Immediate' && mode !== 'WaitForFirstConsumer') {
    out.push(unsupported('volumeBindingMode', mode, ['Immediate', 'WaitForFirstConsumer']));
  }
  if (old) {
    for (const f of ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode']) {
      if (!jsonEqual(o[f] ?? null, old[f] ?? null)) out.push(forbidden(f, `updates to ${f} are forbidden.`));
    }
  }
  return out;
}

function podSpec(spec: unknown, field: string): StatusCause[] {
  const containers = obj(spec)['containers'];
  if (!Array.isArray(containers) || containers.length === 0) return [required(`${field}.containers`)];
  const out: StatusCause[] = [];
  containers.forEach((c, i) => {
    const co = obj(c);
    if (!co['name']) out.push(required(`${field}.containers[${i}].name`));
    if (!co['image']) out.push(required(`${field}.containers[${i}].image`));
  });
  return out;
}

function selectorMatchesLabels(selector: unknown, labels: unknown): boolean {
  const ml = obj(obj(selector)['matchLabels']);
  const l = obj(labels);
  return Object.entries(ml).every(([k, v]) => l[k] === v);
}

function workload(o: KubeObject): StatusCause[] {
  const spec = obj(o['spec']);
  const out: StatusCause[] = [];
  const selector = spec['selector'];
  if (!isObject(selector)) out.push(required('spec.selector'));
  const template = obj(spec['template']);
  if (isObject(selector) && !selectorMatchesLabels(selector, getPath(template, ['metadata', 'labels']))) {
    out.push(invalidValue('spec.template.metadata.labels', getPath(template, ['metadata', 'labels']) ?? {}, '`selector` does not match template `labels`'));
  }
  out.push(...podSpec(template['spec'], 'spec.template.spec'));
  return out;
}

function deployment(o: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const out = workload(o);
  if (old && !jsonEqual(getPath(o, ['spec', 'selector']), getPath(old, ['spec', 'selector']))) {
    out.push(invalidValue('spec.selector', getPath(o, ['spec', 'selector']), 'field is immutable'));
  }
  return out;
}

function statefulSet(o: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const out = workload(o);
  const templates = getPath(o, ['spec', 'volumeClaimTemplates']);
  if (Array.isArray(templates)) {
    templates.forEach((t, i) => out.push(...validatePvcSpec(obj(obj(t)['spec']), `spec.volumeClaimTemplates[${i}].spec`)));
  }
  if (old) {
    const mutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];
    const rest = (x: KubeObject): JsonObject => {
      const s = structuredClone(obj(x['spec']));
      for (const k of mutable) delete s[k];
      return s;
    };
    if (!jsonEqual(rest(o), rest(old))) {
      out.push(forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
    }
  }
  return out;
}

function coreEvent(o: KubeObject): StatusCause[] {
  const ns = getPath(o, ['involvedObject', 'namespace']);
  if (typeof ns === 'string' && ns !== '' && ns !== o.metadata.namespace) {
    return [invalidValue('involvedObject.namespace', ns, 'does not match event.namespace')];
  }
  return [];
}

export const validators: Record<string, (o: KubeObject, old: KubeObject | undefined) => StatusCause[]> = {
  PersistentVolumeClaim: pvc,
  PersistentVolume: pv,
  StorageClass: storageClass,
  Pod: (o) => podSpec(o['spec'], 'spec'),
  Deployment: deployment,
  ReplicaSet: (o) => workload(o),
  StatefulSet: statefulSet,
  Event: (o) => (o.apiVersion === 'v1' ? coreEvent(o) : []),
};

// Defaulting as the real server's SetDefaults_* for the fields users see in `kubectl get -o yaml`.
export const defaults: Record<string, (o: KubeObject) => void> = {
  Namespace: (o) => {
    const spec = ensure(o, 'spec');
    spec['finalizers'] ??= ['kubernetes'];
    const status = ensure(o, 'status');
    status['phase'] ??= 'Active';
    o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name ?? '' };
  },
  PersistentVolumeClaim: (o) => {
    const spec = ensure(o, 'spec');
    spec['volumeMode'] ??= 'Filesystem';
    ensure(o, 'status')['phase'] ??= 'Pending';
  },
  PersistentVolume: (o) => {
    const spec = ensure(o, 'spec');
    spec['persistentVolumeReclaimPolicy'] ??= 'Retain';
    spec['volumeMode'] ??= 'Filesystem';
    ensure(o, 'status')['phase'] ??= 'Pending';
  },
  // `kubectl create secret generic` sends no type (protobuf's empty string).
  Secret: (o) => {
    if (!o['type']) o['type'] = 'Opaque';
  },
  StorageClass: (o) => {
    (o as JsonObject)['reclaimPolicy'] ??= 'Delete';
    (o as JsonObject)['volumeBindingMode'] ??= 'Immediate';
  },
  Pod: (o) => {
    defaultPodSpec(ensure(o, 'spec'), true);
    ensure(o, 'status')['phase'] ??= 'Pending';
  },
  Deployment: (o) => {
    const spec = ensure(o, 'spec');
    defaultPodSpec(ensure(ensure(spec, 'template'), 'spec'), false);
    spec['replicas'] ??= 1;
    spec['revisionHistoryLimit'] ??= 10;
    spec['progressDeadlineSeconds'] ??= 600;
    const strategy = ensure(spec, 'strategy');
    strategy['type'] ??= 'RollingUpdate';
    if (strategy['type'] === 'RollingUpdate') strategy['rollingUpdate'] ??= { maxUnavailable: '25%', maxSurge: '25%' };
  },
  ReplicaSet: (o) => {
    const spec = ensure(o, 'spec');
    spec['replicas'] ??= 1;
    defaultPodSpec(ensure(ensure(spec, 'template'), 'spec'), false);
  },
  StatefulSet: (o) => {
    const spec = ensure(o, 'spec');
    defaultPodSpec(ensure(ensure(spec, 'template'), 'spec'), false);
    spec['replicas'] ??= 1;
    spec['podManagementPolicy'] ??= 'OrderedReady';
    spec['revisionHistoryLimit'] ??= 10;
    spec['updateStrategy'] ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    spec['persistentVolumeClaimRetentionPolicy'] ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
  },
  Service: (o) => {
    const spec = ensure(o, 'spec');
    spec['type'] ??= 'ClusterIP';
    spec['sessionAffinity'] ??= 'None';
    const ports = spec['ports'];
    if (Array.isArray(ports)) {
      for (const p of ports) {
        if (!isObject(p)) continue;
        p['protocol'] ??= 'TCP';
        p['targetPort'] ??= p['port'] ?? null;
      }
    }
  },
};
