// The REST client at real HTTP(S) servers: headers, JSON, errors as StatusError, the rate limit,
// one connection pool, aborts and timeouts, the stale keep-alive retry, watch streams, and TLS
// (CA verification, insecure-skip-tls-verify, client certificates).
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Test } from 'tap';
import { apiErrorMessage, StatusError } from '../../lib/kube/api-errors.ts';
import { kubeTargetFromFile } from '../../lib/kube/kubeconfig.ts';
import type { KubeTarget } from '../../lib/kube/kubeconfig.ts';
import { RestClient } from '../../lib/kube/rest-client.ts';
import type { RestClientOptions } from '../../lib/kube/rest-client.ts';
import { makeTlsFixture } from './tls-fixture.ts';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function server(t: Test, handler: Handler): Promise<{ url: string; seen: Seen[]; connections: () => number }> {
  const seen: Seen[] = [];
  let connections = 0;
  const s = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      handler(request, body, response);
    });
  });
  s.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    s.closeAllConnections();
    s.close();
  });
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen, connections: () => connections };
}

const json = (response: ServerResponse, code: number, body: unknown): void => {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

function target(url: string, overrides: Partial<KubeTarget> = {}): KubeTarget {
  return { server: new URL(url), tls: { rejectUnauthorized: true }, credentials: { kind: 'token', token: 't0ken' }, impersonation: {}, ...overrides };
}

function client(t: Test, url: string, options: Partial<RestClientOptions> = {}): RestClient {
  const c = new RestClient({ target: target(url), userAgent: 'nfs-provisioner-ts/test', qps: 1000, burst: 1000, ...options });
  t.teardown(() => c.close());
  return c;
}

void t.test('JSON in and out, headers, query, and one response callback per REST call', async (t) => {
  const s = await server(t, (_request, body, response) => json(response, 201, { echoed: body === '' ? null : (JSON.parse(body) as unknown) }));
  const responses: string[] = [];
  const c = client(t, s.url, {
    target: target(s.url, { impersonation: { 'Impersonate-User': 'alice' } }),
    onResponse: (verb, resource, code) => responses.push(`${verb} ${resource} ${code}`),
  });
  const created = await c.request<{ echoed: unknown }>({ method: 'POST', path: '/api/v1/persistentvolumes', body: { metadata: { name: 'pv-ü' } } });
  t.same(created, { echoed: { metadata: { name: 'pv-ü' } } }, 'the body arrives as JSON (UTF-8) and the answer is parsed');
  await c.request({ method: 'PATCH', path: '/api/v1/persistentvolumes/pv-1', body: [{ op: 'remove', path: '/x' }], contentType: 'application/json-patch+json' });
  await c.request({ method: 'GET', path: '/api/v1/persistentvolumeclaims', query: { limit: 500, continue: 'a b&c', labelSelector: undefined } });
  t.match(s.seen[0]?.headers, { 'user-agent': 'nfs-provisioner-ts/test', authorization: 'Bearer t0ken', accept: 'application/json', 'content-type': 'application/json', 'impersonate-user': 'alice' });
  t.equal(s.seen[1]?.headers['content-type'], 'application/json-patch+json');
  t.equal(s.seen[2]?.url, '/api/v1/persistentvolumeclaims?limit=500&continue=a+b%26c', 'query encoded, undefined values left out');
  t.equal(s.seen[2]?.headers['content-type'], undefined, 'no content type without a body');
  t.same(responses, ['create persistentvolumes 201', 'patch persistentvolumes 201', 'list persistentvolumeclaims 201']);
});

void t.test('a non-2xx answer is a StatusError with the Status code, reason and message', async (t) => {
  const s = await server(t, (request, _body, response) => {
    if (request.url?.includes('plain') === true) {
      response.writeHead(503);
      response.end('upstream gone');
      return;
    }
    json(response, 409, { kind: 'Status', status: 'Failure', reason: 'AlreadyExists', code: 409, message: 'persistentvolumes "pv-1" already exists' });
  });
  const c = client(t, s.url);
  const error: unknown = await c.request({ method: 'POST', path: '/api/v1/persistentvolumes', body: {} }).catch((e: unknown) => e);
  t.ok(error instanceof StatusError);
  t.match(error, { code: 409, reason: 'AlreadyExists', message: 'persistentvolumes "pv-1" already exists', body: { kind: 'Status' } });
  t.equal(apiErrorMessage(error), 'persistentvolumes "pv-1" already exists (HTTP 409)');
  await t.rejects(c.request({ method: 'GET', path: '/plain' }), { code: 503, message: 'upstream gone' }, 'a body that is not a Status is the message');
});

void t.test('the rate limit holds requests beyond the burst', async (t) => {
  const s = await server(t, (_r, _b, response) => json(response, 200, {}));
  const c = client(t, s.url, { qps: 2, burst: 2 });
  const started = Date.now();
  await Promise.all([0, 1, 2].map(() => c.request({ method: 'GET', path: '/api/v1/persistentvolumes' })));
  t.ok(Date.now() - started >= 400, 'the third request waited for a token (2 qps)');
  t.equal(s.seen.length, 3);
});

void t.test('requests share one keep-alive connection pool', async (t) => {
  const s = await server(t, (_r, _b, response) => json(response, 200, {}));
  const c = client(t, s.url);
  for (let i = 0; i < 20; i += 1) await c.request({ method: 'GET', path: '/api/v1/persistentvolumes' });
  t.equal(s.seen.length, 20);
  t.equal(s.connections(), 1, `20 sequential requests used ${s.connections()} connection(s)`);
});

void t.test('abort and timeout end a request the server never answers', async (t) => {
  const s = await server(t, () => undefined);
  const c = client(t, s.url, { requestTimeoutMs: 200 });
  const controller = new AbortController();
  const pending = c.request({ method: 'GET', path: '/apis/coordination.k8s.io/v1/namespaces/n/leases/slow', signal: controller.signal });
  setTimeout(() => controller.abort(new Error('lost lease')), 50);
  await t.rejects(pending, { message: 'lost lease' }, 'rejects with the signal\'s reason');
  await t.rejects(c.request({ method: 'GET', path: '/slow' }), { name: 'TimeoutError', message: /no data for 200 ms/ });
});

void t.test('a keep-alive connection the server dropped is retried once on a fresh one', async (t) => {
  // The server closes every connection at its second request without answering, as a server
  // whose idle timeout ran out the moment the request was written.
  const perSocket = new Map<Socket, number>();
  const s = await server(t, (request, _b, response) => {
    const n = (perSocket.get(request.socket) ?? 0) + 1;
    perSocket.set(request.socket, n);
    if (n >= 2) request.socket.destroy();
    else json(response, 200, { n });
  });
  const c = client(t, s.url);
  await c.request({ method: 'GET', path: '/a' });
  t.same(await c.request({ method: 'GET', path: '/b' }), { n: 1 }, 'answered on a new connection');
  t.equal(s.connections(), 2);

  const never = await server(t, (request) => request.socket.destroy());
  await t.rejects(client(t, never.url).request({ method: 'GET', path: '/c' }), { code: 'ECONNRESET' }, 'a fresh connection that fails is not retried');
  t.equal(never.seen.length, 1);
});

void t.test('watch: events split and joined across chunks, ERROR events passed on, clean end', async (t) => {
  const lines = [
    { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '2' } } },
    { type: 'MODIFIED', object: { metadata: { name: 'b', resourceVersion: '3' } } },
    { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } },
  ].map((e) => `${JSON.stringify(e)}\n`);
  const all = lines.join('');
  const s = await server(t, (_r, _b, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    // The first event in two pieces, then the other two in one chunk.
    response.write(all.slice(0, 10));
    setTimeout(() => {
      response.write(all.slice(10, (lines[0] ?? '').length + 5));
      setTimeout(() => response.end(all.slice((lines[0] ?? '').length + 5)), 20);
    }, 20);
  });
  const responses: string[] = [];
  const c = client(t, s.url, { onResponse: (verb) => responses.push(verb) });
  const events: string[] = [];
  await c.watch('/api/v1/persistentvolumes', { resourceVersion: '1', allowWatchBookmarks: true }, (type, object) => {
    events.push(`${type} ${(object as { metadata?: { name?: string }; reason?: string }).metadata?.name ?? (object as { reason?: string }).reason ?? ''}`);
  }, new AbortController().signal, 5000);
  t.same(events, ['ADDED a', 'MODIFIED b', 'ERROR Expired']);
  t.equal(s.seen[0]?.url, '/api/v1/persistentvolumes?resourceVersion=1&allowWatchBookmarks=true&watch=true');
  t.same(responses, [], 'a watch is not counted as a REST response');
});

