import t from 'tap';
import { parseSandboxArgs } from '../../../harness/sandbox/args.ts';

void t.test('flags', (t) => {
  const parsed = parseSandboxArgs(['--kubeconfig', '/tmp/k', '--export-dir', 'exp', '--port', '6443', '--no-examples', '--provisioner-name', 'westos.org/nfs', '--exit-after-ready']);
  t.same(parsed, {
    help: false,
    options: { kubeconfigPath: '/tmp/k', exportDir: 'exp', port: 6443, provisionerName: 'westos.org/nfs', examples: false, nfs: false, real: false, exitAfterReady: true, logLevel: 'info' },
  });
  t.same(parseSandboxArgs([]), { help: false, options: { examples: true, nfs: false, real: false, exitAfterReady: false, logLevel: 'info' } });
  t.match(parseSandboxArgs(['--real', '--nfs']), { options: { real: true, nfs: true } });
  t.end();
});

void t.test('--help lists the flags', (t) => {
  const parsed = parseSandboxArgs(['--help']);
  t.equal(parsed.help, true);
  if (parsed.help) for (const flag of ['--kubeconfig PATH', '--export-dir PATH', '--port N', '--no-examples', '--provisioner-name', '--nfs', '--exit-after-ready', '--real', 'ServiceAccount', 'control-plane:build']) t.match(parsed.text, flag);
  t.end();
});

void t.test('bad flags are refused with a reason', (t) => {
  t.throws(() => parseSandboxArgs(['--port', 'abc']), /--port/);
  t.throws(() => parseSandboxArgs(['--log-level', 'loud']), /--log-level/);
  t.throws(() => parseSandboxArgs(['--bogus']), /bogus/);
  t.end();
});
