// Real NFS: what a pod writes into its volume through the NFS protocol is what the usage walker
// reports (the provisioner sees the export as its pod mount would; du on the exported directory
// is the reference).
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { requireNfsOrSkip } from '../../harness/nfs/index.ts';
import { until } from './nfs-helpers/until.ts';
import { startNfsWorld } from './nfs-helpers/nfs-world.ts';
import { diskPathOf, mountVolume, payload } from './nfs-helpers/volume-access.ts';

function gauge(text: string, metric: string, pv: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${metric}{`) && l.includes(`persistentvolume="${pv}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

void t.test('usage of a volume written through NFS is what the walker reports', async (t) => {
  if (!requireNfsOrSkip(t)) return;
  const world = await startNfsWorld(t, { provisionerEnv: { USAGE_INTERVAL: '1s' } });
  await world.createClass('nfs-usage');
  await world.createClaim('written', { storageClassName: 'nfs-usage' });
  const { pv } = await world.waitBound('written');
  const pvName = pv.metadata?.name ?? '';
  const client = mountVolume(world, pv);
  await client.writeFile('a.bin', payload('a', 300_000));
  await client.mkdir('logs');
  await client.writeFile('logs/b.txt', payload('b', 70_000));
  await client.writeFile('logs/c.txt', payload('c', 10));

  const onDisk = diskPathOf(world, pv);
  const expected = Number(execFileSync('du', ['-s', '-x', '-B1', onDisk], { encoding: 'utf8' }).split('\t')[0]);
  const url = `${world.provisioner?.httpUrl ?? ''}/metrics`;
  // A pass may have run between two of the writes: wait for one that saw them all (it times out,
  // and fails, if the walker never agrees with du).
  let last = '';
  const reported = await until(`the walker to report 3 files and du's ${expected} bytes`, async () => {
    last = await (await fetch(url)).text();
    return gauge(last, 'nfs_provisioner_volume_files', pvName) === 3 && gauge(last, 'nfs_provisioner_volume_used_bytes', pvName) === expected ? last : undefined;
  }).catch((error: unknown) => {
    t.comment(`last gauges: files ${String(gauge(last, 'nfs_provisioner_volume_files', pvName))}, bytes ${String(gauge(last, 'nfs_provisioner_volume_used_bytes', pvName))}`);
    throw error;
  });
  t.equal(gauge(reported, 'nfs_provisioner_volume_used_bytes', pvName), expected, `used bytes = du -s -B1 of the directory (${expected})`);
  t.ok(expected >= 370_010, 'at least what was written');
});
