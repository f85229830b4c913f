// k8s.io/api/rbac/v1 messages (rbac/v1/generated.proto): what `kubectl create role`,
// `clusterrole`, `rolebinding` and `clusterrolebinding` send.
import { list, message } from '../schema.ts';
import type { Message } from '../schema.ts';
import { LabelSelector, ObjectMeta } from './meta.ts';

const P = 'k8s.io.api.rbac.v1';

const PolicyRule = message(`${P}.PolicyRule`, {
  1: ['verbs', list('string')],
  2: ['apiGroups', list('string')],
  3: ['resources', list('string')],
  4: ['resourceNames', list('string')],
  5: ['nonResourceURLs', list('string')],
});

const Subject = message(`${P}.Subject`, {
  1: ['kind', 'string', 'keep'],
  2: ['apiGroup', 'string'],
  3: ['name', 'string', 'keep'],
  4: ['namespace', 'string'],
});

const RoleRef = message(`${P}.RoleRef`, {
  1: ['apiGroup', 'string', 'keep'],
  2: ['kind', 'string', 'keep'],
  3: ['name', 'string', 'keep'],
});

export const Role = message(`${P}.Role`, { 1: ['metadata', ObjectMeta], 2: ['rules', list(PolicyRule)] });

export const ClusterRole = message(`${P}.ClusterRole`, {
  1: ['metadata', ObjectMeta],
  2: ['rules', list(PolicyRule)],
  3: ['aggregationRule', message(`${P}.AggregationRule`, { 1: ['clusterRoleSelectors', list(LabelSelector)] })],
});

const binding = (name: string): Message =>
  message(`${P}.${name}`, { 1: ['metadata', ObjectMeta], 2: ['subjects', list(Subject)], 3: ['roleRef', RoleRef] });

export const RoleBinding = binding('RoleBinding');
export const ClusterRoleBinding = binding('ClusterRoleBinding');
