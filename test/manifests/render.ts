// Renders a kustomization with kubectl's built-in kustomize, as an operator's `kubectl apply -k`
// would, and reads the result as plain objects. Shared by the manifest and RBAC tests.
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { kubectl } from './kubectl.ts';

/** The repository's manifests/ directory. */
export const manifestsDir = fileURLToPath(new URL('../../manifests/', import.meta.url));

/** A rendered Kubernetes object: only the fields every object has are typed. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const o = value as Record<string, unknown>;
  const meta = o['metadata'];
  return (
    typeof o['apiVersion'] === 'string' &&
    typeof o['kind'] === 'string' &&
    typeof meta === 'object' &&
    meta !== null &&
    typeof (meta as Record<string, unknown>)['name'] === 'string'
  );
}

/** Multi-document YAML of Kubernetes objects (kustomize's or helm's output); `what` names it in errors. */
export function parseObjects(text: string, what: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: true })) {
    if (doc.errors.length > 0) throw new Error(`${what}: ${doc.errors[0]?.message ?? ''}`);
    const value: unknown = doc.toJS();
    if (value === null) continue;
    if (!isKubeObject(value)) throw new Error(`${what}: not a Kubernetes object: ${JSON.stringify(value)}`);
    objects.push(value);
  }
  return objects;
}

/** `kubectl kustomize <dir>` (dir relative to manifests/), parsed. Throws on any render or parse error. */
export async function renderKustomization(dir: string): Promise<KubeObject[]> {
  return parseObjects(await kubectl(['kustomize', `${manifestsDir}${dir}`]), `kustomize output of ${dir}`);
}

/** The one object of a kind (and name, if given); throws when there is not exactly one. */
export function findOne(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1 || found[0] === undefined) {
    throw new Error(`expected one ${kind}${name === undefined ? '' : `/${name}`}, found ${found.length}`);
  }
  return found[0];
}
