// Server-side Table cells as the real printers compute them: Events of both APIs (first/last
// seen fallbacks, series, the count of singletons, source), selectors, data counts.
import t from 'tap';
import type { KubeObject } from '../../../harness/apiserver/json.ts';
import { makeRegistry } from '../../../harness/apiserver/resources.ts';
import { toTable } from '../../../harness/apiserver/table.ts';

const registry = makeRegistry();
const now = new Date('2026-01-01T12:00:00Z');
const rt = (group: string, plural: string): NonNullable<ReturnType<typeof registry.get>> => {
  const r = registry.get(group, 'v1', plural);
  if (!r) throw new Error(plural);
  return r;
};
const cells = (group: string, plural: string, o: Record<string, unknown>): Record<string, unknown> => {
  const table = toTable(rt(group, plural), { items: [{ metadata: { name: 'x', creationTimestamp: '2026-01-01T11:00:00Z' }, ...o } as unknown as KubeObject] }, now, 'None');
  const cols = (table['columnDefinitions'] as { name: string }[]).map((c) => c.name);
  const row = (table['rows'] as { cells: unknown[] }[])[0]?.cells ?? [];
  return Object.fromEntries(cols.map((c, i) => [c, row[i]]));
};

void t.test('core Events', (t) => {
  const e = cells('', 'events', {
    involvedObject: { kind: 'PersistentVolumeClaim', name: 'c', fieldPath: 'spec' },
    reason: 'ProvisioningSucceeded',
    message: ' done \n',
    type: 'Normal',
    source: { component: 'nfs-provisioner', host: 'node-1' },
    firstTimestamp: '2026-01-01T11:50:00Z',
    lastTimestamp: '2026-01-01T11:59:00Z',
    count: 3,
  });
  t.same(e, {
    'Last Seen': '60s',
    Type: 'Normal',
    Reason: 'ProvisioningSucceeded',
    Object: 'persistentvolumeclaim/c',
    Subobject: 'spec',
    Source: 'nfs-provisioner, node-1',
    Message: 'done',
    'First Seen': '10m',
    Count: 3,
    Name: 'x',
  });
  const bare = cells('', 'events', { involvedObject: { kind: 'Node' }, eventTime: '2026-01-01T11:58:00.000000Z', reportingComponent: 'kubelet' });
  t.match(bare, { 'Last Seen': '2m', 'First Seen': '2m', Object: 'node', Count: 1, Source: 'kubelet' }, 'eventTime stands in; a singleton counts 1');
  t.match(cells('', 'events', {}), { 'Last Seen': '<unknown>' });
  t.end();
});

void t.test('events.k8s.io Events print under the core names', (t) => {
  const e = cells('events.k8s.io', 'events', {
    regarding: { kind: 'Deployment', name: 'web' },
    note: 'from the new API',
    reason: 'Tested',
    type: 'Warning',
    reportingController: 'tester',
    reportingInstance: 'tester-1',
    eventTime: '2026-01-01T11:00:00.000000Z',
    series: { count: 7, lastObservedTime: '2026-01-01T11:59:30.000000Z' },
  });
  t.match(e, { 'Last Seen': '30s', Object: 'deployment/web', Message: 'from the new API', Source: 'tester, tester-1', 'First Seen': '60m', Count: 7 });
  t.end();
});

void t.test('workloads, config maps, secrets', (t) => {
  const spec = { replicas: 2, selector: { matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }, { key: 'z', operator: 'DoesNotExist' }] }, template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } };
  t.match(cells('apps', 'deployments', { spec }), { Ready: '0/2', Containers: 'c', Images: 'nginx', Selector: 'a=1,b=2,env in (dev,prod),!z' });
  t.match(cells('apps', 'replicasets', { spec, status: { replicas: 2, readyReplicas: 1 } }), { Desired: 2, Current: 2, Ready: 1 });
  t.match(cells('apps', 'replicasets', { spec: { selector: {} } }), { Selector: '<none>' });
  t.match(cells('', 'configmaps', { data: { a: 'b' }, binaryData: { c: 'AA==' } }), { Data: 2, Age: '60m' });
  t.match(cells('', 'secrets', { type: 'Opaque', data: { a: 'Yg==' } }), { Type: 'Opaque', Data: 1 });
  t.end();
});
