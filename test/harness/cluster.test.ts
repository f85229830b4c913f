import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startCluster } from '../../harness/cluster.ts';
import { CONTROLLER_USER_AGENT } from '../../harness/controllers/index.ts';

const run = promisify(execFile);

void t.test('startCluster: kubectl works against it, the stand-ins run under their own User-Agent, stop() ends it', async (t) => {
  const cluster = await startCluster();
  t.teardown(() => cluster.stop());
  t.match(cluster.url, /^https?:\/\/127\.0\.0\.1:\d+/);
  t.equal(cluster.kubeconfigPath, cluster.apiServer?.kubeconfigPath);
  t.ok(cluster.controllers, 'controllers started');
  const { stdout } = await run('kubectl', ['--kubeconfig', cluster.kubeconfigPath, 'get', 'pvc', '-A', '-o', 'name']);
  t.equal(stdout.trim(), '');
  t.ok(cluster.requests.count({ verb: 'watch', userAgent: CONTROLLER_USER_AGENT }) > 0, 'controllers watch as harness-controller-manager');
  t.ok(cluster.requests.count({ verb: 'list', resource: 'persistentvolumeclaims', userAgent: CONTROLLER_USER_AGENT }) > 0);
  await cluster.stop();
  await cluster.stop();
  await t.rejects(run('kubectl', ['--kubeconfig', cluster.kubeconfigPath, 'get', 'pvc', '--request-timeout=2s']), 'the API server is gone');
});

void t.test('controllers: false starts the API server alone', async (t) => {
  const cluster = await startCluster({ controllers: false });
  t.teardown(() => cluster.stop());
  t.equal(cluster.controllers, undefined);
  t.equal(cluster.requests.count({ userAgent: CONTROLLER_USER_AGENT }), 0);
});
