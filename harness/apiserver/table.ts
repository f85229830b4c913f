// meta.k8s.io/v1 Table responses (what `kubectl get` asks for), with the columns of the real
// server's printers for the storage kinds and NAME/AGE for the rest.
import type { KubeObject } from './json.ts';
import { getPath, isObject, scalar } from './json.ts';
import type { ResourceType } from './resource-type.ts';

export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

// apimachinery's duration.HumanDuration.
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  return `${Math.floor(h / 24 / 365)}y`;
}

interface Column {
  name: string;
  type?: string;
  priority?: number;
  cell: (o: KubeObject, now: Date) => string | number | boolean;
}

const s = (o: KubeObject, ...path: string[]): string => {
  const v = getPath(o, path);
  return scalar(v);
};
const modes = (o: KubeObject, ...path: string[]): string => {
  const v = getPath(o, path);
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return Array.isArray(v) ? v.map((m) => short[scalar(m)] ?? scalar(m)).join(',') : '';
};
const orNone = (v: string): string => (v === '' ? '<unset>' : v);
const name: Column = { name: 'Name', cell: (o) => o.metadata.name ?? '' };
const age: Column = {
  name: 'Age',
  cell: (o, now) => (o.metadata.creationTimestamp ? humanDuration(now.getTime() - Date.parse(o.metadata.creationTimestamp)) : '<unknown>'),
};
const containers = (o: KubeObject): unknown[] => {
  const c = getPath(o, ['spec', 'template', 'spec', 'containers']);
  return Array.isArray(c) ? c : [];
};

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
    { name: 'Containers', priority: 1, cell: (o) => containers(o).map((c) => (isObject(c) ? scalar(c['name']) : '')).join(',') },
    { name: 'Images', priority: 1, cell: (o) => containers(o).map((c) => (isObject(c) ? scalar(c['image']) : '')).join(',') },
  ],
  StatefulSet: [
    name,
    { name: 'Ready', cell: (o) => `${s(o, 'status', 'readyReplicas') || '0'}/${s(o, 'spec', 'replicas')}` },
    age,
    { name: 'Containers', priority: 1, cell: (o) => containers(o).map((c) => (isObject(c) ? scalar(c['name']) : '')).join(',') },
    { name: 'Images', priority: 1, cell: (o) => containers(o).map((c) => (isObject(c) ? scalar(c['image']) : '')).join(',') },
  ],
  Event: [
    { name: 'Last Seen', cell: (o, now) => humanDuration(now.getTime() - Date.parse(s(o, 'lastTimestamp') || s(o, 'eventTime') || o.metadata.creationTimestamp || '')) },
    { name: 'Type', cell: (o) => s(o, 'type') },
    { name: 'Reason', cell: (o) => s(o, 'reason') },
    { name: 'Object', cell: (o) => `${s(o, 'involvedObject', 'kind').toLowerCase()}/${s(o, 'involvedObject', 'name')}` },
    { name: 'Message', cell: (o) => s(o, 'message') },
  ],
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
    rows: items.map((o) => {
      const row: Record<string, unknown> = { cells: columns.map((c) => c.cell(o, now)) };
      if (includeObject === 'Object') row['object'] = Object.assign({ apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version, kind: rt.kind }, o);
      else if (includeObject !== 'None') row['object'] = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      return row;
    }),
  };
}
