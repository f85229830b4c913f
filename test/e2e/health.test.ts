// The process's own endpoints, end to end: /healthz answers while the caches cannot sync, /readyz
// says 503 (naming what is not synced) until they have, then 200; /metrics exposes the provision
// and delete counters and they count what happened.
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { PROVISIONER_UA, eventually, setupE2E } from './helpers/e2e.ts';
import { fetchMetrics, sampleValue } from './helpers/metrics.ts';

void t.test('health, readiness and metrics', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  const e2e = await setupE2E(t);
  const { cluster } = e2e;
  await e2e.createClass('nfs');

  // The provisioner's list of StorageClasses hangs: its caches cannot sync.
  const { faults, identity } = await cluster.faultInjection();
  const release = faults.add({ verbs: ['list'], resources: ['storageclasses'], userAgent: PROVISIONER_UA, hang: true });
  const provisioner = await e2e.provisioner({ kubeconfigPath: identity.kubeconfigPath }, false);
  const get = async (path: string): Promise<{ status: number; body: string; type: string }> => {
    const res = await fetch(`${provisioner.httpUrl}${path}`, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
  };

  await t.test('before sync: alive but not ready', async (t) => {
    const healthz = await eventually('/healthz to answer', async () => {
      const r = await get('/healthz');
      return r.status === 200 ? r : undefined;
    }, 30_000, 50);
    t.equal(healthz.status, 200, '/healthz 200: the process and its event loop are alive');
    try {
      // The other caches sync; the one whose list hangs keeps /readyz at 503.
      const readyz = await eventually('/readyz to name only the hanging cache', async () => {
        const r = await get('/readyz');
        return /not synced: storageclasses\s*$/m.test(r.body) ? r : undefined;
      }, 30_000, 50);
      t.equal(readyz.status, 503, '/readyz 503 while a cache is not synced');
      t.pass(`it names what is missing: ${readyz.body.replace(/\n/g, ' ')}`);
      t.equal((await get('/healthz')).status, 200, '/healthz stays 200 meanwhile');
    } finally {
      release();
    }
  });

  await t.test('after sync: ready', async (t) => {
    await eventually('/readyz 200', async () => (await get('/readyz')).status === 200, 30_000, 50);
    t.equal((await get('/healthz')).status, 200, '/healthz still 200');
    t.pass('/readyz 200 once synced and the export answered');
  });

  await t.test('/metrics counts provisions and deletes', async (t) => {
    const before = await get('/metrics');
    t.equal(before.status, 200);
    t.match(before.type, /^text\/plain/, 'Prometheus text format');
    for (const name of ['nfs_provisioner_provisions_total', 'nfs_provisioner_deletes_total', 'nfs_provisioner_queue_depth', 'nfs_provisioner_leader', 'nfs_provisioner_export_probe_duration_seconds']) {
      t.match(before.body, new RegExp(`^# TYPE ${name} `, 'm'), `exposes ${name}`);
    }
    const success = (text: string, metric: string): number => sampleValue(text, metric, { result: 'success' });
    const provisioned0 = success(before.body, 'nfs_provisioner_provisions_total');
    const deleted0 = success(before.body, 'nfs_provisioner_deletes_total');
    const durations0 = success(before.body, 'nfs_provisioner_provision_duration_seconds_count');

    await Promise.all(['m1', 'm2', 'm3'].map((n) => e2e.createClaim(n, { storageClassName: 'nfs' })));
    const { pv } = await e2e.waitBound('m1');
    await e2e.waitBound('m2');
    await e2e.waitBound('m3');
    await e2e.deleteClaim('m1');
    await e2e.waitPvGone(pv.metadata?.name ?? '');

    const after = await eventually('the delete to be counted', async () => {
      const text = await fetchMetrics(provisioner.httpUrl);
      return success(text, 'nfs_provisioner_deletes_total') > deleted0 ? text : undefined;
    });
    t.equal(success(after, 'nfs_provisioner_provisions_total') - provisioned0, 3, 'provisions_total{result="success"} +3');
    t.equal(success(after, 'nfs_provisioner_provision_duration_seconds_count') - durations0, 3, 'three provision durations observed');
    t.equal(success(after, 'nfs_provisioner_deletes_total') - deleted0, 1, 'deletes_total{result="success"} +1: one PV reclaimed once is counted once');
    t.equal(sampleValue(after, 'nfs_provisioner_leader'), 1, 'leader gauge 1 when running alone');
  });

  await e2e.checkSentinel(t);
});
