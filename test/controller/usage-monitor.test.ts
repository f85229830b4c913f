import type { V1ObjectReference, V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import t from 'tap';
import type { Test } from 'tap';
import { USED_BYTES_ANNOTATION } from '../../lib/controller/usage-annotations.ts';
import type { MeasuredUsage, UsageMeter } from '../../lib/controller/usage-meter.ts';
import { UsageMonitor } from '../../lib/controller/usage-monitor.ts';
import { VolumeMetrics } from '../../lib/controller/volume-metrics.ts';
import { FakeClock, flush } from '../kube/fake-clock.ts';
import { memoryLogger } from '../kube/silent-logger.ts';
import { FakeCache, FakePatchApi } from './fake-cache.ts';
import { OURS } from './fixtures.ts';

const MI = 1_048_576;

function pv(name: string, extra: { phase?: string; by?: string; capacity?: string; claim?: string } = {}): V1PersistentVolume {
  return {
    metadata: { name, uid: `uid-${name}`, resourceVersion: '1', annotations: { 'pv.kubernetes.io/provisioned-by': extra.by ?? OURS } },
    spec: { capacity: { storage: extra.capacity ?? '1Mi' }, claimRef: { namespace: 'team', name: extra.claim ?? `claim-${name}`, uid: `claim-uid-${name}` }, nfs: { server: 's', path: `/e/${name}` } },
    status: { phase: extra.phase ?? 'Bound' },
  };
}

class FakeMeter implements UsageMeter {
  readonly usage = new Map<string, MeasuredUsage>();
  readonly measured: string[] = [];
  failing = new Set<string>();
  exportOf(): string {
    return 'default';
  }
  measure(volume: V1PersistentVolume): Promise<MeasuredUsage | undefined> {
    const name = volume.metadata?.name ?? '';
    this.measured.push(name);
    if (this.failing.has(name)) return Promise.reject(new Error('EIO'));
    return Promise.resolve(this.usage.get(name));
  }
}

function setup(t: Test) {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const volumes = new FakeCache<V1PersistentVolume>();
  const api = new FakePatchApi(new FakeCache<V1PersistentVolumeClaim>(), volumes);
  const meter = new FakeMeter();
  const events: { object: V1ObjectReference; type: string; reason: string; message: string }[] = [];
  const registry = new Registry();
  const metrics = new VolumeMetrics(registry);
  const { logger } = memoryLogger();
  const monitor = new UsageMonitor({
    provisionerName: OURS,
    volumes,
    meter,
    api,
    events: {
      record: (object, type, reason, message) => {
        events.push({ object, type, reason, message });
        return Promise.resolve();
      },
    },
    clock,
    logger,
    intervalMs: 600_000,
    metrics,
  });
  const stop = new AbortController();
  let running: Promise<void> = Promise.resolve();
  const start = (): void => {
    running = monitor.run(stop.signal);
  };
  t.teardown(async () => {
    stop.abort();
    await running;
  });
  return { clock, volumes, api, meter, events, registry, monitor, start, stop, running: () => running };
}

async function gauge(registry: Registry, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return [];
  const data = await metric.get();
  return data.values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}

void t.test('a pass measures Bound PVs of ours, fills the gauges, annotates once, warns on overuse', async (t) => {
  const { volumes, meter, api, events, registry, start } = setup(t);
  volumes.set(pv('pv-a'));
  volumes.set(pv('pv-b', { capacity: '10Mi' }));
  volumes.set(pv('pv-released', { phase: 'Released' }));
  volumes.set(pv('pv-theirs', { by: 'other' }));
  meter.usage.set('pv-a', { bytes: 3 * MI, files: 3, skipped: 0 });
  meter.usage.set('pv-b', { bytes: 4096, files: 1, skipped: 0 });
  start();
  await flush();
  t.same(meter.measured, ['pv-a', 'pv-b'], 'only Bound PVs of ours, in name order');
  const labels = { namespace: 'team', persistentvolumeclaim: 'claim-pv-a', persistentvolume: 'pv-a', export: 'default' };
  t.same((await gauge(registry, 'nfs_provisioner_volume_used_bytes')).find((g) => g.labels['persistentvolume'] === 'pv-a'), { labels, value: 3 * MI });
  t.same((await gauge(registry, 'nfs_provisioner_volume_files')).map((g) => g.value).sort(), [1, 3]);
  t.same((await gauge(registry, 'nfs_provisioner_volume_capacity_bytes')).map((g) => g.value).sort((a, b) => a - b), [MI, 10 * MI]);
  t.same((await gauge(registry, 'nfs_provisioner_volume_over_capacity')).map((g) => `${String(g.labels['persistentvolume'])}=${g.value}`).sort(), ['pv-a=1', 'pv-b=0']);
  t.same(api.calls.sort(), ['patch pv pv-a', 'patch pv pv-b']);
  t.equal(volumes.get('pv-a')?.metadata?.annotations?.[USED_BYTES_ANNOTATION], String(3 * MI));
  t.equal(events.length, 1);
  t.match(events[0], {
    object: { kind: 'PersistentVolumeClaim', namespace: 'team', name: 'claim-pv-a', uid: 'claim-uid-pv-a' },
    type: 'Warning',
    reason: 'VolumeOverCapacity',
    message: 'volume pv-a holds 3.0 MiB (3145728 bytes) in 3 files, more than its capacity 1Mi (1048576 bytes); NFS does not enforce the size',
  });
  t.same((await gauge(registry, 'nfs_provisioner_usage_passes_total')).map((g) => g.value), [1]);
});

void t.test('the next passes: every interval, no new writes within the hour, the warning at most hourly', async (t) => {
  const { clock, volumes, meter, api, events, start } = setup(t);
  volumes.set(pv('pv-a'));
  meter.usage.set('pv-a', { bytes: 3 * MI, files: 3, skipped: 0 });
  start();
  await flush();
  t.equal(meter.measured.length, 1);
  meter.usage.set('pv-a', { bytes: 5 * MI, files: 5, skipped: 0 });
  await clock.advance(599_999);
  t.equal(meter.measured.length, 1, 'not before the interval');
  await clock.advance(1);
  t.equal(meter.measured.length, 2, 'second pass');
  t.equal(api.calls.length, 1, 'a big change within the hour is not written');
  t.equal(events.length, 1, 'nor warned again');
  for (let i = 0; i < 5; i++) await clock.advance(600_000);
  t.equal(meter.measured.length, 7);
  t.equal(api.calls.length, 2, 'written again once the hour is over');
  t.equal(events.length, 2, 'warned again once the hour is over');
});

void t.test('series of a deleted, released or re-assigned volume go at once; failures keep the others going', async (t) => {
  const { volumes, meter, registry, start } = setup(t);
  volumes.set(pv('pv-a'));
  volumes.set(pv('pv-b'));
  volumes.set(pv('pv-c'));
  meter.usage.set('pv-a', { bytes: 1, files: 1, skipped: 0 });
  meter.usage.set('pv-c', { bytes: 1, files: 1, skipped: 0 });
  meter.failing.add('pv-b');
  start();
  await flush();
  t.same(meter.measured, ['pv-a', 'pv-b', 'pv-c'], 'a failure does not stop the pass');
  const names = async (): Promise<string[]> => (await gauge(registry, 'nfs_provisioner_volume_used_bytes')).map((g) => String(g.labels['persistentvolume'])).sort();
  t.same(await names(), ['pv-a', 'pv-c']);
  volumes.remove(pv('pv-a'));
  t.same(await names(), ['pv-c'], 'deleted: gone');
  volumes.set(pv('pv-c', { phase: 'Released' }));
  t.same(await names(), [], 'released: gone');
  t.same((await gauge(registry, 'nfs_provisioner_usage_errors_total')).map((g) => `${String(g.labels['kind'])}=${g.value}`), ['failed=1']);
});

void t.test('a standby reports nothing: the series go when the run stops', async (t) => {
  const { volumes, meter, registry, start, stop, running } = setup(t);
  volumes.set(pv('pv-a'));
  meter.usage.set('pv-a', { bytes: 1, files: 1, skipped: 0 });
  start();
  await flush();
  t.equal((await gauge(registry, 'nfs_provisioner_volume_used_bytes')).length, 1);
  stop.abort();
  await running();
  t.equal((await gauge(registry, 'nfs_provisioner_volume_used_bytes')).length, 0);
});

void t.test('the capacity gauge follows an expansion without waiting for a pass', async (t) => {
  const { volumes, meter, registry, start } = setup(t);
  volumes.set(pv('pv-a'));
  meter.usage.set('pv-a', { bytes: 1, files: 1, skipped: 0 });
  start();
  await flush();
  volumes.set(pv('pv-a', { capacity: '2Mi' }));
  t.same((await gauge(registry, 'nfs_provisioner_volume_capacity_bytes')).map((g) => g.value), [2 * MI]);
});

void t.test('the interval must be positive', (t) => {
  const { logger } = memoryLogger();
  t.throws(
    () =>
      new UsageMonitor({
        provisionerName: OURS,
        volumes: new FakeCache<V1PersistentVolume>(),
        meter: new FakeMeter(),
        api: { patchVolume: () => Promise.reject(new Error('unused')) },
        events: { record: () => Promise.resolve() },
        clock: new FakeClock(),
        logger,
        intervalMs: 0,
      }),
    RangeError,
  );
  t.end();
});
