import t from 'tap';
import { DEFAULT_SCENARIOS, HELP, parseBenchArgs, SCENARIOS } from '../../bench/args.ts';

void t.test('defaults: every scenario, ours, sizes that finish in minutes', (t) => {
  t.same(parseBenchArgs([]), {
    help: false,
    options: {
      scenarios: [...DEFAULT_SCENARIOS],
      source: false,
      env: {},
      claims: 1000,
      pvs: 10_000,
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
    '--claims', '50', '--pvs', '0', '--api-cost-claims', '7',
    '--env', 'KUBE_API_QPS=5', '--env', 'X=a=b',
    '--concurrency', '4', '--steady-seconds', '0', '--timeout-seconds', '9', '--out', 'r.json',
    '--usage-volumes', '10', '--usage-files', '0', '--usage-burst', '3',
  ]);
  t.same(parsed, {
    help: false,
    options: {
      scenarios: ['burst', 'limit'],
      provisionerCmd: '/opt/nfs-subdir-external-provisioner',
      label: 'go',
      mountAt: '/persistentvolumes',
      source: false,
      env: { KUBE_API_QPS: '5', X: 'a=b' },
      claims: 50,
      apiCostClaims: 7,
      pvs: 0,
      concurrency: 4,
      steadySeconds: 0,
      timeoutSeconds: 9,
      usageVolumes: 10,
      usageFiles: 0,
      usageBurst: 3,
      out: 'r.json',
    },
  });
  t.end();
});

void t.test('--help documents every flag, scenario and the mount-namespace recipe', (t) => {
  const parsed = parseBenchArgs(['--help']);
  t.equal(parsed.help, true);
  t.equal(parseBenchArgs(['-h']).help, true);
  t.same(parseBenchArgs(['--source']), { help: false, options: { ...(parseBenchArgs([]) as { options: object }).options, source: true } }, '--source');
  for (const word of ['--source', 'dist/main.js', '--provisioner-cmd', '--mount-at', '--scenario', '--claims', '--pvs', '--out', '--env', '--concurrency', '--usage-volumes', '--usage-files', '--usage-burst', 'unshare --mount', 'EXPORT_DIR', ...SCENARIOS]) t.match(HELP, word);
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
  t.end();
});
