// The objects the sandbox applies: the StorageClass of manifests/base (made the default class, so
// class-less claims work too) and the example claims and StatefulSet of manifests/examples. When
// manifests/ is missing, built-in equivalents: the nfs-client class (archiveOnDelete "true") and
// seed 002's claims.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const MANIFESTS = fileURLToPath(new URL('../../manifests/', import.meta.url));
export const DEFAULT_PROVISIONER_NAME = 'k8s-sigs.io/nfs-subdir-external-provisioner';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  [field: string]: unknown;
}

function isManifestObject(v: unknown): v is ManifestObject {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const meta = o['metadata'] as Record<string, unknown> | undefined;
  return typeof o['apiVersion'] === 'string' && typeof o['kind'] === 'string' && typeof meta?.['name'] === 'string';
}

export function readManifestFile(path: string): ManifestObject[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  return docs.map((d) => d.toJS() as unknown).filter(isManifestObject);
}

function builtInClass(provisioner: string): ManifestObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'nfs-client' },
    provisioner,
    parameters: { archiveOnDelete: 'true' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

/** The class to apply, as the default class; `source` says where it came from. */
export function sandboxStorageClass(manifestsDir = MANIFESTS): { object: ManifestObject; source: string } {
  const path = `${manifestsDir}base/storageclass.yaml`;
  const fromFile = existsSync(path) ? readManifestFile(path).find((o) => o.kind === 'StorageClass') : undefined;
  const object = fromFile ?? builtInClass(DEFAULT_PROVISIONER_NAME);
  object.metadata.annotations = { ...object.metadata.annotations, 'storageclass.kubernetes.io/is-default-class': 'true' };
  return { object, source: fromFile ? path : 'built-in nfs-client class' };
}

export function provisionerOf(sc: ManifestObject): string {
  return typeof sc['provisioner'] === 'string' ? sc['provisioner'] : DEFAULT_PROVISIONER_NAME;
}

const BUILT_IN_EXAMPLES: ManifestObject[] = [
  {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'test-claim' },
    spec: { storageClassName: 'nfs-client', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Mi' } } },
  },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'nfs-pv1', annotations: { 'volume.beta.kubernetes.io/storage-class': 'nfs-client' } },
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '100Mi' } } },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: {
      serviceName: 'nginx-svc',
      replicas: 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      volumeClaimTemplates: [
        { metadata: { name: 'www' }, spec: { storageClassName: 'nfs-client', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
      ],
    },
  },
];

/** Kinds the sandbox applies from the examples; Pods are left out (nothing would run them). */
const EXAMPLE_KINDS = new Set(['PersistentVolumeClaim', 'StatefulSet', 'Service']);
const EXAMPLE_FILES = ['claim.yaml', 'legacy-annotation-claim.yaml', 'statefulset.yaml'];

export function sandboxExamples(manifestsDir = MANIFESTS): { objects: ManifestObject[]; source: string } {
  const dir = `${manifestsDir}examples/`;
  const files = EXAMPLE_FILES.map((f) => dir + f).filter((p) => existsSync(p));
  if (files.length === 0) return { objects: structuredClone(BUILT_IN_EXAMPLES), source: 'built-in examples' };
  const objects = files.flatMap(readManifestFile).filter((o) => EXAMPLE_KINDS.has(o.kind));
  return { objects, source: files.join(', ') };
}

/** The class of one more export: `nfs-<name>`, parameter `export: <name>`, archive on delete. */
export function exportStorageClass(exportName: string, provisioner: string): ManifestObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: `nfs-${exportName}` },
    provisioner,
    parameters: { export: exportName, archiveOnDelete: 'true' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

/** An example claim of that class, so the live table shows a volume on every export. */
export function exportExampleClaim(exportName: string): ManifestObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: `${exportName}-claim` },
    spec: { storageClassName: `nfs-${exportName}`, accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Mi' } } },
  };
}
