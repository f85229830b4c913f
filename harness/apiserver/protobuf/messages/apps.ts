// k8s.io/api/apps/v1 messages (apps/v1/generated.proto): Deployment and ReplicaSet.
import { list, message } from '../schema.ts';
import type { FieldDef, Message } from '../schema.ts';
import { PodTemplateSpec } from './core.ts';
import { LabelSelector, ObjectMeta } from './meta.ts';

const P = 'k8s.io.api.apps.v1';

const condition = (name: string, times: Record<number, string>): Message => {
  const defs: Record<number, FieldDef> = {
    1: ['type', 'string', 'keep'],
    2: ['status', 'string', 'keep'],
    4: ['reason', 'string'],
    5: ['message', 'string'],
  };
  for (const [n, field] of Object.entries(times)) defs[Number(n)] = [field, 'time'];
  return message(`${P}.${name}`, defs);
};

const DeploymentSpec = message(`${P}.DeploymentSpec`, {
  1: ['replicas', 'int32', 'keep'],
  2: ['selector', LabelSelector],
  3: ['template', PodTemplateSpec],
  4: [
    'strategy',
    message(`${P}.DeploymentStrategy`, {
      1: ['type', 'string'],
      2: ['rollingUpdate', message(`${P}.RollingUpdateDeployment`, { 1: ['maxUnavailable', 'intOrString'], 2: ['maxSurge', 'intOrString'] })],
    }),
  ],
  5: ['minReadySeconds', 'int32'],
  6: ['revisionHistoryLimit', 'int32', 'keep'],
  7: ['paused', 'bool'],
  9: ['progressDeadlineSeconds', 'int32', 'keep'],
});

const DeploymentStatus = message(`${P}.DeploymentStatus`, {
  1: ['observedGeneration', 'int64'],
  2: ['replicas', 'int32'],
  3: ['updatedReplicas', 'int32'],
  7: ['readyReplicas', 'int32'],
  4: ['availableReplicas', 'int32'],
  5: ['unavailableReplicas', 'int32'],
  9: ['terminatingReplicas', 'int32', 'keep'],
  6: ['conditions', list(condition('DeploymentCondition', { 6: 'lastUpdateTime', 7: 'lastTransitionTime' }))],
  8: ['collisionCount', 'int32', 'keep'],
});

export const Deployment = message(`${P}.Deployment`, { 1: ['metadata', ObjectMeta], 2: ['spec', DeploymentSpec], 3: ['status', DeploymentStatus] });

const ReplicaSetSpec = message(`${P}.ReplicaSetSpec`, {
  1: ['replicas', 'int32', 'keep'],
  4: ['minReadySeconds', 'int32'],
  2: ['selector', LabelSelector],
  3: ['template', PodTemplateSpec],
});

const ReplicaSetStatus = message(`${P}.ReplicaSetStatus`, {
  1: ['replicas', 'int32', 'keep'],
  2: ['fullyLabeledReplicas', 'int32'],
  4: ['readyReplicas', 'int32'],
  5: ['availableReplicas', 'int32'],
  7: ['terminatingReplicas', 'int32', 'keep'],
  3: ['observedGeneration', 'int64'],
  6: ['conditions', list(condition('ReplicaSetCondition', { 3: 'lastTransitionTime' }))],
});

export const ReplicaSet = message(`${P}.ReplicaSet`, { 1: ['metadata', ObjectMeta], 2: ['spec', ReplicaSetSpec], 3: ['status', ReplicaSetStatus] });
