// The gate every request passes: User-Agent, rate limit, abort - checked at a real HTTP server.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { createKubeClients, userAgentFor } from '../../lib/kube/client.ts';
import { claimSource } from '../../lib/kube/list-watch.ts';
import { ConfigError } from '../../lib/config.ts';

async function fakeApiServer(t: Test): Promise<{ url: string; seen: { method: string; url: string; headers: IncomingHttpHeaders }[]; connections: () => number }> {
  const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  let connections = 0;
  const server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    response.setHeader('content-type', 'application/json');
    if ((request.url ?? '').includes('watch=true')) {
      response.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'w', namespace: 'n', resourceVersion: '8' } } })}\n`);
      response.end();
      return;
    }
    if ((request.url ?? '').includes('/leases/slow')) return; // never answers
    response.end(JSON.stringify({ kind: 'PersistentVolumeClaimList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [] }));
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, connections: () => connections };
}

function kubeconfig(dir: string, url: string): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: secret\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n`,
  );
  return path;
}

void t.test('User-Agent and credentials on REST calls and watches; response callback', async (t) => {
  const server = await fakeApiServer(t);
  const responses: string[] = [];
  const clients = createKubeClients({
    kubeconfigPath: kubeconfig(t.testdir(), server.url),
    userAgent: userAgentFor('1.2.3'),
    qps: 100,
    burst: 100,
    onResponse: (verb, resource, code) => responses.push(`${verb} ${resource} ${code}`),
  });
  await clients.core.listPersistentVolumeClaimForAllNamespaces({ limit: 10 });
  const source = claimSource(clients);
  const events: string[] = [];
  await source.watch('7', (type) => events.push(type), new AbortController().signal);
  t.same(events, ['ADDED']);
  t.equal(server.seen.length, 2);
  for (const request of server.seen) {
    t.equal(request.headers['user-agent'], 'nfs-provisioner-ts/1.2.3', `${request.url}: our User-Agent`);
    t.equal(request.headers['authorization'], 'Bearer secret');
  }
  t.same(responses, ['list persistentvolumeclaims 200'], 'watches are not REST responses');
});

void t.test('the rate limit holds requests beyond the burst', async (t) => {
  const server = await fakeApiServer(t);
  const clients = createKubeClients({ kubeconfigPath: kubeconfig(t.testdir(), server.url), userAgent: 'x/1', qps: 2, burst: 2 });
  const started = Date.now();
  await Promise.all([0, 1, 2].map(() => clients.core.listPersistentVolume()));
  t.ok(Date.now() - started >= 400, 'the third request waited for a token (2 qps)');
  t.equal(server.seen.length, 3);
});

void t.test('requests share one connection pool (client-node alone opens a connection per request with any TLS option)', async (t) => {
  const server = await fakeApiServer(t);
  const clients = createKubeClients({ kubeconfigPath: kubeconfig(t.testdir(), server.url), userAgent: 'x/1', qps: 1000, burst: 1000 });
  for (let i = 0; i < 20; i += 1) await clients.core.listPersistentVolume();
  t.equal(server.seen.length, 20);
  t.ok(server.connections() <= 2, `20 sequential requests used ${server.connections()} connection(s)`);
});

void t.test('runWithSignal aborts a request in flight', async (t) => {
  const server = await fakeApiServer(t);
  const clients = createKubeClients({ kubeconfigPath: kubeconfig(t.testdir(), server.url), userAgent: 'x/1', qps: 100, burst: 100 });
  const controller = new AbortController();
  const pending = clients.runWithSignal(controller.signal, () => clients.coordination.readNamespacedLease({ name: 'slow', namespace: 'n' }));
  setTimeout(() => controller.abort(new Error('lost lease')), 50);
  await t.rejects(pending);
});

void t.test('bad kubeconfig is a ConfigError naming KUBECONFIG', (t) => {
  t.throws(() => createKubeClients({ kubeconfigPath: '/nonexistent/kubeconfig', userAgent: 'x', qps: 1, burst: 1 }), ConfigError);
  t.throws(() => createKubeClients({ kubeconfigPath: '/nonexistent/kubeconfig', userAgent: 'x', qps: 1, burst: 1 }), { message: /^KUBECONFIG: / });
  t.end();
});
