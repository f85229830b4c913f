import { spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { checkMountPath, ConfigError, leaseNameFor, loadConfig, parseGoDuration, provisionerNameProblem } from '../lib/config.ts';

const MAIN = fileURLToPath(new URL('../lib/main.ts', import.meta.url));
const BASE = { NFS_SERVER: 'nfs.example.com', NFS_PATH: '/exports/k8s', PROVISIONER_NAME: 'example.com/nfs' };

void t.test('defaults of every variable', (t) => {
  const c = loadConfig(BASE, [], { hostname: 'host', pid: 42 });
  t.equal(c.nfsMountPath, '/persistentvolumes');
  t.equal(c.kubeconfig, undefined);
  t.equal(c.logLevel, 'info');
  t.same(c.httpListen, { host: '0.0.0.0', port: 8080 });
  t.equal(c.kubeApiQps, 200);
  t.equal(c.kubeApiBurst, 1000);
  t.equal(c.workers, 16);
  t.equal(c.fsTimeoutMs, 10_000);
  t.equal(c.fsConcurrency, 2);
  t.equal(c.resyncPeriodMs, 600_000);
  t.equal(c.retryBaseDelayMs, 1000);
  t.equal(c.retryMaxDelayMs, 300_000);
  t.equal(c.usageIntervalMs, 600_000, 'usage walker every 10 minutes');
  t.same(c.leaderElection, {
    enabled: true,
    namespace: 'default',
    name: 'example.com-nfs',
    identity: 'host-42',
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
  });
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.leaderElection), 'frozen');
  t.end();
});

void t.test('values from env, flags win over env', (t) => {
  const c = loadConfig(
    {
      ...BASE,
      ENABLE_LEADER_ELECTION: 'false',
      NFS_MOUNT_PATH: '/mnt/x',
      KUBECONFIG: '/tmp/kc',
      LOG_LEVEL: 'debug',
      HTTP_LISTEN: '127.0.0.1:9090',
      KUBE_API_QPS: '12.5',
      KUBE_API_BURST: '30',
      WORKERS: '4',
      POD_NAMESPACE: 'kube-system',
      LEADER_ELECTION_LEASE_DURATION: '30s',
      LEADER_ELECTION_RENEW_DEADLINE: '20s',
      LEADER_ELECTION_RETRY_PERIOD: '500ms',
      FS_TIMEOUT: '1m30s',
      FS_CONCURRENCY: '8',
      POD_NAME: 'pod-a',
      RESYNC_PERIOD: '1h',
    },
    ['--workers', '7', '--leader-election-namespace', 'storage', '--retry-max-delay', '10s'],
  );
  t.equal(c.leaderElection.enabled, false);
  t.equal(c.nfsMountPath, '/mnt/x');
  t.equal(c.kubeconfig, '/tmp/kc');
  t.equal(c.logLevel, 'debug');
  t.same(c.httpListen, { host: '127.0.0.1', port: 9090 });
  t.equal(c.kubeApiQps, 12.5);
  t.equal(c.kubeApiBurst, 30);
  t.equal(c.workers, 7, 'flag wins');
  t.equal(c.leaderElection.namespace, 'storage', 'LEADER_ELECTION_NAMESPACE (flag) wins over POD_NAMESPACE');
  t.equal(c.leaderElection.leaseDurationMs, 30_000);
  t.equal(c.leaderElection.retryPeriodMs, 500);
  t.equal(c.leaderElection.identity, 'pod-a');
  t.equal(c.fsTimeoutMs, 90_000);
  t.equal(c.fsConcurrency, 8);
  t.equal(c.resyncPeriodMs, 3_600_000);
  t.equal(c.retryMaxDelayMs, 10_000);
  t.equal(loadConfig({ ...BASE, POD_NAMESPACE: 'ns1' }).leaderElection.namespace, 'ns1');
  t.same(loadConfig({ ...BASE, HTTP_LISTEN: '[::1]:0' }).httpListen, { host: '::1', port: 0 });
  t.same(loadConfig({ ...BASE, HTTP_LISTEN: ':8081' }).httpListen, { host: '0.0.0.0', port: 8081 });
  t.equal(loadConfig({ ...BASE, NFS_SERVER: '10.0.0.5' }).nfsServer, '10.0.0.5');
  t.equal(loadConfig({ ...BASE, NFS_SERVER: 'fd00::5' }).nfsServer, 'fd00::5');
  t.equal(loadConfig({ ...BASE, ENABLE_LEADER_ELECTION: '1' }).leaderElection.enabled, true);
  t.end();
});

