// k8s.io/api/core/v1 messages (core/v1/generated.proto), for the kinds `kubectl create` sends:
// Namespace, ConfigMap, Secret, ServiceAccount, Service, Event, and the pod template of
// workloads. The pod spec is covered for what `kubectl create deployment` and hand-written
// tutorial workloads set; volumes, probes, lifecycle, affinity and security contexts are not,
// so a body that sets them is refused (decode.ts) instead of stored without them.
import { list, map, message } from '../schema.ts';
import type { Message } from '../schema.ts';
import { Condition, ObjectMeta } from './meta.ts';

const P = 'k8s.io.api.core.v1';

export const ObjectReference = message(`${P}.ObjectReference`, {
  1: ['kind', 'string'],
  2: ['namespace', 'string'],
  3: ['name', 'string'],
  4: ['uid', 'string'],
  5: ['apiVersion', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['fieldPath', 'string'],
});

const LocalObjectReference = message(`${P}.LocalObjectReference`, { 1: ['name', 'string'] });

const NamespaceCondition = message(`${P}.NamespaceCondition`, {
  1: ['type', 'string', 'keep'],
  2: ['status', 'string', 'keep'],
  4: ['lastTransitionTime', 'time'],
  5: ['reason', 'string'],
  6: ['message', 'string'],
});

export const Namespace = message(`${P}.Namespace`, {
  1: ['metadata', ObjectMeta],
  2: ['spec', message(`${P}.NamespaceSpec`, { 1: ['finalizers', list('string')] })],
  3: ['status', message(`${P}.NamespaceStatus`, { 1: ['phase', 'string'], 2: ['conditions', list(NamespaceCondition)] })],
});

export const ConfigMap = message(`${P}.ConfigMap`, {
  1: ['metadata', ObjectMeta],
  4: ['immutable', 'bool', 'keep'],
  2: ['data', map('string')],
  3: ['binaryData', map('bytes')],
});

export const Secret = message(`${P}.Secret`, {
  1: ['metadata', ObjectMeta],
  5: ['immutable', 'bool', 'keep'],
  2: ['data', map('bytes')],
  4: ['stringData', map('string')],
  3: ['type', 'string'],
});

export const ServiceAccount = message(`${P}.ServiceAccount`, {
  1: ['metadata', ObjectMeta],
  2: ['secrets', list(ObjectReference)],
  3: ['imagePullSecrets', list(LocalObjectReference)],
  4: ['automountServiceAccountToken', 'bool', 'keep'],
});

const ServicePort = message(`${P}.ServicePort`, {
  1: ['name', 'string'],
  2: ['protocol', 'string'],
  6: ['appProtocol', 'string', 'keep'],
  3: ['port', 'int32', 'keep'],
  4: ['targetPort', 'intOrString'],
  5: ['nodePort', 'int32'],
});

const ServiceSpec = message(`${P}.ServiceSpec`, {
  1: ['ports', list(ServicePort)],
  2: ['selector', map('string')],
  3: ['clusterIP', 'string'],
  18: ['clusterIPs', list('string')],
  4: ['type', 'string'],
  5: ['externalIPs', list('string')],
  7: ['sessionAffinity', 'string'],
  8: ['loadBalancerIP', 'string'],
  9: ['loadBalancerSourceRanges', list('string')],
  10: ['externalName', 'string'],
  11: ['externalTrafficPolicy', 'string'],
  12: ['healthCheckNodePort', 'int32'],
  13: ['publishNotReadyAddresses', 'bool'],
  14: ['sessionAffinityConfig', message(`${P}.SessionAffinityConfig`, { 1: ['clientIP', message(`${P}.ClientIPConfig`, { 1: ['timeoutSeconds', 'int32', 'keep'] })] })],
  19: ['ipFamilies', list('string')],
  17: ['ipFamilyPolicy', 'string', 'keep'],
  20: ['allocateLoadBalancerNodePorts', 'bool', 'keep'],
  21: ['loadBalancerClass', 'string', 'keep'],
  22: ['internalTrafficPolicy', 'string', 'keep'],
  23: ['trafficDistribution', 'string', 'keep'],
});

const PortStatus = message(`${P}.PortStatus`, {
  1: ['port', 'int32', 'keep'],
  2: ['protocol', 'string', 'keep'],
  3: ['error', 'string', 'keep'],
});

const LoadBalancerIngress = message(`${P}.LoadBalancerIngress`, {
  1: ['ip', 'string'],
  2: ['hostname', 'string'],
  3: ['ipMode', 'string', 'keep'],
  4: ['ports', list(PortStatus)],
});

export const Service = message(`${P}.Service`, {
  1: ['metadata', ObjectMeta],
  2: ['spec', ServiceSpec],
  3: ['status', message(`${P}.ServiceStatus`, { 1: ['loadBalancer', message(`${P}.LoadBalancerStatus`, { 1: ['ingress', list(LoadBalancerIngress)] })], 2: ['conditions', list(Condition)] })],
});

const ContainerPort = message(`${P}.ContainerPort`, {
  1: ['name', 'string'],
  2: ['hostPort', 'int32'],
  3: ['containerPort', 'int32', 'keep'],
  4: ['protocol', 'string'],
  5: ['hostIP', 'string'],
});

// Selectors that embed LocalObjectReference: its `name` sits beside the selector's own fields.
const keySelector = (name: string): Message =>
  message(`${P}.${name}`, { 1: ['localObjectReference', LocalObjectReference, 'inline'], 2: ['key', 'string', 'keep'], 3: ['optional', 'bool', 'keep'] });
const envSource = (name: string): Message =>
  message(`${P}.${name}`, { 1: ['localObjectReference', LocalObjectReference, 'inline'], 2: ['optional', 'bool', 'keep'] });

const EnvVarSource = message(`${P}.EnvVarSource`, {
  1: ['fieldRef', message(`${P}.ObjectFieldSelector`, { 1: ['apiVersion', 'string'], 2: ['fieldPath', 'string', 'keep'] })],
  2: ['resourceFieldRef', message(`${P}.ResourceFieldSelector`, { 1: ['containerName', 'string'], 2: ['resource', 'string', 'keep'], 3: ['divisor', 'quantity'] })],
  3: ['configMapKeyRef', keySelector('ConfigMapKeySelector')],
  4: ['secretKeyRef', keySelector('SecretKeySelector')],
  5: ['fileKeyRef', message(`${P}.FileKeySelector`, { 1: ['volumeName', 'string', 'keep'], 2: ['path', 'string', 'keep'], 3: ['key', 'string', 'keep'], 4: ['optional', 'bool', 'keep'] })],
});

const EnvVar = message(`${P}.EnvVar`, { 1: ['name', 'string', 'keep'], 2: ['value', 'string'], 3: ['valueFrom', EnvVarSource] });

const EnvFromSource = message(`${P}.EnvFromSource`, {
  1: ['prefix', 'string'],
  2: ['configMapRef', envSource('ConfigMapEnvSource')],
  3: ['secretRef', envSource('SecretEnvSource')],
});

const ResourceRequirements = message(`${P}.ResourceRequirements`, {
  1: ['limits', map('quantity')],
  2: ['requests', map('quantity')],
  3: ['claims', list(message(`${P}.ResourceClaim`, { 1: ['name', 'string', 'keep'], 2: ['request', 'string'] }))],
});

const VolumeMount = message(`${P}.VolumeMount`, {
  1: ['name', 'string', 'keep'],
  2: ['readOnly', 'bool'],
  7: ['recursiveReadOnly', 'string', 'keep'],
  3: ['mountPath', 'string', 'keep'],
  4: ['subPath', 'string'],
  5: ['mountPropagation', 'string', 'keep'],
  6: ['subPathExpr', 'string'],
  8: ['bindMountOptions', list('string')],
});

const Container = message(`${P}.Container`, {
  1: ['name', 'string', 'keep'],
  2: ['image', 'string'],
  3: ['command', list('string')],
  4: ['args', list('string')],
  5: ['workingDir', 'string'],
  6: ['ports', list(ContainerPort)],
  19: ['envFrom', list(EnvFromSource)],
  7: ['env', list(EnvVar)],
  8: ['resources', ResourceRequirements],
  23: ['resizePolicy', list(message(`${P}.ContainerResizePolicy`, { 1: ['resourceName', 'string', 'keep'], 2: ['restartPolicy', 'string', 'keep'] }))],
  24: ['restartPolicy', 'string', 'keep'],
  9: ['volumeMounts', list(VolumeMount)],
  13: ['terminationMessagePath', 'string'],
  20: ['terminationMessagePolicy', 'string'],
  14: ['imagePullPolicy', 'string'],
  16: ['stdin', 'bool'],
  17: ['stdinOnce', 'bool'],
  18: ['tty', 'bool'],
});

const Toleration = message(`${P}.Toleration`, {
  1: ['key', 'string'],
  2: ['operator', 'string'],
  3: ['value', 'string'],
  4: ['effect', 'string'],
  5: ['tolerationSeconds', 'int64', 'keep'],
});

const PodSpec = message(`${P}.PodSpec`, {
  20: ['initContainers', list(Container)],
  2: ['containers', list(Container)],
  3: ['restartPolicy', 'string'],
  4: ['terminationGracePeriodSeconds', 'int64', 'keep'],
  5: ['activeDeadlineSeconds', 'int64', 'keep'],
  6: ['dnsPolicy', 'string'],
  7: ['nodeSelector', map('string')],
  8: ['serviceAccountName', 'string'],
  9: ['serviceAccount', 'string'],
  21: ['automountServiceAccountToken', 'bool', 'keep'],
  10: ['nodeName', 'string'],
  11: ['hostNetwork', 'bool'],
  12: ['hostPID', 'bool'],
  13: ['hostIPC', 'bool'],
  27: ['shareProcessNamespace', 'bool', 'keep'],
  15: ['imagePullSecrets', list(LocalObjectReference)],
  16: ['hostname', 'string'],
  17: ['subdomain', 'string'],
  19: ['schedulerName', 'string'],
  22: ['tolerations', list(Toleration)],
  24: ['priorityClassName', 'string'],
  25: ['priority', 'int32', 'keep'],
  29: ['runtimeClassName', 'string', 'keep'],
  30: ['enableServiceLinks', 'bool', 'keep'],
  31: ['preemptionPolicy', 'string', 'keep'],
  35: ['setHostnameAsFQDN', 'bool', 'keep'],
  37: ['hostUsers', 'bool', 'keep'],
  41: ['hostnameOverride', 'string', 'keep'],
});

export const PodTemplateSpec = message(`${P}.PodTemplateSpec`, { 1: ['metadata', ObjectMeta], 2: ['spec', PodSpec] });

export const EventSource = message(`${P}.EventSource`, { 1: ['component', 'string'], 2: ['host', 'string'] });

export const EventSeries = message(`${P}.EventSeries`, { 1: ['count', 'int32'], 2: ['lastObservedTime', 'microTime'] });

export const Event = message(`${P}.Event`, {
  1: ['metadata', ObjectMeta],
  2: ['involvedObject', ObjectReference],
  3: ['reason', 'string'],
  4: ['message', 'string'],
  5: ['source', EventSource],
  6: ['firstTimestamp', 'time'],
  7: ['lastTimestamp', 'time'],
  8: ['count', 'int32'],
  9: ['type', 'string'],
  10: ['eventTime', 'microTime'],
  11: ['series', EventSeries],
  12: ['action', 'string'],
  13: ['related', ObjectReference],
  14: ['reportingComponent', 'string', 'keep'],
  15: ['reportingInstance', 'string', 'keep'],
});
