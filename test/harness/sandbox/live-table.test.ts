import t from 'tap';
import { changeLines, listExportDirs, renderTable, shortBytes, usedBytesFromMetrics } from '../../../harness/sandbox/live-table.ts';
import type { TableState } from '../../../harness/sandbox/live-table.ts';

const state = (phase: string): TableState => ({
  claims: [{ metadata: { name: 'test-claim', namespace: 'default' }, spec: { volumeName: phase === 'Bound' ? 'pvc-1' : '' }, status: { phase } }],
  volumes:
    phase === 'Bound'
      ? [{ metadata: { name: 'pvc-1', annotations: { 'nfs-provisioner.dev/export': 'second' } }, spec: { capacity: { storage: '1Mi' }, claimRef: { namespace: 'default', name: 'test-claim' }, persistentVolumeReclaimPolicy: 'Delete' }, status: { phase: 'Bound' } }]
      : [],
  dirs: phase === 'Bound' ? [{ export: 'second', path: 'default-test-claim-pvc-1' }] : [],
});

void t.test('the table shows claims, volumes and directories', (t) => {
  const text = renderTable(state('Bound')).join('\n');
  t.match(text, /CLAIMS \(1\)/);
  t.match(text, /default\/test-claim\s+Bound\s+pvc-1/);
  t.match(text, /pvc-1\s+Bound\s+default\/test-claim\s+Delete\s+second\s+-\/1Mi/);
  t.match(text, /EXPORT DIRECTORIES \(1\)\n\s+EXPORT\s+PATH\n\s+second\s+default-test-claim-pvc-1/);
  t.match(renderTable(state('Pending')).join('\n'), /default\/test-claim\s+Pending\s+-/);
  t.end();
});

void t.test('change lines say what changed', (t) => {
  t.same(changeLines(undefined, state('Pending')), ['claim default/test-claim  Pending  -']);
  t.same(changeLines(state('Pending'), state('Bound')), ['claim default/test-claim  Bound  pvc-1', 'volume pvc-1  Bound  default/test-claim  Delete  second  -/1Mi', 'dir second:default-test-claim-pvc-1  default-test-claim-pvc-1']);
  t.same(changeLines(state('Bound'), state('Pending')), ['claim default/test-claim  Pending  -', 'volume pvc-1  (gone)', 'dir second:default-test-claim-pvc-1  (gone)']);
  t.end();
});

void t.test('export directories two levels deep', async (t) => {
  const dir = t.testdir({ 'default-a-pvc-1': { data: 'x' }, ns: { shared: { deeper: {} } }, 'file.txt': 'x' });
  t.same((await listExportDirs(dir)).sort(), ['default-a-pvc-1', 'ns', 'ns/shared']);
});

void t.test('used / capacity per volume: from the metrics, else the PV annotation', (t) => {
  const metrics = [
    '# HELP nfs_provisioner_volume_used_bytes ...',
    'nfs_provisioner_volume_used_bytes{namespace="default",persistentvolumeclaim="test-claim",persistentvolume="pvc-1",export="default"} 3153920',
    'nfs_provisioner_volume_files{namespace="default",persistentvolumeclaim="test-claim",persistentvolume="pvc-1",export="default"} 2',
  ].join('\n');
  const used = usedBytesFromMetrics(metrics);
  t.same([...used], [['pvc-1', 3153920]]);
  t.match(renderTable({ ...state('Bound'), used }).join('\n'), /USED\/CAPACITY\n.*Delete\s+second\s+3\.0Mi\/1Mi/);
  const annotated = state('Bound');
  const pv = annotated.volumes[0];
  if (pv?.metadata) pv.metadata.annotations = { 'nfs-provisioner.dev/used-bytes': '512' };
  t.match(renderTable(annotated).join('\n'), /Delete\s+-\s+512B\/1Mi/);
  t.equal(shortBytes(1536), '1.5Ki');
  t.end();
});
