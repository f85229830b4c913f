// Reading a kubeconfig's current context and the pod's service account into a KubeTarget.
import { join } from 'node:path';
import t from 'tap';
import { inClusterTarget, KubeconfigError, kubeTargetFromFile } from '../../lib/kube/kubeconfig.ts';

const config = (cluster: string, user: string, extra = ''): string =>
  `apiVersion: v1\nkind: Config\ncurrent-context: dev\ncontexts:\n- name: other\n  context: {cluster: nope, user: nope}\n- name: dev\n  context:\n    cluster: c\n    user: u\nclusters:\n- name: c\n  cluster:\n${cluster}users:\n- name: u\n  user:\n${user}${extra}`;

void t.test('the current context picks cluster and user; data fields are base64, files relative to the kubeconfig', (t) => {
  const dir = t.testdir({
    certs: { 'ca.pem': 'CA FILE', 'client.pem': 'CERT FILE' },
    kubeconfig: config(
      `    server: https://api.example.com:6443/\n    certificate-authority: certs/ca.pem\n    tls-server-name: kubernetes\n`,
      `    client-certificate: certs/client.pem\n    client-key-data: ${Buffer.from('KEY DATA').toString('base64')}\n    as: admin\n    as-groups: [ops, dev]\n`,
    ),
  });
  const target = kubeTargetFromFile(join(dir, 'kubeconfig'));
  t.equal(target.server.href, 'https://api.example.com:6443/', 'trailing slashes of the path dropped');
  t.equal(target.tls.ca?.toString(), 'CA FILE');
  t.equal(target.tls.cert?.toString(), 'CERT FILE');
  t.equal(target.tls.key?.toString(), 'KEY DATA');
  t.equal(target.tls.servername, 'kubernetes');
  t.equal(target.tls.rejectUnauthorized, true);
  t.same(target.credentials, { kind: 'none' });
  t.same(target.impersonation, { 'Impersonate-User': 'admin', 'Impersonate-Group': ['ops', 'dev'] });
  t.end();
});

void t.test('each kind of user credential', (t) => {
  const dir = t.testdir({
    token: config('    server: http://127.0.0.1:1\n    insecure-skip-tls-verify: true\n', '    token: " abc "\n'),
    tokenFile: config('    server: http://127.0.0.1:1\n', '    tokenFile: sa/token\n'),
    basic: config('    server: http://127.0.0.1:1\n', '    username: u\n    password: p\n'),
    exec: config('    server: http://127.0.0.1:1\n', '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: get-token\n'),
    provider: config('    server: http://127.0.0.1:1\n', '    auth-provider:\n      name: oidc\n'),
  });
  const of = (name: string) => kubeTargetFromFile(join(dir, name));
  t.same(of('token').credentials, { kind: 'token', token: 'abc' });
  t.equal(of('token').tls.rejectUnauthorized, false, 'insecure-skip-tls-verify');
  t.same(of('tokenFile').credentials, { kind: 'token-file', path: join(dir, 'sa/token') });
  t.same(of('basic').credentials, { kind: 'basic', username: 'u', password: 'p' });
  t.same(of('exec').credentials, { kind: 'delegated', kubeconfigPath: join(dir, 'exec'), plugin: 'exec' });
  t.same(of('provider').credentials, { kind: 'delegated', kubeconfigPath: join(dir, 'provider'), plugin: 'auth-provider' });
  t.end();
});

void t.test('what cannot be used is a KubeconfigError that says why', (t) => {
  const dir = t.testdir({
    yaml: 'clusters: [',
    list: '- a\n- b\n',
    noContext: 'apiVersion: v1\nclusters: []\n',
    missingContext: 'current-context: gone\ncontexts: []\n',
    noServer: config('    insecure-skip-tls-verify: true\n', '    token: x\n'),
    badServer: config('    server: ftp://host\n', '    token: x\n'),
    proxy: config('    server: https://h\n    proxy-url: http://proxy:3128\n', '    token: x\n'),
    missingFile: config('    server: https://h\n    certificate-authority: /nonexistent/ca\n', '    token: x\n'),
    halfCert: config('    server: https://h\n', `    client-certificate-data: ${Buffer.from('c').toString('base64')}\n`),
    badType: config('    server: https://h\n', '    token: 42\n'),
  });
  const cases: [string, RegExp][] = [
    ['yaml', /is not YAML/],
    ['list', /not a kubeconfig/],
    ['noContext', /no current-context/],
    ['missingContext', /contexts: no entry named "gone"/],
    ['noServer', /cluster "c": no server/],
    ['badServer', /must be http:\/\/ or https:\/\//],
    ['proxy', /proxy-url is not supported/],
    ['missingFile', /cannot read certificate-authority \/nonexistent\/ca: ENOENT/],
    ['halfCert', /client-certificate and client-key go together/],
    ['badType', /"token" must be a string/],
  ];
  for (const [name, message] of cases) {
    const error: unknown = (() => {
      try {
        kubeTargetFromFile(join(dir, name));
      } catch (e: unknown) {
        return e;
      }
      return undefined;
    })();
    t.ok(error instanceof KubeconfigError, `${name}: a KubeconfigError`);
    t.match(error, { message }, name);
  }
  t.throws(() => kubeTargetFromFile(join(dir, 'absent')), { message: /cannot read kubeconfig .*absent: ENOENT/ });
  t.end();
});

void t.test('in-cluster: the service host and port, the CA and the rotating token file', (t) => {
  const dir = t.testdir({ token: 'tok', 'ca.crt': 'CA' });
  const target = inClusterTarget({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, dir);
  t.equal(target.server.href, 'https://10.96.0.1/');
  t.equal(target.tls.ca?.toString(), 'CA');
  t.same(target.credentials, { kind: 'token-file', path: join(dir, 'token') });
  t.equal(inClusterTarget({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, dir).server.href, 'https://[fd00::1]:6443/', 'IPv6 in brackets');
  t.throws(() => inClusterTarget({}, dir), { message: /not running in a cluster/ });
  t.throws(() => inClusterTarget({ KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '443' }, t.testdir({})), { message: /cannot read service account token/ });
  t.end();
});
