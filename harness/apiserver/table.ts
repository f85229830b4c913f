// meta.k8s.io/v1 Table responses (what `kubectl get` asks for), with the columns of the real
// server's printers (pkg/printers/internalversion) for the kinds users list most, NAME/AGE for
// the rest.
import type { KubeObject } from './json.ts';
import { getPath, isObject, scalar } from './json.ts';
import type { ResourceType } from './resource-type.ts';
import { apiVersionOf } from './resource-type.ts';
import type { Column } from './table-column.ts';
import { age, name, s } from './table-column.ts';
import { eventColumns } from './table-events.ts';

export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

const modes = (o: KubeObject, ...path: string[]): string => {
  const v = getPath(o, path);
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return Array.isArray(v) ? v.map((m) => short[scalar(m)] ?? scalar(m)).join(',') : '';
};
const orNone = (v: string): string => (v === '' ? '<unset>' : v);
const containers = (o: KubeObject): unknown[] => {
  const c = getPath(o, ['spec', 'template', 'spec', 'containers']);
  return Array.isArray(c) ? c : [];
};
const countKeys = (...maps: unknown[]): number => maps.reduce<number>((n, m) => n + (isObject(m) ? Object.keys(m).length : 0), 0);

// metav1's LabelSelectorAsSelector(...).String(): requirements sorted by key, values sorted.
function selectorText(sel: unknown): string {
  if (!isObject(sel)) return '';
  const reqs: [string, string][] = Object.entries(isObject(sel['matchLabels']) ? sel['matchLabels'] : {}).map(([k, v]) => [k, `${k}=${scalar(v)}`]);
  for (const e of Array.isArray(sel['matchExpressions']) ? sel['matchExpressions'] : []) {
    const key = s(e, 'key');
    const values = (isObject(e) && Array.isArray(e['values']) ? e['values'].map(scalar) : []).sort().join(',');
    const op = s(e, 'operator');
    reqs.push([key, op === 'In' ? `${key} in (${values})` : op === 'NotIn' ? `${key} notin (${values})` : op === 'Exists' ? key : `!${key}`]);
  }
  return reqs
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((r) => r[1])
    .join(',');
}
const containerCells = (priority: number): Column[] => [
  { name: 'Containers', priority, cell: (o) => containers(o).map((c) => (isObject(c) ? scalar(c['name']) : '')).join(',') },
  { name: 'Images', priority, cell: (o) => containers(o).map((c) => (isObject(c) ? scalar(c['image']) : '')).join(',') },
];

