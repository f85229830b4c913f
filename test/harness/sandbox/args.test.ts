import t from 'tap';
import { parseSandboxArgs } from '../../../harness/sandbox/args.ts';

void t.test('flags', (t) => {
  const parsed = parseSandboxArgs(['--kubeconfig', '/tmp/k', '--export-dir', 'exp', '--port', '6443', '--no-examples', '--provisioner-name', 'westos.org/nfs', '--exit-after-ready']);
  t.same(parsed, {
    help: false,
    options: { kubeconfigPath: '/tmp/k', exportDir: 'exp', port: 6443, provisionerName: 'westos.org/nfs', examples: false, nfs: false, exitAfterReady: true, logLevel: 'info', provisionerEnv: {} },
  });
  t.same(parseSandboxArgs([]), { help: false, options: { examples: true, nfs: false, exitAfterReady: false, logLevel: 'info', provisionerEnv: {} } });
  t.end();
});

void t.test('--help lists the flags', (t) => {
  const parsed = parseSandboxArgs(['--help']);
  t.equal(parsed.help, true);
  if (parsed.help) for (const flag of ['--kubeconfig PATH', '--export-dir PATH', '--port N', '--no-examples', '--provisioner-name', '--nfs', '--exit-after-ready']) t.match(parsed.text, flag);
  t.end();
});

void t.test('bad flags are refused with a reason', (t) => {
  t.throws(() => parseSandboxArgs(['--port', 'abc']), /--port/);
  t.throws(() => parseSandboxArgs(['--log-level', 'loud']), /--log-level/);
  t.throws(() => parseSandboxArgs(['--bogus']), /bogus/);
  t.throws(() => parseSandboxArgs(['--provisioner-env', 'NOEQUALS']), /--provisioner-env: expected KEY=VALUE/);
  t.throws(() => parseSandboxArgs(['--provisioner-env', '=x']), /--provisioner-env/);
  t.end();
});

void t.test('--provisioner-env is repeatable; a value may hold "="', (t) => {
  const parsed = parseSandboxArgs(['--provisioner-env', 'USAGE_INTERVAL=5s', '--provisioner-env', 'LOG_LEVEL=debug', '--provisioner-env', 'X=a=b']);
  t.same(parsed.help ? undefined : parsed.options.provisionerEnv, { USAGE_INTERVAL: '5s', LOG_LEVEL: 'debug', X: 'a=b' });
  t.end();
});
