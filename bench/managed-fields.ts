// managedFields as a real API server records them on a bound claim and a provisioned PV (the
// creating client, kube-controller-manager's binding update and its status update). The harness
// stores what a create sends, so the scale scenario's seeded objects are as large in a cache as
// a cluster's are; a provisioner that keeps managedFields in memory pays for them here too.
import type { V1ManagedFieldsEntry } from '@kubernetes/client-node';

const at = new Date('2026-01-01T00:00:00Z');

function entry(manager: string, fieldsV1: object, subresource?: string): V1ManagedFieldsEntry {
  return { manager, operation: 'Update', apiVersion: 'v1', time: at, fieldsType: 'FieldsV1', fieldsV1, ...(subresource === undefined ? {} : { subresource }) };
}

export function boundClaimManagedFields(): V1ManagedFieldsEntry[] {
  return [
    entry('kubectl-client-side-apply', {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': { 'f:accessModes': {}, 'f:resources': { 'f:requests': { '.': {}, 'f:storage': {} } }, 'f:storageClassName': {}, 'f:volumeMode': {} },
    }),
    entry('kube-controller-manager', {
      'f:metadata': {
        'f:annotations': {
          '.': {},
          'f:pv.kubernetes.io/bind-completed': {},
          'f:pv.kubernetes.io/bound-by-controller': {},
          'f:volume.beta.kubernetes.io/storage-provisioner': {},
          'f:volume.kubernetes.io/storage-provisioner': {},
        },
      },
      'f:spec': { 'f:volumeName': {} },
    }),
    entry('kube-controller-manager', { 'f:status': { 'f:accessModes': {}, 'f:capacity': { '.': {}, 'f:storage': {} }, 'f:phase': {} } }, 'status'),
  ];
}

export function provisionedVolumeManagedFields(provisioner: string): V1ManagedFieldsEntry[] {
  return [
    entry(provisioner, {
      'f:metadata': {
        'f:annotations': { '.': {}, 'f:nfs-provisioner.dev/directory': {}, 'f:nfs-provisioner.dev/on-delete': {}, 'f:pv.kubernetes.io/provisioned-by': {} },
        'f:finalizers': { '.': {}, 'v:"external-provisioner.volume.kubernetes.io/finalizer"': {} },
      },
      'f:spec': {
        'f:accessModes': {},
        'f:capacity': { '.': {}, 'f:storage': {} },
        'f:claimRef': { '.': {}, 'f:apiVersion': {}, 'f:kind': {}, 'f:name': {}, 'f:namespace': {}, 'f:uid': {} },
        'f:nfs': { '.': {}, 'f:path': {}, 'f:server': {} },
        'f:persistentVolumeReclaimPolicy': {},
        'f:storageClassName': {},
        'f:volumeMode': {},
      },
    }),
    entry('kube-controller-manager', { 'f:status': { 'f:phase': {} } }, 'status'),
  ];
}
