import { Registry, Counter } from 'prom-client';
import t from 'tap';
import { startHealthServer } from '../../lib/http/server.ts';
import { memoryLogger } from '../kube/silent-logger.ts';

void t.test('healthz, readyz and metrics answer from in-memory state', async (t) => {
  const registry = new Registry();
  new Counter({ name: 'nfs_provisioner_test_total', help: 'x', registers: [registry] }).inc(3);
  let synced = false;
  const server = await startHealthServer(
    {
      registry,
      logger: memoryLogger().logger,
      liveness: [{ name: 'event-loop', problem: () => undefined }],
      readiness: [
        { name: 'informers', problem: () => (synced ? undefined : 'not synced: persistentvolumes') },
        { name: 'export', problem: () => undefined },
      ],
    },
    '127.0.0.1',
    0,
  );
  t.teardown(() => server.close());
  const get = async (path: string): Promise<[number, string]> => {
    const response = await fetch(`${server.url}${path}`);
    return [response.status, await response.text()];
  };
  t.same(await get('/healthz'), [200, 'ok\n']);
  const [code, body] = await get('/readyz');
  t.equal(code, 503);
  t.match(body, /\[-\]informers failed: not synced: persistentvolumes/);
  t.match(body, /\[\+\]export ok/);
  synced = true;
  t.same(await get('/readyz'), [200, 'ok\n']);
  const [metricsCode, metrics] = await get('/metrics');
  t.equal(metricsCode, 200);
  t.match(metrics, /nfs_provisioner_test_total 3/);
  t.equal((await get('/nope'))[0], 404);
  t.equal((await fetch(`${server.url}/healthz`, { method: 'POST' })).status, 405);
});

void t.test('an informational check is named but does not fail the endpoint', async (t) => {
  let secondDown = true;
  let allDown = false;
  const server = await startHealthServer(
    {
      registry: new Registry(),
      logger: memoryLogger().logger,
      liveness: [],
      readiness: [
        { name: 'export:default', informational: true, problem: () => (allDown ? 'hung: no answer' : undefined) },
        { name: 'export:second', informational: true, problem: () => (secondDown ? 'read-only: EROFS' : undefined) },
        { name: 'exports', problem: () => (allDown ? 'none of the 2 exports is usable' : undefined) },
      ],
    },
    '127.0.0.1',
    0,
  );
  t.teardown(() => server.close());
  const get = async (): Promise<[number, string]> => {
    const response = await fetch(`${server.url}/readyz`);
    return [response.status, await response.text()];
  };
  t.same(await get(), [200, '[+]export:default ok\n[!]export:second degraded: read-only: EROFS\n[+]exports ok\nok\n'], 'ready, and it says which export is not');
  secondDown = false;
  t.same(await get(), [200, 'ok\n'], 'plain ok when all is well');
  allDown = true;
  secondDown = true;
  const [code, body] = await get();
  t.equal(code, 503);
  t.match(body, /\[-\]exports failed: none of the 2 exports is usable/);
});
