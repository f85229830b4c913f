import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ConfigError, leaseNameFor, loadConfig, parseGoDuration, provisionerNameProblem } from '../lib/config.ts';

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
      UV_THREADPOOL_SIZE: '16',
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

const EXPORTS_FILE = `exports:
  - name: second
    server: 10.0.0.11
    path: /srv/b
    mountPath: /mnt/b
    provisionerNames: [example.com/b]
    fsTimeout: 3s
  - name: third
    server: nfs3.example.com
    path: /srv/c/
    mountPath: /mnt/c
    fsConcurrency: 1
`;

void t.test('one export by default, named default, from NFS_SERVER / NFS_PATH / NFS_MOUNT_PATH', (t) => {
  const c = loadConfig(BASE);
  t.same(c.exports, [{ name: 'default', server: 'nfs.example.com', path: '/exports/k8s', mountPath: '/persistentvolumes', provisionerNames: [], fsTimeoutMs: 10_000, fsConcurrency: 2 }]);
  t.same(c.provisionerNames, ['example.com/nfs']);
  t.equal(c.exportsFile, undefined);
  t.equal(c.threadPoolSize, 4, "libuv's default when UV_THREADPOOL_SIZE is unset");
  t.end();
});

void t.test('more exports from NFS_EXPORTS_FILE; their provisioner names are served too', (t) => {
  const read = (path: string): string => {
    t.equal(path, '/etc/nfs/exports.yaml');
    return EXPORTS_FILE;
  };
  const c = loadConfig({ ...BASE, NFS_EXPORTS_FILE: '/etc/nfs/exports.yaml', UV_THREADPOOL_SIZE: '16', FS_CONCURRENCY: '3' }, [], { readFile: read });
  t.same(
    c.exports.map((e) => [e.name, e.server, e.path, e.mountPath, e.provisionerNames, e.fsTimeoutMs, e.fsConcurrency]),
    [
      ['default', 'nfs.example.com', '/exports/k8s', '/persistentvolumes', [], 10_000, 3],
      ['second', '10.0.0.11', '/srv/b', '/mnt/b', ['example.com/b'], 3000, 3],
      ['third', 'nfs3.example.com', '/srv/c/', '/mnt/c', [], 10_000, 1],
    ],
    'FS_TIMEOUT and FS_CONCURRENCY are the defaults of the file exports',
  );
  t.same(c.provisionerNames, ['example.com/nfs', 'example.com/b']);
  t.equal(c.exportsFile, '/etc/nfs/exports.yaml');
  t.ok(Object.isFrozen(c.exports) && Object.isFrozen(c.exports[1]));
  t.end();
});

void t.test('PROVISIONER_NAME takes a comma-separated list; the first names the Lease', (t) => {
  const c = loadConfig({ ...BASE, PROVISIONER_NAME: 'cluster.local/nfs-a, cluster.local/nfs-b,cluster.local/nfs-a' });
  t.same(c.provisionerNames, ['cluster.local/nfs-a', 'cluster.local/nfs-b'], 'trimmed, no repeats');
  t.equal(c.provisionerName, 'cluster.local/nfs-a');
  t.equal(c.leaderElection.name, 'cluster.local-nfs-a');
  t.end();
});