const byKind: Record<string, Column[]> = {
  PersistentVolumeClaim: [
    name,
    { name: 'Status', cell: (o) => (o.metadata.deletionTimestamp ? 'Terminating' : s(o, 'status', 'phase')) },
    { name: 'Volume', cell: (o) => s(o, 'spec', 'volumeName') },
    { name: 'Capacity', cell: (o) => s(o, 'status', 'capacity', 'storage') },
    { name: 'Access Modes', cell: (o) => modes(o, 'status', 'accessModes') },
    { name: 'StorageClass', cell: (o) => s(o, 'spec', 'storageClassName') || (o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '') },
    { name: 'VolumeAttributesClass', cell: (o) => orNone(s(o, 'spec', 'volumeAttributesClassName')) },
    age,
    { name: 'VolumeMode', priority: 1, cell: (o) => s(o, 'spec', 'volumeMode') },
  ],
  PersistentVolume: [
    name,
    { name: 'Capacity', cell: (o) => s(o, 'spec', 'capacity', 'storage') },
    { name: 'Access Modes', cell: (o) => modes(o, 'spec', 'accessModes') },
    { name: 'Reclaim Policy', cell: (o) => s(o, 'spec', 'persistentVolumeReclaimPolicy') },
    { name: 'Status', cell: (o) => (o.metadata.deletionTimestamp ? 'Terminating' : s(o, 'status', 'phase')) },
    { name: 'Claim', cell: (o) => (s(o, 'spec', 'claimRef', 'name') ? `${s(o, 'spec', 'claimRef', 'namespace')}/${s(o, 'spec', 'claimRef', 'name')}` : '') },
    { name: 'StorageClass', cell: (o) => s(o, 'spec', 'storageClassName') },
    { name: 'VolumeAttributesClass', cell: (o) => orNone(s(o, 'spec', 'volumeAttributesClassName')) },
    { name: 'Reason', cell: (o) => s(o, 'status', 'reason') },
    age,
    { name: 'VolumeMode', priority: 1, cell: (o) => s(o, 'spec', 'volumeMode') },
  ],
  StorageClass: [
    {
      name: 'Name',
      cell: (o) => {
        const a = o.metadata.annotations ?? {};
        const isDefault = a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
        return `${o.metadata.name ?? ''}${isDefault ? ' (default)' : ''}`;
      },
    },
    { name: 'Provisioner', cell: (o) => s(o, 'provisioner') },
    { name: 'ReclaimPolicy', cell: (o) => s(o, 'reclaimPolicy') },
    { name: 'VolumeBindingMode', cell: (o) => s(o, 'volumeBindingMode') },
    { name: 'AllowVolumeExpansion', cell: (o) => getPath(o, ['allowVolumeExpansion']) === true },
    age,
  ],
  Namespace: [name, { name: 'Status', cell: (o) => s(o, 'status', 'phase') }, age],
  Pod: [
    name,
    { name: 'Ready', cell: (o) => `0/${Array.isArray(getPath(o, ['spec', 'containers'])) ? (getPath(o, ['spec', 'containers']) as unknown[]).length : 0}` },
    { name: 'Status', cell: (o) => (o.metadata.deletionTimestamp ? 'Terminating' : s(o, 'status', 'phase')) },
    { name: 'Restarts', cell: () => 0 },
    age,
    { name: 'IP', priority: 1, cell: (o) => s(o, 'status', 'podIP') || '<none>' },
    { name: 'Node', priority: 1, cell: (o) => s(o, 'spec', 'nodeName') || '<none>' },
  ],
  Deployment: [
    name,
    { name: 'Ready', cell: (o) => `${s(o, 'status', 'readyReplicas') || '0'}/${s(o, 'spec', 'replicas')}` },
    { name: 'Up-to-date', cell: (o) => Number(s(o, 'status', 'updatedReplicas') || 0) },
    { name: 'Available', cell: (o) => Number(s(o, 'status', 'availableReplicas') || 0) },
    age,
    ...containerCells(1),
    { name: 'Selector', priority: 1, cell: (o) => selectorText(getPath(o, ['spec', 'selector'])) },
  ],
  ReplicaSet: [
    name,
    { name: 'Desired', type: 'integer', cell: (o) => Number(s(o, 'spec', 'replicas') || 0) },
    { name: 'Current', type: 'integer', cell: (o) => Number(s(o, 'status', 'replicas') || 0) },
    { name: 'Ready', type: 'integer', cell: (o) => Number(s(o, 'status', 'readyReplicas') || 0) },
    age,
    ...containerCells(1),
    // metav1.FormatLabelSelector: "<none>" when it selects everything.
    { name: 'Selector', priority: 1, cell: (o) => selectorText(getPath(o, ['spec', 'selector'])) || '<none>' },
  ],
  StatefulSet: [
    name,
    { name: 'Ready', cell: (o) => `${s(o, 'status', 'readyReplicas') || '0'}/${s(o, 'spec', 'replicas')}` },
    age,
    ...containerCells(1),
  ],
  ConfigMap: [name, { name: 'Data', cell: (o) => countKeys(o['data'], o['binaryData']) }, age],
  Secret: [name, { name: 'Type', cell: (o) => s(o, 'type') }, { name: 'Data', cell: (o) => countKeys(o['data']) }, age],
  Event: eventColumns,
};

export function toTable(rt: ResourceType, body: unknown, now: Date, includeObject: string | null): Record<string, unknown> {
  const columns = byKind[rt.kind] ?? [name, age];
  const isList = isObject(body) && Array.isArray(body['items']);
  const items = (isList ? (body['items'] as unknown[]) : [body]) as KubeObject[];
  const metadata = isList && isObject(body['metadata']) ? body['metadata'] : {};
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.name === 'Name' ? 'string' : (c.type ?? 'string'),
      format: c.name === 'Name' ? 'name' : '',
      description: c.name,
      priority: c.priority ?? 0,
    })),
    rows: items.map((item) => {
      // List items may lack apiVersion and kind; cells can tell the two Event APIs apart by them.
      const o: KubeObject = { ...item, apiVersion: apiVersionOf(rt), kind: rt.kind };
      const row: Record<string, unknown> = { cells: columns.map((c) => c.cell(o, now)) };
      if (includeObject === 'Object') row['object'] = o;
      else if (includeObject !== 'None') row['object'] = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      return row;
    }),
  };
}
