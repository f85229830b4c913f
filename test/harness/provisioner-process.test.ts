import t from 'tap';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROVISIONER_NODE_FLAGS, PROVISIONER_THREADPOOL_SIZE, startProvisioner } from '../../harness/provisioner-process.ts';

// Alive = exists and is not a zombie waiting to be reaped.
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const gone = async (pid: number): Promise<boolean> => {
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(20);
  return !alive(pid);
};

void t.test('a shell command gets the contract env, its JSON logs are parsed, SIGTERM stops it', async (t) => {
  // A fake provisioner: prints its env as JSON, serves /readyz on HTTP_LISTEN, exits 0 on SIGTERM.
  const script = `
    const http = require('node:http');
    const [host, port] = process.env.HTTP_LISTEN.split(':');
    console.log(JSON.stringify({ level: 'info', message: 'starting', env: {
      KUBECONFIG: process.env.KUBECONFIG, PROVISIONER_NAME: process.env.PROVISIONER_NAME,
      NFS_SERVER: process.env.NFS_SERVER, NFS_PATH: process.env.NFS_PATH, NFS_MOUNT_PATH: process.env.NFS_MOUNT_PATH,
      ENABLE_LEADER_ELECTION: process.env.ENABLE_LEADER_ELECTION, EXTRA: process.env.EXTRA } }));
    console.log('not json');
    const srv = http.createServer((req, res) => { res.statusCode = req.url === '/readyz' ? 200 : 404; res.end('ok'); });
    srv.listen(Number(port), host);
    process.on('SIGTERM', () => { console.log(JSON.stringify({ level: 'info', message: 'bye' })); srv.close(); process.exit(0); });
  `;
  const dir = t.testdir({ 'fake.cjs': script });
  const p = await startProvisioner({
    kubeconfigPath: '/tmp/kc',
    exportDir: dir,
    provisionerName: 'example.com/nfs',
    nfsPath: '/srv/export',
    env: { EXTRA: 'x' },
    command: `'${process.execPath}' '${join(dir, 'fake.cjs')}'`,
  });
  t.teardown(() => p.kill());
  t.match(p.httpUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  await p.waitReady(20_000);
  const first = await p.waitForLog((l) => l.json?.['message'] === 'starting');
  t.same(first.json?.['env'], {
    KUBECONFIG: '/tmp/kc',
    PROVISIONER_NAME: 'example.com/nfs',
    NFS_SERVER: '127.0.0.1',
    NFS_PATH: '/srv/export',
    NFS_MOUNT_PATH: dir,
    ENABLE_LEADER_ELECTION: 'false',
    EXTRA: 'x',
  });
  const plain = await p.waitForLog((l) => l.text === 'not json');
  t.equal(plain.json, undefined, 'non-JSON lines are kept as text');
  t.equal(await p.stop(), 0, 'SIGTERM: exit code 0');
  t.ok(p.logs.some((l) => l.json?.['message'] === 'bye'));
  t.ok(await gone(p.pid));
});

void t.test('waitReady rejects with the output when the process exits first', async (t) => {
  const p = await startProvisioner({
    kubeconfigPath: '/tmp/kc',
    exportDir: t.testdir({}),
    provisionerName: 'example.com/nfs',
    command: 'echo "NFS_SERVER is required" >&2; exit 2',
  });
  await t.rejects(p.waitReady(10_000), /exited \(code 2.*NFS_SERVER is required/s);
  t.same(await p.exited, { code: 2, signal: null });
});

void t.test('stop() kills a process that ignores SIGTERM, with every process of its group', async (t) => {
  const p = await startProvisioner({
    kubeconfigPath: '/tmp/kc',
    exportDir: t.testdir({}),
    provisionerName: 'example.com/nfs',
    command: `trap '' TERM; sleep 60 & echo "child $!"; wait`,
  });
  const line = await p.waitForLog((l) => l.text.startsWith('child '));
  const grandchild = Number(line.text.split(' ')[1]);
  t.ok(alive(grandchild));
  const code = await p.stop('SIGTERM', 300);
  t.equal(code, null, 'killed by a signal');
  t.ok(await gone(p.pid));
  t.ok(await gone(grandchild), 'no orphan left behind');
});

void t.test('waitReady times out while /readyz says 503', async (t) => {
  const srv = createServer((_req, res) => {
    res.statusCode = 503;
    res.end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => srv.close());
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const p = await startProvisioner({
    kubeconfigPath: '/tmp/kc',
    exportDir: t.testdir({}),
    provisionerName: 'example.com/nfs',
    env: { HTTP_LISTEN: `127.0.0.1:${port}` },
    command: 'sleep 30',
  });
  t.teardown(() => p.kill());
  t.equal(p.httpUrl, `http://127.0.0.1:${port}`, 'an HTTP_LISTEN override is where readiness is probed');
  await t.rejects(p.waitReady(500), /not ready after 500 ms/);
});

void t.test('the harness runs the provisioner with the node flags of the image and of npm start', (t) => {
  const root = new URL('../../', import.meta.url);
  const entrypoint = /^ENTRYPOINT (\[.*\])$/mu.exec(readFileSync(new URL('Dockerfile', root), 'utf8'))?.[1];
  t.same(JSON.parse(entrypoint ?? '[]'), ['node', ...PROVISIONER_NODE_FLAGS, 'dist/main.js'], 'Dockerfile ENTRYPOINT');
  const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;
  t.equal(scripts['start'], [`UV_THREADPOOL_SIZE=\${UV_THREADPOOL_SIZE:-${PROVISIONER_THREADPOOL_SIZE}}`, 'node', ...PROVISIONER_NODE_FLAGS, 'dist/main.js'].join(' '), 'npm start (an operator\'s UV_THREADPOOL_SIZE wins)');
  t.match(readFileSync(new URL('Dockerfile', root), 'utf8'), new RegExp(`^ENV UV_THREADPOOL_SIZE=${PROVISIONER_THREADPOOL_SIZE}$`, 'mu'), 'Dockerfile ENV UV_THREADPOOL_SIZE');
  t.end();
});
