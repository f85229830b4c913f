// k8s.io/apimachinery/pkg/apis/meta/v1 messages (generated.proto of apimachinery).
import { list, map, message } from '../schema.ts';

const P = 'k8s.io.apimachinery.pkg.apis.meta.v1';

export const OwnerReference = message(`${P}.OwnerReference`, {
  5: ['apiVersion', 'string', 'keep'],
  1: ['kind', 'string', 'keep'],
  3: ['name', 'string', 'keep'],
  4: ['uid', 'string', 'keep'],
  6: ['controller', 'bool', 'keep'],
  7: ['blockOwnerDeletion', 'bool', 'keep'],
});

export const ManagedFieldsEntry = message(`${P}.ManagedFieldsEntry`, {
  1: ['manager', 'string'],
  2: ['operation', 'string'],
  3: ['apiVersion', 'string'],
  4: ['time', 'time'],
  6: ['fieldsType', 'string'],
  7: ['fieldsV1', 'rawJson'],
  8: ['subresource', 'string'],
});

export const ObjectMeta = message(`${P}.ObjectMeta`, {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  4: ['selfLink', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['generation', 'int64'],
  8: ['creationTimestamp', 'time'],
  9: ['deletionTimestamp', 'time'],
  10: ['deletionGracePeriodSeconds', 'int64', 'keep'],
  11: ['labels', map('string')],
  12: ['annotations', map('string')],
  13: ['ownerReferences', list(OwnerReference)],
  14: ['finalizers', list('string')],
  17: ['managedFields', list(ManagedFieldsEntry)],
});

export const LabelSelectorRequirement = message(`${P}.LabelSelectorRequirement`, {
  1: ['key', 'string', 'keep'],
  2: ['operator', 'string', 'keep'],
  3: ['values', list('string')],
});

export const LabelSelector = message(`${P}.LabelSelector`, {
  1: ['matchLabels', map('string')],
  2: ['matchExpressions', list(LabelSelectorRequirement)],
});

export const FieldSelectorRequirement = message(`${P}.FieldSelectorRequirement`, {
  1: ['key', 'string', 'keep'],
  2: ['operator', 'string', 'keep'],
  3: ['values', list('string')],
});

export const Condition = message(`${P}.Condition`, {
  1: ['type', 'string', 'keep'],
  2: ['status', 'string', 'keep'],
  3: ['observedGeneration', 'int64'],
  4: ['lastTransitionTime', 'time', 'keep'],
  5: ['reason', 'string', 'keep'],
  6: ['message', 'string', 'keep'],
});

const Preconditions = message(`${P}.Preconditions`, {
  1: ['uid', 'string', 'keep'],
  2: ['resourceVersion', 'string', 'keep'],
});

export const DeleteOptions = message(`${P}.DeleteOptions`, {
  1: ['gracePeriodSeconds', 'int64', 'keep'],
  2: ['preconditions', Preconditions],
  3: ['orphanDependents', 'bool', 'keep'],
  4: ['propagationPolicy', 'string', 'keep'],
  5: ['dryRun', list('string')],
  6: ['ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', 'keep'],
});
