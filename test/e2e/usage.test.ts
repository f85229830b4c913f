// Usage end to end: the real provisioner's walker measures what volumes hold, its /metrics shows
// the per-volume gauges, the PV carries the usage annotations, an overfull volume gets
// VolumeOverCapacity, symlinks out of a volume are not followed, and a deleted volume's series go.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DIRECTORY_ANNOTATION, eventually, PROVISIONER_UA, setupE2E } from './helpers/e2e.ts';

const MI = 1_048_576;

interface Sample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The samples of one metric in a Prometheus text exposition. */
function samples(text: string, metric: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/u.exec(line);
    if (m?.[1] !== metric) continue;
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/gu)) labels[pair[1] ?? ''] = pair[2] ?? '';
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

void t.test('3 MiB in a 1Mi volume: gauges, annotations, VolumeOverCapacity; a symlink out is not followed; series go with the volume', async (t) => {
  const e2e = await setupE2E(t);
  const ns = 'usage-e2e';
  await e2e.core.createNamespace({ body: { metadata: { name: ns } } });
  await e2e.createClass('nfs-usage');
  const proc = await e2e.provisioner({ env: { USAGE_INTERVAL: '1s' } });
  await e2e.createClaim('big', { namespace: ns, storageClassName: 'nfs-usage', storage: '1Mi' });
  await e2e.createClaim('linked', { namespace: ns, storageClassName: 'nfs-usage', storage: '1Mi' });
  const big = await e2e.waitBound('big', ns);
  const linked = await e2e.waitBound('linked', ns);
  const bigPv = big.pv.metadata?.name ?? '';
  const linkedPv = linked.pv.metadata?.name ?? '';
  const bigDir = join(e2e.exportDir, big.pv.metadata?.annotations?.[DIRECTORY_ANNOTATION] ?? '');
  const linkedDir = join(e2e.exportDir, linked.pv.metadata?.annotations?.[DIRECTORY_ANNOTATION] ?? '');

  // 3 MiB of data a pod wrote, in two files one of which is hard-linked (counted once).
  writeFileSync(join(bigDir, 'data.bin'), Buffer.alloc(2 * MI, 7));
  mkdirSync(join(bigDir, 'logs'));
  writeFileSync(join(bigDir, 'logs', 'app.log'), Buffer.alloc(MI, 8));
  // A pod in the other volume links to 4 MiB outside the export and to the whole sentinel tree.
  const outside = join(e2e.root, 'outside.bin');
  writeFileSync(outside, Buffer.alloc(4 * MI, 9));
  symlinkSync(outside, join(linkedDir, 'escape.bin'));
  symlinkSync(e2e.sentinelDir, join(linkedDir, 'escape-dir'));

  const metrics = async (): Promise<string> => (await fetch(`${proc.httpUrl}/metrics`)).text();
  const of = (text: string, metric: string, pv: string): Sample | undefined => samples(text, metric).find((s) => s.labels['persistentvolume'] === pv);
  const text = await eventually(
    'the walker to report 3 MiB in big',
    async () => {
      const body = await metrics();
      return (of(body, 'nfs_provisioner_volume_used_bytes', bigPv)?.value ?? 0) >= 3 * MI && body;
    },
    20_000,
  );
  const used = of(text, 'nfs_provisioner_volume_used_bytes', bigPv);
  t.same(used?.labels, { namespace: ns, persistentvolumeclaim: 'big', persistentvolume: bigPv, export: 'default' });
  t.ok((used?.value ?? 0) < 3 * MI + 64 * 1024, `used bytes ${used?.value ?? 0}: the data plus a few directory blocks`);
  t.equal(of(text, 'nfs_provisioner_volume_files', bigPv)?.value, 2);
  t.equal(of(text, 'nfs_provisioner_volume_capacity_bytes', bigPv)?.value, MI);
  t.equal(of(text, 'nfs_provisioner_volume_over_capacity', bigPv)?.value, 1, 'the metric says it is over');
  t.ok((of(text, 'nfs_provisioner_volume_used_bytes', linkedPv)?.value ?? Infinity) < 64 * 1024, 'the linked 4 MiB and the sentinel are not counted');
  t.equal(of(text, 'nfs_provisioner_volume_files', linkedPv)?.value, 2, 'the two symlinks themselves');
  t.equal(of(text, 'nfs_provisioner_volume_over_capacity', linkedPv)?.value, 0);

  const event = await e2e.waitEvent({ name: 'big', namespace: ns, reason: 'VolumeOverCapacity' });
  t.equal(event.type, 'Warning');
  t.match(event.message, new RegExp(`^volume ${bigPv} holds 3\\.\\d MiB \\(\\d+ bytes\\) in 2 files, more than its capacity 1Mi \\(1048576 bytes\\)`));
  t.equal(event.involvedObject.kind, 'PersistentVolumeClaim');
  t.equal(event.involvedObject.uid, big.claim.metadata?.uid);
  t.same(await e2e.events({ name: 'linked', namespace: ns, reason: 'VolumeOverCapacity' }), []);

  // The PV is annotated at its first measurement, which may have been before the data was written:
  // then, by design, not again within the hour (a change > 1 % and an hour since the last write).
  const annotated = await eventually('the usage annotations on the PV', async () => {
    const pv = await e2e.readPv(bigPv);
    return pv?.metadata?.annotations?.['nfs-provisioner.dev/used-bytes'] !== undefined && pv;
  });
  const annotations = annotated.metadata?.annotations ?? {};
  t.ok(Number(annotations['nfs-provisioner.dev/used-bytes']) >= 4096, 'bytes of a measurement (at least the directory itself)');
  t.match(annotations['nfs-provisioner.dev/used-files'], /^[0-2]$/);
  t.match(annotations['nfs-provisioner.dev/usage-updated-at'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  // Several passes later: still one event and one annotation write per volume.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const events = await e2e.events({ name: 'big', namespace: ns, reason: 'VolumeOverCapacity' });
  t.equal(events.length, 1);
  t.equal(events[0]?.count ?? 1, 1, 'not repeated within the hour');
  // The harness logs every request; a real kube-apiserver has no such log here.
  const log = (e2e.cluster as { apiServer?: { requests?: { entries(): { userAgent?: string; verb: string; resource?: string; name?: string }[] } } }).apiServer?.requests;
  if (log !== undefined) {
    const patches = log.entries().filter((r) => PROVISIONER_UA.test(r.userAgent ?? '') && r.verb === 'patch' && r.resource === 'persistentvolumes' && r.name === bigPv);
    t.equal(patches.length, 1, 'one annotation write in several passes');
  }

  await e2e.deleteClaim('big', ns);
  await e2e.waitPvGone(bigPv);
  const after = await metrics();
  t.equal(of(after, 'nfs_provisioner_volume_used_bytes', bigPv), undefined, "the deleted volume's series are gone");
  t.equal(of(after, 'nfs_provisioner_volume_capacity_bytes', bigPv), undefined);
  t.ok(of(after, 'nfs_provisioner_volume_used_bytes', linkedPv), 'the other volume still reports');
  await e2e.checkSentinel(t);
});