const BAD: [string, Record<string, string>, string[], RegExp][] = [
  ['missing NFS_SERVER', { NFS_PATH: '/x', PROVISIONER_NAME: 'a/b' }, [], /^NFS_SERVER: is required/],
  ['missing NFS_PATH', { NFS_SERVER: 'h', PROVISIONER_NAME: 'a/b' }, [], /^NFS_PATH: is required/],
  ['missing PROVISIONER_NAME', { NFS_SERVER: 'h', NFS_PATH: '/x' }, [], /^PROVISIONER_NAME: is required/],
  ['blank PROVISIONER_NAME', { ...BASE, PROVISIONER_NAME: '  ' }, [], /^PROVISIONER_NAME: is required/],
  ['provisioner name with two slashes', { ...BASE, PROVISIONER_NAME: 'a/b/c' }, [], /^PROVISIONER_NAME: .*at most one "\/"/],
  ['provisioner name with spaces', { ...BASE, PROVISIONER_NAME: 'my nfs' }, [], /^PROVISIONER_NAME: /],
  ['provisioner name with bad prefix', { ...BASE, PROVISIONER_NAME: '-x.com/nfs' }, [], /^PROVISIONER_NAME: .*prefix/],
  ['provisioner name part too long', { ...BASE, PROVISIONER_NAME: `x.com/${'a'.repeat(64)}` }, [], /^PROVISIONER_NAME: .*63/],
  ['NFS_SERVER not a host', { ...BASE, NFS_SERVER: 'nfs server!' }, [], /^NFS_SERVER: /],
  ['NFS_SERVER bad IPv4', { ...BASE, NFS_SERVER: '10.0.0.300' }, [], /^NFS_SERVER: .*IPv4/],
  ['NFS_PATH relative', { ...BASE, NFS_PATH: 'exports' }, [], /^NFS_PATH: .*absolute/],
  ['NFS_MOUNT_PATH relative', { ...BASE, NFS_MOUNT_PATH: 'pv' }, [], /^NFS_MOUNT_PATH: .*absolute/],
  ['LOG_LEVEL unknown', { ...BASE, LOG_LEVEL: 'verbose' }, [], /^LOG_LEVEL: .*error, warn, info, debug/],
  ['HTTP_LISTEN without port', { ...BASE, HTTP_LISTEN: 'localhost' }, [], /^HTTP_LISTEN: /],
  ['HTTP_LISTEN port too big', { ...BASE, HTTP_LISTEN: '0.0.0.0:70000' }, [], /^HTTP_LISTEN: /],
  ['KUBE_API_QPS zero', { ...BASE, KUBE_API_QPS: '0' }, [], /^KUBE_API_QPS: .*positive/],
  ['KUBE_API_BURST not a number', { ...BASE, KUBE_API_BURST: 'many' }, [], /^KUBE_API_BURST: /],
  ['WORKERS zero', { ...BASE, WORKERS: '0' }, [], /^WORKERS: /],
  ['WORKERS fraction', { ...BASE, WORKERS: '1.5' }, [], /^WORKERS: /],
  ['FS_CONCURRENCY negative', { ...BASE, FS_CONCURRENCY: '-1' }, [], /^FS_CONCURRENCY: /],
  ['ENABLE_LEADER_ELECTION not boolean', { ...BASE, ENABLE_LEADER_ELECTION: 'yes' }, [], /^ENABLE_LEADER_ELECTION: /],
  ['FS_TIMEOUT without unit', { ...BASE, FS_TIMEOUT: '10' }, [], /^FS_TIMEOUT: .*duration/],
  ['RESYNC_PERIOD zero', { ...BASE, RESYNC_PERIOD: '0s' }, [], /^RESYNC_PERIOD: .*longer than zero/],
  ['renew deadline >= lease duration', { ...BASE, LEADER_ELECTION_RENEW_DEADLINE: '15s' }, [], /^LEADER_ELECTION_RENEW_DEADLINE: /],
  ['retry period >= renew deadline', { ...BASE, LEADER_ELECTION_RETRY_PERIOD: '10s' }, [], /^LEADER_ELECTION_RETRY_PERIOD: /],
  ['bad lease namespace', { ...BASE, LEADER_ELECTION_NAMESPACE: 'Kube_System' }, [], /^LEADER_ELECTION_NAMESPACE: /],
  ['bad POD_NAMESPACE', { ...BASE, POD_NAMESPACE: 'a.b' }, [], /^POD_NAMESPACE: /],
  ['bad lease name', { ...BASE, LEADER_ELECTION_NAME: 'Not/Valid' }, [], /^LEADER_ELECTION_NAME: /],
  ['USAGE_INTERVAL negative', { ...BASE, USAGE_INTERVAL: '-1m' }, [], /^USAGE_INTERVAL: .*negative/],
  ['USAGE_INTERVAL not a duration', { ...BASE, USAGE_INTERVAL: '10' }, [], /^USAGE_INTERVAL: .*duration/],
  ['USAGE_INTERVAL too short', { ...BASE, USAGE_INTERVAL: '100ms' }, [], /^USAGE_INTERVAL: .*shorter than 1s/],
  ['retry max below base', { ...BASE }, ['--retry-base-delay', '10s', '--retry-max-delay', '1s'], /^RETRY_MAX_DELAY: /],
  ['unknown flag', { ...BASE }, ['--nfs-sever', 'x'], /^command line: /],
  ['bad flag value', { ...BASE }, ['--workers', 'lots'], /^WORKERS: /],
];

