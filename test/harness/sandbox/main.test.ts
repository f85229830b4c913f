import t from 'tap';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive, descendants, MAIN, run, startSandbox } from './sandbox-process.ts';

void t.test('--help lists the flags', async (t) => {
  const { stdout } = await run(process.execPath, [MAIN, '--help']);
  for (const flag of ['--kubeconfig PATH', '--export-dir PATH', '--port N', '--no-examples']) t.match(stdout, flag);
});

void t.test('sandbox without examples: ready, kubectl works, SIGTERM exits 0 and leaves nothing behind', async (t) => {
  const dir = t.testdir({ export: {} });
  const kubeconfig = join(dir, 'kubeconfig');
  const exportDir = join(dir, 'export');
  const sb = startSandbox(t, ['--no-examples', '--kubeconfig', kubeconfig, '--export-dir', exportDir]);
  await sb.waitFor(/sandbox ready/);
  t.match(sb.output(), `kubectl --kubeconfig ${kubeconfig} apply -f`);
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'storageclass', '-o', 'name']);
  t.match(stdout, 'storageclass.storage.k8s.io/nfs-client');
  const pvcs = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pvc', '-A', '-o', 'name']);
  t.equal(pvcs.stdout.trim(), '', 'no example claims');
  const kids = descendants(sb.child.pid ?? 0);
  sb.child.kill('SIGTERM');
  t.equal(await sb.exit, 0, 'exit code 0');
  t.match(sb.output(), /sandbox stopped/);
  for (let i = 0; i < 50 && kids.some(alive); i++) await sleep(100);
  t.same(kids.filter(alive), [], 'no process left behind');
  t.ok(existsSync(exportDir), 'a user-given export directory is kept');
});

void t.test('sandbox with examples: the example claims and the StatefulSet claims appear', async (t) => {
  const dir = t.testdir({});
  const kubeconfig = join(dir, 'kubeconfig');
  const sb = startSandbox(t, ['--kubeconfig', kubeconfig]);
  await sb.waitFor(/sandbox ready/);
  const exportLine = await sb.waitFor(/export:\s+(\S+)/);
  const exportDir = exportLine[1] ?? '';
  let names = '';
  for (let i = 0; i < 100; i++) {
    names = (await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pvc', '-o', 'name'])).stdout;
    if (names.includes('www-web-2')) break;
    await sleep(100);
  }
  for (const n of ['test-claim', 'nfs-pv1', 'www-web-0', 'www-web-1', 'www-web-2', 'second-claim']) t.match(names, `persistentvolumeclaim/${n}`);
  await sb.waitFor(/claim default\/www-web-0/, 10_000);
  // Two exports by default, each with a class and a claim, both in the live table.
  const secondLine = await sb.waitFor(/export second:\s+(\S+) \(class nfs-second\)/);
  await sb.waitFor(/volume pvc-\S+\s+Bound\s+default\/second-claim\s+Delete\s+second/, 20_000);
  await sb.waitFor(/dir second:default-second-claim-pvc-\S+/, 20_000);
  await sb.waitFor(/dir default:default-test-claim-pvc-\S+/, 20_000);
  t.ok(readdirSync(secondLine[1] ?? '').some((d) => d.startsWith('default-second-claim-pvc-')), "the second export's claim is in its directory");
  sb.child.kill('SIGINT');
  t.equal(await sb.exit, 0);
  t.notOk(existsSync(exportDir), 'the temporary export is removed');
});

void t.test('--exit-after-ready', async (t) => {
  const sb = startSandbox(t, ['--no-examples', '--exit-after-ready']);
  t.equal(await sb.exit, 0);
  t.match(sb.output(), /sandbox ready/);
});

void t.test('--provisioner-env reaches the provisioner: with USAGE_INTERVAL=1s the live table shows what a pod wrote', async (t) => {
  const dir = t.testdir({ export: {} });
  const exportDir = join(dir, 'export');
  const sb = startSandbox(t, ['--kubeconfig', join(dir, 'kubeconfig'), '--export-dir', exportDir, '--provisioner-env', 'USAGE_INTERVAL=1s']);
  await sb.waitFor(/sandbox ready/);
  let volumeDir: string | undefined;
  for (let i = 0; i < 200 && volumeDir === undefined; i++) {
    volumeDir = readdirSync(exportDir).find((d) => d.startsWith('default-test-claim-'));
    if (volumeDir === undefined) await sleep(50);
  }
  t.ok(volumeDir, 'the example claim has its directory');
  writeFileSync(join(exportDir, volumeDir ?? '', 'data.bin'), Buffer.alloc(2 * 1024 * 1024, 1));
  await sb.waitFor(/volume \S+\s+Bound\s+default\/test-claim\s+Delete\s+default\s+2\.\dMi\/1Mi/, 20_000);
  sb.child.kill('SIGTERM');
  t.equal(await sb.exit, 0);
});
