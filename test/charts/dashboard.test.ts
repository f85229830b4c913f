// The chart's Grafana dashboard and alerts against a real Prometheus (Debian's 2.42) that scrapes two
// running provisioners every second, labelled as a ServiceMonitor of the chart labels its targets:
// "a" on a healthy export (claims provisioned and reclaimed, one refused over and over, a volume
// holding 3 MiB of its 1 MiB) and "b" on an export that hangs (a FUSE pass-through stopped with
// SIGSTOP: probe failing, calls timing out, a claim and a reclaim failing over and over).
// Strict on names: every metric and label a panel, legend, variable or alert names must be one the
// provisioners expose (their /metrics, read directly) or a scrape target label; each panel's query
// must return a number. The alerts whose condition the scenario creates must return series, the
// others none.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { clusterChoice, requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { startCluster } from '../../harness/cluster.ts';
import { makeControllerClients } from '../../harness/controllers/kube-clients.ts';
import { availability, startPassThroughMount } from '../../harness/nfs/index.ts';
import { freePort } from '../../harness/nfs/free-port.ts';
import { startProvisioner } from '../../harness/provisioner-process.ts';
import type { ProvisionerProcess } from '../../harness/provisioner-process.ts';
import { DIRECTORY_ANNOTATION, eventually } from '../e2e/helpers/e2e.ts';
import { fetchMetrics } from '../faults/metrics.ts';
import { findOne } from '../manifests/render.ts';
import { readExposition } from './exposition.ts';
import type { Exposed } from './exposition.ts';
import { requireHelmOrSkip, template } from './helm.ts';
import { requirePrometheusOrSkip } from './prometheus-tools.ts';
import { startPrometheus } from './prometheus-server.ts';
import type { PrometheusServer } from './prometheus-server.ts';
import { legendLabels, queryNames } from './promql-names.ts';

/** The job a ServiceMonitor of release nfs-subdir-external-provisioner's metrics Service gives (the alerts' default selector). */
const JOB = 'nfs-subdir-external-provisioner-metrics';
/** Labels Prometheus adds to a target of a ServiceMonitor (and `instance`, `job`). */
const TARGET_LABELS = new Set(['job', 'instance', 'namespace', 'service', 'pod', 'container', 'endpoint']);
const RATE_INTERVAL = '3m';

interface Target { expr: string; legendFormat?: string }
interface Panel { type: string; title: string; targets?: Target[] }
interface Variable { name: string; type: string; query?: { query: string }; allValue?: string; includeAll?: boolean }
interface Dashboard { panels: Panel[]; templating: { list: Variable[] } }
interface Rule { alert: string; expr: string }

/** The dashboard and the alerts exactly as the chart ships them. */
async function chartQueries(): Promise<{ dashboard: Dashboard; rules: Rule[] }> {
  const objects = await template('nfs-subdir-external-provisioner', {
    set: { 'grafanaDashboard.enabled': 'true', 'metrics.prometheusRule.enabled': 'true' },
  });
  const cm = findOne(objects, 'ConfigMap', 'nfs-subdir-external-provisioner-dashboard') as unknown as V1ConfigMap;
  const dashboard = JSON.parse(cm.data?.['nfs-provisioner.json'] ?? '{}') as Dashboard;
  const spec = findOne(objects, 'PrometheusRule')['spec'] as { groups: Array<{ rules: Rule[] }> };
  return { dashboard, rules: spec.groups.flatMap((g) => g.rules) };
}

/** Grafana's variables as Grafana would fill them for this job, every export. */
function substitute(expr: string, variables: readonly Variable[]): string {
  let out = expr.replaceAll('$__rate_interval', RATE_INTERVAL).replaceAll('$job', JOB);
  for (const v of variables) {
    if (v.name === 'job' || v.name === 'datasource') continue;
    if (v.includeAll !== true || v.allValue === undefined) throw new Error(`variable ${v.name}: the test fills only "All" variables`);
    out = out.replaceAll(`$${v.name}`, v.allValue);
  }
  return out;
}

/** Metrics and labels an expression (and its legend) names that nothing exposes. */
function nameProblems(expr: string, legend: string, exposed: Exposed): string[] {
  const names = queryNames(expr);
  const problems: string[] = [];
  const known = new Set(TARGET_LABELS);
  for (const s of names.selectors) {
    const labels = exposed.get(s.metric);
    if (s.metric === '') problems.push('a selector without a metric name');
    else if (labels === undefined) problems.push(`metric ${s.metric} is not exposed`);
    for (const l of labels ?? []) known.add(l);
    for (const l of s.labels) {
      if (labels !== undefined && !labels.has(l) && !TARGET_LABELS.has(l)) problems.push(`${s.metric} has no label ${l}`);
    }
  }
  for (const l of [...names.grouping, ...legendLabels(legend)]) if (!known.has(l)) problems.push(`no metric of the query has a label ${l}`);
  return problems;
}

