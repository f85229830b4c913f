// Pod spec defaulting as SetDefaults_PodSpec / SetDefaults_Container: the pull policy by image
// tag, container and port defaults, what is left alone, and Pod-only requests from limits.
import t from 'tap';
import type { JsonObject } from '../../../harness/apiserver/json.ts';
import { defaultPodSpec } from '../../../harness/apiserver/pod-defaults.ts';

const container = (image: string, extra: JsonObject = {}): JsonObject => ({ name: 'c', image, ...extra });
const defaulted = (spec: JsonObject, isPod = false): JsonObject => {
  defaultPodSpec(spec, isPod);
  return spec;
};
const policy = (image: string): unknown => (defaulted({ containers: [container(image)] })['containers'] as JsonObject[])[0]?.['imagePullPolicy'];

void t.test('imagePullPolicy by tag', (t) => {
  t.equal(policy('nginx'), 'Always', 'no tag is latest');
  t.equal(policy('nginx:latest'), 'Always');
  t.equal(policy('nginx:1.27'), 'IfNotPresent');
  t.equal(policy('registry:5000/team/app'), 'Always', 'a registry port is no tag');
  t.equal(policy('registry:5000/team/app:v2'), 'IfNotPresent');
  t.equal(policy('nginx@sha256:abc'), 'IfNotPresent', 'a digest without a tag');
  t.end();
});

void t.test('spec and container defaults', (t) => {
  const spec = defaulted({ containers: [container('nginx:1', { ports: [{ containerPort: 80 }] })], initContainers: [container('busybox:1')] });
  t.match(spec, { dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', securityContext: {}, terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler' });
  t.same((spec['containers'] as JsonObject[])[0], {
    name: 'c',
    image: 'nginx:1',
    ports: [{ containerPort: 80, protocol: 'TCP' }],
    imagePullPolicy: 'IfNotPresent',
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    resources: {},
  });
  t.match((spec['initContainers'] as JsonObject[])[0], { terminationMessagePolicy: 'File' }, 'init containers too');
  const kept = defaulted({ restartPolicy: 'Never', terminationGracePeriodSeconds: 0, serviceAccount: 'old', containers: [container('x:1', { imagePullPolicy: 'Never', ports: [{ containerPort: 53, protocol: 'UDP' }] })] });
  t.match(kept, { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, serviceAccountName: 'old', serviceAccount: 'old' }, 'set values stay; the deprecated alias fills the name');
  t.match((kept['containers'] as JsonObject[])[0], { imagePullPolicy: 'Never', ports: [{ protocol: 'UDP' }] });
  const host = defaulted({ hostNetwork: true, containers: [container('x:1', { ports: [{ containerPort: 8080 }] })] });
  t.same(((host['containers'] as JsonObject[])[0]?.['ports'] as JsonObject[])[0], { containerPort: 8080, protocol: 'TCP', hostPort: 8080 });
  t.end();
});

void t.test('requests from limits on Pods only', (t) => {
  const withLimits = (): JsonObject => ({ containers: [container('x:1', { resources: { limits: { cpu: '1' }, requests: { memory: '1Gi' } } })] });
  t.same((defaulted(withLimits(), true)['containers'] as JsonObject[])[0]?.['resources'], { limits: { cpu: '1' }, requests: { memory: '1Gi', cpu: '1' } });
  t.same((defaulted(withLimits(), false)['containers'] as JsonObject[])[0]?.['resources'], { limits: { cpu: '1' }, requests: { memory: '1Gi' } }, 'not on templates');
  t.end();
});
