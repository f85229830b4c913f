import t from 'tap';
import { parseSandboxArgs } from '../../../harness/sandbox/args.ts';

void t.test('flags', (t) => {
  const parsed = parseSandboxArgs(['--kubeconfig', '/tmp/k', '--export-dir', 'exp', '--port', '6443', '--no-examples', '--provisioner-name', 'westos.org/nfs', '--exit-after-ready']);
  t.same(parsed, {
    help: false,
    options: { kubeconfigPath: '/tmp/k', exportDir: 'exp', exports: [{ name: 'second' }], port: 6443, provisionerName: 'westos.org/nfs', examples: false, nfs: false, real: false, exitAfterReady: true, logLevel: 'info', provisionerEnv: {} },
  });
  t.same(parseSandboxArgs([]), { help: false, options: { exports: [{ name: 'second' }], examples: true, nfs: false, real: false, exitAfterReady: false, logLevel: 'info', provisionerEnv: {} } }, 'two exports by default');
  const more = parseSandboxArgs(['--export', 'fast=/srv/fast', '--export', 'slow']);
  t.same(more.help ? undefined : more.options.exports, [{ name: 'fast', dir: '/srv/fast' }, { name: 'slow' }], '--export replaces "second"');
  t.match(parseSandboxArgs(['--real', '--nfs']), { options: { real: true, nfs: true } });
  t.end();
});

void t.test('--help lists the flags', (t) => {
  const parsed = parseSandboxArgs(['--help']);
  t.equal(parsed.help, true);
  if (parsed.help) for (const flag of ['--kubeconfig PATH', '--export-dir PATH', '--port N', '--no-examples', '--provisioner-name', '--nfs', '--exit-after-ready', '--export NAME=DIR', '--real', 'ServiceAccount', 'control-plane:build']) t.match(parsed.text, flag);
  t.end();
});

void t.test('bad flags are refused with a reason', (t) => {
  t.throws(() => parseSandboxArgs(['--port', 'abc']), /--port/);
  t.throws(() => parseSandboxArgs(['--log-level', 'loud']), /--log-level/);
  t.throws(() => parseSandboxArgs(['--bogus']), /bogus/);
  t.throws(() => parseSandboxArgs(['--export', 'Bad_Name=/x']), /--export: "Bad_Name" is not a DNS label/);
  t.throws(() => parseSandboxArgs(['--export', 'default=/x']), /--export-dir/);
  t.throws(() => parseSandboxArgs(['--export', 'a=']), /names no directory/);
  t.throws(() => parseSandboxArgs(['--export', 'a=/x', '--export', 'a=/y']), /given twice/);
  t.throws(() => parseSandboxArgs(['--provisioner-env', 'NOEQUALS']), /--provisioner-env: expected KEY=VALUE/);
  t.throws(() => parseSandboxArgs(['--provisioner-env', '=x']), /--provisioner-env/);
  t.end();
});

void t.test('--provisioner-env is repeatable; a value may hold "="', (t) => {
  const parsed = parseSandboxArgs(['--provisioner-env', 'USAGE_INTERVAL=5s', '--provisioner-env', 'LOG_LEVEL=debug', '--provisioner-env', 'X=a=b']);
  t.same(parsed.help ? undefined : parsed.options.provisionerEnv, { USAGE_INTERVAL: '5s', LOG_LEVEL: 'debug', X: 'a=b' });
  t.end();
});
