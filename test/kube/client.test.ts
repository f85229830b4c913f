// createKubeClient: a working client from a kubeconfig or the pod's service account, and a
// ConfigError naming KUBECONFIG for anything unusable - checked at a real HTTP server.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { ConfigError } from '../../lib/config.ts';
import { createKubeClient, userAgentFor } from '../../lib/kube/client.ts';

async function fakeApiServer(t: Test): Promise<{ url: string; seen: { url: string; headers: IncomingHttpHeaders }[] }> {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', headers: request.headers });
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ kind: 'PersistentVolumeList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function kubeconfig(dir: string, url: string): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: secret\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n`,
  );
  return path;
}

void t.test('from KUBECONFIG: our User-Agent and the user token on every request', async (t) => {
  const server = await fakeApiServer(t);
  const client = createKubeClient({ kubeconfigPath: kubeconfig(t.testdir(), server.url), userAgent: userAgentFor('1.2.3'), qps: 100, burst: 100 });
  t.teardown(() => client.close());
  await client.request({ method: 'GET', path: '/api/v1/persistentvolumes' });
  t.match(server.seen, [{ url: '/api/v1/persistentvolumes', headers: { 'user-agent': 'nfs-provisioner-ts/1.2.3', authorization: 'Bearer secret' } }]);
});

void t.test('in-cluster: KUBERNETES_SERVICE_HOST/PORT and the service account token file', (t) => {
  const dir = t.testdir({ token: 'sa-token\n', 'ca.crt': 'not used over http' });
  const client = createKubeClient({ env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: dir, userAgent: 'x/1', qps: 1, burst: 1 });
  t.teardown(() => client.close());
  t.equal(client.server, 'https://10.0.0.1/', 'https to the service address (443 is https\'s default port)');
  t.end();
});

void t.test('anything unusable is a ConfigError naming KUBECONFIG, with the reason', (t) => {
  const make = (options: Parameters<typeof createKubeClient>[0]) => () => createKubeClient(options);
  const base = { userAgent: 'x', qps: 1, burst: 1 };
  t.throws(make({ ...base, kubeconfigPath: '/nonexistent/kubeconfig' }), ConfigError);
  t.throws(make({ ...base, kubeconfigPath: '/nonexistent/kubeconfig' }), { message: /^KUBECONFIG: \/nonexistent\/kubeconfig: cannot read kubeconfig .*ENOENT/ });
  const dir = t.testdir({ 'no-context': 'apiVersion: v1\nkind: Config\nclusters: []\n' });
  t.throws(make({ ...base, kubeconfigPath: join(dir, 'no-context') }), { message: /^KUBECONFIG: .*has no current-context/ });
  t.throws(make({ ...base, env: {} }), { message: /^KUBECONFIG: not set, and not running in a cluster/ });
  t.end();
});
