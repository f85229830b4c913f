import t from 'tap';
import { DEFAULT_BINDER_SYNC_PERIOD, DEFAULT_KCM_QPS, DEFAULT_SCENARIOS, HELP, parseBenchArgs, SCENARIOS } from '../../bench/args.ts';

void t.test('defaults: every scenario, ours, sizes that finish in minutes', (t) => {
  t.same(parseBenchArgs([]), {
    help: false,
    options: {
      scenarios: [...DEFAULT_SCENARIOS],
      cluster: 'real',
      kcmQps: DEFAULT_KCM_QPS,
      binderSyncPeriod: DEFAULT_BINDER_SYNC_PERIOD,
      withOurs: false,
      source: false,
      env: {},
      claims: 1000,
      pvs: [10_000],
      concurrency: 16,
      steadySeconds: 5,
      timeoutSeconds: 300,
      usageVolumes: 1000,
      usageFiles: 1_000_000,
      usageBurst: 200,
    },
  });
  t.notOk(DEFAULT_SCENARIOS.includes('usage'), 'the million-file scenario only when asked for');
  t.end();
});

void t.test('flags', (t) => {
  const parsed = parseBenchArgs([
    '--provisioner-cmd', '/opt/nfs-subdir-external-provisioner',
    '--mount-at', '/persistentvolumes',
    '--label', 'go',
    '--scenario', 'burst', '--scenario', 'limit', '--scenario', 'burst',
    '--claims', '50', '--pvs', '50000', '--pvs', '0', '--pvs', '50000', '--api-cost-claims', '7',
    '--cluster', 'local', '--with-ours', '--cmd-claims', '5', '--cmd-pvs', '100',
    '--env', 'KUBE_API_QPS=5', '--env', 'X=a=b',
    '--concurrency', '4', '--steady-seconds', '0', '--timeout-seconds', '9', '--out', 'r.json',
    '--usage-volumes', '10', '--usage-files', '0', '--usage-burst', '3',
  ]);
  t.same(parsed, {
    help: false,
    options: {
      scenarios: ['burst', 'limit'],
      cluster: 'local',
      kcmQps: DEFAULT_KCM_QPS,
      binderSyncPeriod: DEFAULT_BINDER_SYNC_PERIOD,
      withOurs: true,
      provisionerCmd: '/opt/nfs-subdir-external-provisioner',
      cmdClaims: 5,
      cmdPvs: [100],
      label: 'go',
      mountAt: '/persistentvolumes',
      source: false,
      env: { KUBE_API_QPS: '5', X: 'a=b' },
      claims: 50,
      apiCostClaims: 7,
      pvs: [0, 50_000],
      concurrency: 4,
      steadySeconds: 0,
      timeoutSeconds: 9,
      usageVolumes: 10,
      usageFiles: 0,
      usageBurst: 3,
      out: 'r.json',
    },
  });
  const real = parseBenchArgs(['--provisioner-cmd', 'x', '--rbac', '/x/rbac.yaml', '--kcm-qps', '20', '--binder-sync-period', '2s']);
  t.match(real, { options: { cluster: 'real', rbac: '/x/rbac.yaml', kcmQps: 20, binderSyncPeriod: '2s', withOurs: false } }, 'real-control-plane flags');
  t.end();
});

void t.test('--help documents every flag, scenario and the mount-namespace recipe', (t) => {
  const parsed = parseBenchArgs(['--help']);
  t.equal(parsed.help, true);
  t.equal(parseBenchArgs(['-h']).help, true);
  t.same(parseBenchArgs(['--source']), { help: false, options: { ...(parseBenchArgs([]) as { options: object }).options, source: true } }, '--source');
  for (const word of ['--source', 'dist/main.js', '--provisioner-cmd', '--mount-at', '--scenario', '--claims', '--pvs', '--out', '--env', '--concurrency', '--usage-volumes', '--usage-files', '--usage-burst', 'unshare --mount', 'EXPORT_DIR', '--cluster real|local', '--kcm-qps', '--binder-sync-period', '--with-ours', '--cmd-claims', '--cmd-pvs', '--rbac', 'POD_NAMESPACE', 'reclaim ceiling', ...SCENARIOS]) t.match(HELP, word);
  t.end();
});

void t.test('bad flags are refused with the flag named', (t) => {
  t.throws(() => parseBenchArgs(['--scenario', 'soak']), /--scenario/);
  t.throws(() => parseBenchArgs(['--claims', '0']), /--claims/);
  t.throws(() => parseBenchArgs(['--claims', '1.5']), /--claims/);
  t.throws(() => parseBenchArgs(['--env', 'NOVALUE']), /--env/);
  t.throws(() => parseBenchArgs(['--mount-at', '/persistentvolumes']), /--mount-at: only with --provisioner-cmd/);
  t.throws(() => parseBenchArgs(['--provisioner-cmd', 'x', '--mount-at', 'rel']), /absolute/);
  t.throws(() => parseBenchArgs(['--provisioner-cmd', ' ']), /empty/);
  t.throws(() => parseBenchArgs(['--provisioner-cmd', 'x', '--source']), /--source: only for ours/);
  t.throws(() => parseBenchArgs(['--bogus']), /bogus/);
  t.throws(() => parseBenchArgs(['--cluster', 'kind']), /--cluster: one of real, local/);
  t.throws(() => parseBenchArgs(['--cluster', 'local', '--kcm-qps', '20']), /--kcm-qps: only with --cluster real/);
  t.throws(() => parseBenchArgs(['--provisioner-cmd', 'x', '--cluster', 'local', '--rbac', 'f']), /--rbac: only with --cluster real/);
  t.throws(() => parseBenchArgs(['--with-ours']), /--with-ours: only with --provisioner-cmd/);
  t.throws(() => parseBenchArgs(['--rbac', 'f']), /--rbac: only with --provisioner-cmd/);
  t.throws(() => parseBenchArgs(['--binder-sync-period', 'soon']), /--binder-sync-period/);
  t.same(parseBenchArgs(['--provisioner-cmd', 'x', '--with-ours', '--source']).help, false, '--source is for ours, which --with-ours runs');
  t.end();
});
