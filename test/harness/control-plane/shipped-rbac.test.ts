import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readRbacFile, shippedRbac } from '../../../harness/control-plane/shipped-rbac.ts';

// Shaped like another project's deploy/rbac.yaml (the Go provisioner's): its own ServiceAccount,
// a ClusterRole for volumes and an Endpoints Role for its leader lock.
const OTHER = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: nfs-client-provisioner
  namespace: default
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: nfs-client-provisioner-runner
rules:
  - apiGroups: [""]
    resources: ["persistentvolumes"]
    verbs: ["get", "list", "watch", "create", "delete"]
---
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: leader-locking-nfs-client-provisioner
rules:
  - apiGroups: [""]
    resources: ["endpoints"]
    verbs: ["get", "create", "update"]
`;

void t.test('another provisioner\'s RBAC file: its objects as written, its ServiceAccount', (t) => {
  const dir = t.testdir();
  const file = join(dir, 'rbac.yaml');
  writeFileSync(file, OTHER);
  const rbac = readRbacFile(file);
  t.same(rbac.serviceAccount, { namespace: 'default', name: 'nfs-client-provisioner' });
  t.same(rbac.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`), [
    'ServiceAccount/default/nfs-client-provisioner',
    'ClusterRole//nfs-client-provisioner-runner',
    'Role/default/leader-locking-nfs-client-provisioner',
  ], 'a namespaced object without a namespace goes to default, as kubectl apply puts it');
  writeFileSync(file, `${OTHER}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n`);
  t.throws(() => readRbacFile(file), /unexpected kind Deployment/, 'nothing but RBAC and ServiceAccounts');
  writeFileSync(file, OTHER.split('---')[1] ?? '');
  t.throws(() => readRbacFile(file), /expected one ServiceAccount, found 0/);
  t.end();
});

void t.test('the shipped RBAC still reads from manifests/base', (t) => {
  t.ok(shippedRbac().some((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === 'nfs-provisioner'));
  t.end();
});