void t.test('watch: 410 answer, idle timeout, abort and a broken stream reject', async (t) => {
  const s = await server(t, (request, _b, response) => {
    if (request.url?.startsWith('/gone') === true) {
      json(response, 410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' });
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'x' } } })}\n`);
    if (request.url?.startsWith('/broken') === true) setTimeout(() => request.socket.destroy(), 20);
  });
  const c = client(t, s.url);
  const none = (): void => undefined;
  await t.rejects(c.watch('/gone', {}, none, new AbortController().signal, 5000), { code: 410, message: /too old/ });
  await t.rejects(c.watch('/quiet', {}, none, new AbortController().signal, 150), { name: 'TimeoutError' }, 'nothing for the idle time');
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('stopping')), 50);
  await t.rejects(c.watch('/quiet', {}, none, controller.signal, 5000), { message: 'stopping' });
  await t.rejects(c.watch('/broken', {}, none, new AbortController().signal, 5000), 'a connection reset mid-stream');
});

void t.test('watch: aborting from the handler after the server ended the stream leaves the pooled connection alone', async (t) => {
  // The harness and the real server end a watch right after an ERROR event (410): the handler
  // aborts while the response is already complete and its socket back in the pool.
  const s = await server(t, (request, _b, response) => {
    if (request.url?.includes('watch=true') === true) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410 } })}\n`);
      return;
    }
    json(response, 200, { ok: true });
  });
  const c = client(t, s.url);
  const controller = new AbortController();
  const events: string[] = [];
  await t.rejects(
    c.watch('/w', {}, (type) => {
      events.push(type);
      controller.abort(new Error('watch failed: 410'));
    }, controller.signal, 5000),
    { message: 'watch failed: 410' },
  );
  t.same(events, ['ERROR']);
  await new Promise((r) => setTimeout(r, 50));
  t.same(await c.request({ method: 'GET', path: '/after' }), { ok: true }, 'the next request works on the pooled connection');
  t.equal(s.connections(), 1, 'the connection was not destroyed');
});