void t.test('USAGE_INTERVAL: a duration, 0 turns the walker off', (t) => {
  t.equal(loadConfig({ ...BASE, USAGE_INTERVAL: '0' }).usageIntervalMs, 0);
  t.equal(loadConfig({ ...BASE, USAGE_INTERVAL: '0s' }).usageIntervalMs, 0);
  t.equal(loadConfig({ ...BASE, USAGE_INTERVAL: '5s' }).usageIntervalMs, 5000);
  t.equal(loadConfig(BASE, ['--usage-interval', '1h']).usageIntervalMs, 3_600_000);
  t.end();
});

void t.test('bad configuration names the variable', (t) => {
  for (const [name, env, argv, message] of BAD) {
    let caught: unknown;
    try {
      loadConfig(env, argv);
    } catch (error: unknown) {
      caught = error;
    }
    t.ok(caught instanceof ConfigError, `${name}: ConfigError`);
    t.match(caught instanceof Error ? caught.message : '', message, name);
  }
  t.end();
});

void t.test('Go durations', (t) => {
  const table: [string, number | undefined][] = [
    ['15s', 15_000], ['500ms', 500], ['1m', 60_000], ['1h2m3.5s', 3_723_500], ['1.5s', 1500], ['0', 0],
    ['250us', 0.25], ['100ns', 0.0001], ['2h', 7_200_000], ['.5s', 500],
    ['', undefined], ['10', undefined], ['s', undefined], ['1d', undefined], ['1s 2s', undefined], ['abc', undefined],
  ];
  for (const [text, ms] of table) {
    const got = parseGoDuration(text);
    if (ms === undefined) t.equal(got, undefined, text);
    else t.ok(got !== undefined && Math.abs(got - ms) < 1e-9, `${text} = ${ms}`);
  }
  t.end();
});

void t.test('provisioner names and lease names', (t) => {
  for (const ok of ['example.com/nfs', 'k8s-sigs.io/nfs-subdir-external-provisioner', 'fuseim.pri/ifs', 'nfs', 'Example.COM/NFS_client']) {
    t.equal(provisionerNameProblem(ok), undefined, ok);
  }
  t.equal(leaseNameFor('k8s-sigs.io/nfs-subdir-external-provisioner'), 'k8s-sigs.io-nfs-subdir-external-provisioner');
  t.equal(leaseNameFor('Example.COM/NFS_client'), 'example.com-nfs-client');
  t.equal(leaseNameFor('a_'), 'a');
  t.end();
});

void t.test('mount path check', async (t) => {
  const dir = t.testdir({ file: 'x', ro: {} });
  await t.resolves(checkMountPath(dir, 1000));
  await t.rejects(checkMountPath(join(dir, 'missing'), 1000), { variable: 'NFS_MOUNT_PATH', message: /does not exist/ });
  await t.rejects(checkMountPath(join(dir, 'file'), 1000), { message: /is not a directory/ });
  if (process.getuid?.() !== 0) {
    chmodSync(join(dir, 'ro'), 0o555);
    await t.rejects(checkMountPath(join(dir, 'ro'), 1000), { message: /not writable/ });
  }
});

function runMain(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr, stdout }));
  });
}

void t.test('main exits 2 with one line naming the problem', async (t) => {
  const dir = t.testdir({ file: 'x' });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\n');
  const cases: [string, Record<string, string>, string[], RegExp][] = [
    ['missing variable', { NFS_SERVER: 'h', NFS_PATH: '/x' }, [], /PROVISIONER_NAME/],
    ['bad flag', { ...BASE, NFS_MOUNT_PATH: dir }, ['--workers=0'], /WORKERS/],
    ['mount path missing', { ...BASE, NFS_MOUNT_PATH: join(dir, 'nope') }, [], new RegExp(`NFS_MOUNT_PATH: ${join(dir, 'nope')} does not exist`)],
    ['mount path a file', { ...BASE, NFS_MOUNT_PATH: join(dir, 'file') }, [], /NFS_MOUNT_PATH: .* is not a directory/],
    ['kubeconfig without cluster', { ...BASE, NFS_MOUNT_PATH: dir, KUBECONFIG: kubeconfig, HTTP_LISTEN: '127.0.0.1:0' }, [], /KUBECONFIG/],
    ['no kubeconfig, not in a pod', { ...BASE, NFS_MOUNT_PATH: dir, HTTP_LISTEN: '127.0.0.1:0' }, [], /KUBECONFIG: not set, and not running in a cluster/],
  ];
  await Promise.all(
    cases.map(async ([name, env, args, message]) => {
      const { code, stderr } = await runMain(env, args);
      t.equal(code, 2, `${name}: exit 2`);
      const lines = stderr.trim().split('\n');
      t.equal(lines.length, 1, `${name}: one line`);
      t.match(lines[0], message, name);
      t.notMatch(stderr, /\n\s+at /, `${name}: no stack trace`);
    }),
  );
});
