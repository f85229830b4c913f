// Installs the RBAC the manifests ship (manifests/base: Namespace, ServiceAccount, ClusterRole,
// ClusterRoleBinding, Role, RoleBinding) into a real control plane, exactly as written there, so
// a provisioner running with its ServiceAccount's token has the permissions an operator's
// `kubectl apply -k manifests/` gives it: no more, no less.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './binaries.ts';

/** POSTs an object to a collection path with admin rights; resolves with the status and body. */
export type AdminPost = (path: string, body: unknown) => Promise<{ status: number; body: string }>;

export const PROVISIONER_NAMESPACE = 'nfs-provisioner';
export const PROVISIONER_SERVICE_ACCOUNT = 'nfs-provisioner';

const BASE = join(REPO_ROOT, 'manifests', 'base');
const FILES = ['namespace.yaml', 'serviceaccount.yaml', 'clusterrole.yaml', 'clusterrolebinding.yaml', 'role.yaml', 'rolebinding.yaml'];

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [k: string]: unknown;
}

/** The collection path an object of a kind is created at (the kinds FILES hold). */
function collectionPath(kind: string, namespace: string): string {
  switch (kind) {
    case 'Namespace':
      return '/api/v1/namespaces';
    case 'ServiceAccount':
      return `/api/v1/namespaces/${namespace}/serviceaccounts`;
    case 'ClusterRole':
      return '/apis/rbac.authorization.k8s.io/v1/clusterroles';
    case 'ClusterRoleBinding':
      return '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings';
    case 'Role':
      return `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`;
    case 'RoleBinding':
      return `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`;
    default:
      throw new Error(`shipped RBAC: unexpected kind ${kind}`);
  }
}

const NAMESPACED = new Set(['ServiceAccount', 'Role', 'RoleBinding']);

/** The shipped RBAC objects, with kustomize's `namespace: nfs-provisioner` applied. */
export function shippedRbac(): Manifest[] {
  const out: Manifest[] = [];
  for (const file of FILES) {
    for (const doc of parseAllDocuments(readFileSync(join(BASE, file), 'utf8'))) {
      const value = doc.toJS() as Manifest | null;
      if (value === null) continue;
      if (NAMESPACED.has(value.kind)) value.metadata.namespace = PROVISIONER_NAMESPACE;
      out.push(value);
    }
  }
  return out;
}

/**
 * Another provisioner's RBAC, read from its own manifest file (e.g. the Go project's
 * deploy/rbac.yaml), with its namespaces as written there: for a bench or test that runs that
 * program with the permissions it is deployed with. Kinds other than RBAC's and ServiceAccount are
 * refused, so a file can grant nothing beyond what it says.
 */
export function readRbacFile(path: string): { objects: Manifest[]; serviceAccount: { namespace: string; name: string } } {
  const objects: Manifest[] = [];
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    const value = doc.toJS() as Manifest | null;
    if (value === null) continue;
    collectionPath(value.kind, value.metadata.namespace ?? '');
    if (NAMESPACED.has(value.kind)) value.metadata.namespace ??= 'default';
    objects.push(value);
  }
  const accounts = objects.filter((o) => o.kind === 'ServiceAccount');
  const account = accounts[0];
  if (account === undefined || accounts.length > 1) throw new Error(`${path}: expected one ServiceAccount, found ${String(accounts.length)}`);
  return { objects, serviceAccount: { namespace: account.metadata.namespace ?? 'default', name: account.metadata.name } };
}

/** Creates the shipped RBAC objects (those already there are left as they are). */
export async function installShippedRbac(post: AdminPost, objects: readonly Manifest[] = shippedRbac()): Promise<void> {
  for (const object of objects) {
    const res = await post(collectionPath(object.kind, object.metadata.namespace ?? ''), object);
    if (res.status !== 201 && res.status !== 409) {
      throw new Error(`installing ${object.kind}/${object.metadata.name}: ${String(res.status)} ${res.body.slice(0, 300)}`);
    }
  }
}
