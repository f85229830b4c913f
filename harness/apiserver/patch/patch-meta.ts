// Strategic-merge-patch metadata (patchMergeKey / patchStrategy struct tags of k8s.io/api) for the
// kinds the server serves. Lists without an entry are atomic (replaced whole).
export interface PatchMeta {
  fields?: Record<string, PatchMeta>;
  // For lists: meta of the elements.
  items?: PatchMeta;
  mergeKey?: string;
  strategy?: 'merge' | 'retainKeys' | 'merge,retainKeys';
}

const mergeList = (mergeKey: string | undefined, items?: PatchMeta, strategy: PatchMeta['strategy'] = 'merge'): PatchMeta => ({
  strategy,
  ...(mergeKey ? { mergeKey } : {}),
  ...(items ? { items } : {}),
});

const objectMeta: PatchMeta = {
  fields: {
    finalizers: mergeList(undefined),
    ownerReferences: mergeList('uid'),
  },
};

const container: PatchMeta = {
  fields: {
    ports: mergeList('containerPort'),
    env: mergeList('name'),
    volumeMounts: mergeList('mountPath'),
    volumeDevices: mergeList('devicePath'),
  },
};

const podSpec: PatchMeta = {
  fields: {
    containers: mergeList('name', container),
    initContainers: mergeList('name', container),
    ephemeralContainers: mergeList('name', container),
    volumes: mergeList('name', undefined, 'merge,retainKeys'),
    imagePullSecrets: mergeList('name'),
    hostAliases: mergeList('ip'),
    topologySpreadConstraints: mergeList('topologyKey'),
    resourceClaims: mergeList('name', undefined, 'merge,retainKeys'),
    schedulingGates: mergeList('name'),
  },
};

const conditionsStatus: PatchMeta = { fields: { conditions: mergeList('type') } };

const podTemplate: PatchMeta = { fields: { metadata: objectMeta, spec: podSpec } };

const withMeta = (fields: Record<string, PatchMeta> = {}): PatchMeta => ({ fields: { metadata: objectMeta, ...fields } });

const byKind: Record<string, PatchMeta> = {
  Pod: withMeta({
    spec: podSpec,
    status: { fields: { conditions: mergeList('type'), podIPs: mergeList('ip'), hostIPs: mergeList('ip') } },
  }),
  Deployment: withMeta({
    spec: { fields: { template: podTemplate, strategy: { strategy: 'retainKeys' } } },
    status: conditionsStatus,
  }),
  StatefulSet: withMeta({ spec: { fields: { template: podTemplate } }, status: conditionsStatus }),
  PersistentVolumeClaim: withMeta({ status: conditionsStatus }),
  Namespace: withMeta({ status: conditionsStatus }),
  Node: withMeta({
    status: { fields: { conditions: mergeList('type'), addresses: mergeList('type') } },
  }),
  Service: withMeta({ spec: { fields: { ports: mergeList('port') } }, status: conditionsStatus }),
};

export function patchMetaFor(kind: string): PatchMeta {
  return byKind[kind] ?? withMeta();
}