void t.test('the thread pool must leave threads for the process when every export hangs', (t) => {
  const file = (): string => EXPORTS_FILE;
  const env = { ...BASE, NFS_EXPORTS_FILE: '/e.yaml' };
  // 2 + 2 + 1 slots + 2 for the process = 7.
  t.throws(() => loadConfig(env, [], { readFile: file }), { message: /^UV_THREADPOOL_SIZE: 4 \(unset: libuv's default\) threads cannot hold the exports' fs concurrency \(default 2 \+ second 2 \+ third 1\) plus 2 for the process: set UV_THREADPOOL_SIZE to at least 7/ });
  t.throws(() => loadConfig({ ...env, UV_THREADPOOL_SIZE: '6' }, [], { readFile: file }), { message: /^UV_THREADPOOL_SIZE: 6 threads .* at least 7/ });
  t.equal(loadConfig({ ...env, UV_THREADPOOL_SIZE: '7' }, [], { readFile: file }).threadPoolSize, 7);
  t.throws(() => loadConfig({ ...BASE, FS_CONCURRENCY: '3' }), { message: /^UV_THREADPOOL_SIZE: .*at least 5/ }, 'one export too');
  t.throws(() => loadConfig({ ...BASE, UV_THREADPOOL_SIZE: 'lots' }), { message: /^UV_THREADPOOL_SIZE: "lots" must be a whole number from 1 to 1024/ });
  t.end();
});

void t.test('a bad exports file exits with one line naming the export and field', (t) => {
  const cases: [string, string, RegExp][] = [
    ['duplicate name', 'exports: [{name: b, server: s, path: /b, mountPath: /mnt/b}, {name: b, server: s2, path: /c, mountPath: /mnt/c}]', /^NFS_EXPORTS_FILE: \/e.yaml: export "b": name: is used by another export$/],
    ['named default', 'exports: [{name: default, server: s, path: /b, mountPath: /mnt/b}]', /export "default": name: "default" is the export of NFS_SERVER/],
    ['mount path inside the default one', 'exports: [{name: b, server: s, path: /b, mountPath: /persistentvolumes/b}]', /export "b": mountPath: \/persistentvolumes\/b overlaps the mount path of export "default" \(\/persistentvolumes\)/],
    ['mount path holding another', 'exports: [{name: b, server: s, path: /b, mountPath: /mnt}, {name: c, server: s, path: /c, mountPath: /mnt/c/}]', /export "c": mountPath: .*overlaps the mount path of export "b"/],
    ['same server, nested paths', 'exports: [{name: b, server: NFS.example.com, path: /exports/k8s/b, mountPath: /mnt/b}]', /export "b": path: .*overlaps export "default"/],
    ['provisioner name twice', 'exports: [{name: b, server: s, path: /b, mountPath: /mnt/b, provisionerNames: [x/y]}, {name: c, server: s, path: /c, mountPath: /mnt/c, provisionerNames: [x/y]}]', /export "c": provisionerNames: "x\/y" is already the provisioner name of export "b"/],
    ['bad provisioner name', 'exports: [{name: b, server: s, path: /b, mountPath: /mnt/b, provisionerNames: ["a b"]}]', /export "b": provisionerNames: "a b" is not a valid provisioner name/],
    ['missing server', 'exports: [{name: b, path: /b, mountPath: /mnt/b}]', /export "b": server: is required/],
    ['relative path', 'exports: [{name: b, server: s, path: b, mountPath: /mnt/b}]', /export "b": path: "b" must be an absolute path/],
    ['bad server', 'exports: [{name: b, server: "x y", path: /b, mountPath: /mnt/b}]', /export "b": server: "x y" is neither/],
    ['bad timeout', 'exports: [{name: b, server: s, path: /b, mountPath: /mnt/b, fsTimeout: 10}]', /export "b": fsTimeout: "10" is not a duration/],
    ['bad concurrency', 'exports: [{name: b, server: s, path: /b, mountPath: /mnt/b, fsConcurrency: 0}]', /export "b": fsConcurrency: "0" must be a whole number from 1 to 64/],
    ['unknown field', 'exports: [{name: b, server: s, path: /b, mountpath: /mnt/b}]', /export "b": mountpath: unknown field \(known: name, server/],
    ['bad name', 'exports: [{name: B_2, server: s, path: /b, mountPath: /mnt/b}]', /exports\[0\]: name: "B_2" must be a DNS label/],
    ['no name', 'exports: [{server: s, path: /b, mountPath: /mnt/b}]', /exports\[0\]: name: is required/],
    ['not a list', 'exports: {name: b}', /\/e.yaml: exports: must be a list, not a mapping/],
    ['unknown top level', 'export: []', /unknown top-level field "export"/],
    ['bad YAML', 'exports: [\n  - name: b\n', /\/e.yaml: not valid YAML: .* at line \d+, column \d+$/],
  ];
  for (const [name, text, message] of cases) {
    let caught: unknown;
    try {
      loadConfig({ ...BASE, NFS_EXPORTS_FILE: '/e.yaml', UV_THREADPOOL_SIZE: '64' }, [], { readFile: () => text });
    } catch (error: unknown) {
      caught = error;
    }
    t.ok(caught instanceof ConfigError, `${name}: ConfigError`);
    const text1 = caught instanceof Error ? caught.message : '';
    t.match(text1, message, name);
    t.notOk(text1.includes('\n'), `${name}: one line`);
  }
  t.throws(() => loadConfig({ ...BASE, NFS_EXPORTS_FILE: '/nope.yaml' }), { message: 'NFS_EXPORTS_FILE: /nope.yaml does not exist' });
  t.throws(() => loadConfig({ ...BASE, NFS_EXPORTS_FILE: 'rel.yaml' }), { message: /^NFS_EXPORTS_FILE: "rel.yaml" must be an absolute path/ });
  t.same(loadConfig({ ...BASE, NFS_EXPORTS_FILE: '/e.yaml' }, [], { readFile: () => '# nothing yet\n' }).exports.length, 1, 'an empty file adds nothing');
  t.end();
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
  const dir = t.testdir({ file: 'x', a: {} });
  writeFileSync(join(dir, 'exports.yaml'), `exports:\n  - {name: b, server: s, path: /b, mountPath: ${join(dir, 'missing-b')}}\n`);
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\n');
  const cases: [string, Record<string, string>, string[], RegExp][] = [
    ['missing variable', { NFS_SERVER: 'h', NFS_PATH: '/x' }, [], /PROVISIONER_NAME/],
    ['bad flag', { ...BASE, NFS_MOUNT_PATH: dir }, ['--workers=0'], /WORKERS/],
    ['mount path missing', { ...BASE, NFS_MOUNT_PATH: join(dir, 'nope') }, [], new RegExp(`NFS_MOUNT_PATH: ${join(dir, 'nope')} does not exist`)],
    ['mount path a file', { ...BASE, NFS_MOUNT_PATH: join(dir, 'file') }, [], /NFS_MOUNT_PATH: .* is not a directory/],
    [
      'second export missing on disk',
      { ...BASE, NFS_MOUNT_PATH: join(dir, 'a'), NFS_EXPORTS_FILE: join(dir, 'exports.yaml'), UV_THREADPOOL_SIZE: '8' },
      [],
      new RegExp(`NFS_EXPORTS_FILE: ${join(dir, 'exports.yaml')}: export "b": mountPath: ${join(dir, 'missing-b')} does not exist`),
    ],
    ['exports file missing', { ...BASE, NFS_MOUNT_PATH: join(dir, 'a'), NFS_EXPORTS_FILE: join(dir, 'none.yaml') }, [], /NFS_EXPORTS_FILE: .*none.yaml does not exist/],
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