void t.test('every dashboard query and alert names what the provisioner exposes and returns data', async (t) => {
  if (!requireHelmOrSkip(t) || !requirePrometheusOrSkip(t) || !requireClusterOrSkip(t)) return;
  const fuse = availability({ need: 'hung-mount' });
  if (!fuse.ok) {
    if (process.env['CI'] === 'true') throw new Error(`${fuse.message} (CI=true: the dashboard test must run)`);
    t.plan(0, `skip: ${fuse.message}`);
    return;
  }
  const { dashboard, rules } = await chartQueries();

  const work = mkdtempSync(join(tmpdir(), 'dashboard-test-'));
  const [exportA, sourceB, mountB, promDir] = ['export-a', 'source-b', 'mount-b', 'prometheus'].map((d) => join(work, d));
  for (const d of [exportA, sourceB, mountB, promDir]) if (d !== undefined) mkdirSync(d);
  if (exportA === undefined || sourceB === undefined || mountB === undefined || promDir === undefined) throw new Error('unreachable');
  // Stopped in this order whatever fails: the mount answers again, provisioners, Prometheus, the cluster.
  const processes: ProvisionerProcess[] = [];
  const started: { prometheus?: PrometheusServer } = {};
  const cluster = await startCluster({ kind: clusterChoice().kind });
  const mount = await startPassThroughMount({ source: sourceB, target: mountB });
  t.teardown(async () => {
    mount.resume();
    for (const p of processes) await p.stop('SIGTERM', 5000);
    await mount.stop();
    await started.prometheus?.stop();
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const identity = await cluster.provisionerIdentity();
  const { core, storage } = makeControllerClients(cluster.kubeconfigPath, 'dashboard-test');
  const [portA, portB] = await Promise.all([freePort(), freePort()]);
  const prom = await startPrometheus({
    dir: promDir,
    job: JOB,
    targets: [
      { address: `127.0.0.1:${String(portA)}`, labels: { namespace: identity.namespace, pod: 'provisioner-a', service: JOB, container: 'nfs-provisioner', endpoint: 'http-metrics' } },
      { address: `127.0.0.1:${String(portB)}`, labels: { namespace: identity.namespace, pod: 'provisioner-b', service: JOB, container: 'nfs-provisioner', endpoint: 'http-metrics' } },
    ],
  });
  started.prometheus = prom;

  // Fast retries, so failures repeat within seconds; a usage pass every second (issue 14's walker).
  const common = { POD_NAMESPACE: identity.namespace, RETRY_MAX_DELAY: '2s', USAGE_INTERVAL: '1s' };
  const a = await startProvisioner({ kubeconfigPath: identity.kubeconfigPath, exportDir: exportA, provisionerName: 'dashboard.test/a', leaderElection: true, podName: 'provisioner-a', env: { ...common, HTTP_LISTEN: `127.0.0.1:${String(portA)}` } });
  processes.push(a);
  const b = await startProvisioner({ kubeconfigPath: identity.kubeconfigPath, exportDir: mountB, provisionerName: 'dashboard.test/b', podName: 'provisioner-b', env: { ...common, HTTP_LISTEN: `127.0.0.1:${String(portB)}`, FS_TIMEOUT: '1s' } });
  processes.push(b);
  await Promise.all([a.waitReady(), b.waitReady()]);
  await eventually('both targets scraped', async () => (await prom.query(`up{job="${JOB}"} == 1`)).length === 2, 30_000, 200);

  for (const [name, provisioner, parameters] of [['nfs-a', 'a', {}], ['nfs-a-refused', 'a', { archiveOnDelete: 'maybe' }], ['nfs-b', 'b', {}]] as const) {
    await storage.createStorageClass({ body: { metadata: { name }, provisioner: `dashboard.test/${provisioner}`, parameters } });
  }
  const claim = (name: string, className: string): Promise<unknown> =>
    core.createNamespacedPersistentVolumeClaim({
      namespace: 'default',
      body: { metadata: { name }, spec: { accessModes: ['ReadWriteMany'], storageClassName: className, resources: { requests: { storage: '1Mi' } } } },
    });
  const bound = (name: string): Promise<string> =>
    eventually(`claim ${name} Bound`, async () => {
      const c = await core.readNamespacedPersistentVolumeClaim({ name, namespace: 'default' });
      return c.status?.phase === 'Bound' ? c.spec?.volumeName : undefined;
    }, 30_000);
  const scrapes = (): Promise<void> => sleep(2500);

  // Counters appear at their first increment: each kind of outcome happens again after a scrape, so rates see it.
  await Promise.all([claim('a-1', 'nfs-a'), claim('b-1', 'nfs-b'), claim('a-refused', 'nfs-a-refused')]);
  await Promise.all([bound('a-1'), bound('b-1')]);
  await scrapes();
  await Promise.all([claim('a-2', 'nfs-a'), claim('a-full', 'nfs-a')]);
  const [, fullPv] = await Promise.all([bound('a-2'), bound('a-full')]);
  const full = await core.readPersistentVolume({ name: fullPv });
  writeFileSync(join(exportA, full.metadata?.annotations?.[DIRECTORY_ANNOTATION] ?? '<none>', 'data.bin'), Buffer.alloc(3 << 20, 1));
  await core.deleteNamespacedPersistentVolumeClaim({ name: 'a-1', namespace: 'default' });
  await scrapes();
  await core.deleteNamespacedPersistentVolumeClaim({ name: 'a-2', namespace: 'default' });

  // b's export hangs: its probe fails, a new claim and a reclaim time out and are retried.
  mount.hang();
  await claim('b-2', 'nfs-b');
  await core.deleteNamespacedPersistentVolumeClaim({ name: 'b-1', namespace: 'default' });

  const exposed: Exposed = new Map();
  const readExposed = async (): Promise<void> => {
    for (const p of [a, b]) readExposition(await fetchMetrics(p.httpUrl), exposed);
  };

  const variables = dashboard.templating.list;
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  t.ok(panels.length >= 20, `${panels.length} panels`);
  const checks = [
    ...panels.map((p) => ({ what: `panel "${p.title}"`, targets: p.targets ?? [] })),
    ...variables.filter((v) => v.type === 'query').map((v) => ({ what: `variable ${v.name}`, targets: [{ expr: v.query?.query ?? '' }] })),
  ];
  const labelValuesQuery = /^label_values\((.+), *([a-zA-Z_][a-zA-Z0-9_]*)\)$/u;
  /** Whether one check returns data now. */
  const hasData = async (targets: readonly Target[]): Promise<boolean> => {
    for (const target of targets) {
      const expr = substitute(target.expr, variables);
      const lv = labelValuesQuery.exec(expr);
      if (lv?.[1] !== undefined && lv[2] !== undefined) {
        if ((await prom.labelValues(lv[2], lv[1])).length > 0) return true;
      } else if ((await prom.query(expr)).some((s) => Number.isFinite(s.value))) return true;
    }
    return false;
  };
  const problemsOf = (targets: readonly Target[]): string[] =>
    targets.flatMap((target) => {
      // label_values(selector, label): the label is checked as a legend would be.
      const lv = labelValuesQuery.exec(target.expr);
      if (lv?.[1] !== undefined) return nameProblems(substitute(lv[1], variables), `{{${lv[2] ?? ''}}}`, exposed);
      return nameProblems(substitute(target.expr, variables), target.legendFormat ?? '', exposed);
    });

  // Until every check has data, but for those naming a metric nothing exposes (they never will).
  const deadline = Date.now() + 60_000;
  const unexposedMetric = (c: (typeof checks)[number]): boolean => problemsOf(c.targets).some((p) => p.startsWith('metric '));
  let waiting = checks;
  for (;;) {
    await readExposed();
    const pending: typeof checks = [];
    for (const c of waiting) if (!unexposedMetric(c) && !(await hasData(c.targets))) pending.push(c);
    waiting = pending;
    if (waiting.length === 0 || Date.now() > deadline) break;
    await sleep(1000);
  }
  await readExposed();

  for (const c of checks) {
    for (const target of c.targets) await t.resolves(prom.formatQuery(substitute(target.expr.replace(labelValuesQuery, '$1'), variables)), `${c.what}: Prometheus parses ${target.expr}`);
    t.same(problemsOf(c.targets), [], `${c.what}: names only exposed metrics and labels`);
    t.ok(await hasData(c.targets), `${c.what}: returns data`);
  }

  // The alerts, without their `for`: those this scenario sets off return series, the others none.
  const expectFiring = new Set(['NfsProvisionerProvisioningFailed', 'NfsProvisionerExportUnhealthy', 'NfsProvisionerExportTimeouts', 'NfsProvisionerReclaimFailing', 'NfsProvisionerVolumeOverCapacity']);
  for (const rule of rules) {
    t.same(nameProblems(rule.expr, '', exposed), [], `${rule.alert}: names only exposed metrics and labels`);
    const firing = expectFiring.has(rule.alert);
    const result = await eventually(`${rule.alert} ${firing ? 'firing' : 'quiet'}`, async () => {
      const r = await prom.query(rule.expr);
      return (r.length > 0) === firing ? r : undefined;
    }, firing ? 20_000 : 1000, 500).catch(() => undefined);
    t.ok(result !== undefined, `${rule.alert}: ${firing ? 'returns series in this scenario' : 'returns none (no such condition here)'}`);
  }
});