void t.test('TLS: the kubeconfig CA is verified, insecure-skip-tls-verify skips it, client certificates are sent', async (t) => {
  const dir = t.testdir();
  const tls = makeTlsFixture(dir);
  const peers: string[] = [];
  const s = createTlsServer({ cert: tls.serverCert, key: tls.serverKey, ca: tls.caCert, requestCert: true, rejectUnauthorized: false }, (request, response) => {
    const peer = (request.socket as TLSSocket).getPeerCertificate();
    peers.push(typeof peer.subject?.CN === 'string' ? peer.subject.CN : 'none');
    json(response, 200, { ok: true });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    s.closeAllConnections();
    s.close();
  });
  const url = `https://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const write = (name: string, cluster: string, user: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster:\n    server: ${url}\n${cluster}users:\n- name: u\n  user:\n${user}`);
    return path;
  };
  const use = (path: string): RestClient => {
    const c = new RestClient({ target: kubeTargetFromFile(path), userAgent: 'x/1', qps: 100, burst: 100 });
    t.teardown(() => c.close());
    return c;
  };
  const get = (c: RestClient): Promise<unknown> => c.request({ method: 'GET', path: '/api' });

  const caData = `    certificate-authority-data: ${tls.caCert.toString('base64')}\n`;
  t.same(await get(use(write('with-ca', caData, '    token: x\n'))), { ok: true }, 'the server certificate checks out against the kubeconfig CA');
  await t.rejects(get(use(write('no-ca', '', '    token: x\n'))), { code: /SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY/ }, 'an unknown CA is refused');
  t.same(await get(use(write('skip', '    insecure-skip-tls-verify: true\n', '    token: x\n'))), { ok: true }, 'insecure-skip-tls-verify');
  const certs = write('client-cert', '    certificate-authority: ca.crt\n', '    client-certificate: client.crt\n    client-key: client.key\n');
  t.same(await get(use(certs)), { ok: true }, 'files relative to the kubeconfig');
  t.equal(peers.at(-1), 'system:serviceaccount:nfs:provisioner', 'the client certificate was presented');
});
