// The Authorization header per credential kind: fixed tokens and basic auth, a token file read
// again each minute (and kept when a re-read fails), and an exec plugin through client-node.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { authorizationSource } from '../../lib/kube/credentials.ts';
import { FakeClock } from './fake-clock.ts';

void t.test('fixed credentials', async (t) => {
  const clock = new FakeClock();
  t.equal(await authorizationSource({ kind: 'none' }, clock)(), undefined);
  t.equal(await authorizationSource({ kind: 'token', token: 'abc' }, clock)(), 'Bearer abc');
  t.equal(await authorizationSource({ kind: 'basic', username: 'u', password: 'p:w' }, clock)(), `Basic ${Buffer.from('u:p:w').toString('base64')}`);
});

void t.test('a token file is read again after a minute; a failed re-read keeps the last token', async (t) => {
  const dir = t.testdir({ token: 'first\n' });
  const path = join(dir, 'token');
  const clock = new FakeClock();
  const source = authorizationSource({ kind: 'token-file', path }, clock);
  t.equal(await source(), 'Bearer first');
  writeFileSync(path, 'second');
  await clock.advance(59_000);
  t.equal(await source(), 'Bearer first', 'cached within the minute');
  await clock.advance(1_000);
  t.equal(await source(), 'Bearer second', 'rotated token picked up');
  rmSync(path);
  await clock.advance(60_000);
  t.equal(await source(), 'Bearer second', 'the file vanished for a moment: the last token stays');
  await t.rejects(authorizationSource({ kind: 'token-file', path }, clock)(), { code: 'ENOENT' }, 'no token at all is an error');
});

void t.test('an exec plugin runs through client-node (loaded on first use)', async (t) => {
  const dir = t.testdir();
  const plugin = join(dir, 'get-token');
  writeFileSync(plugin, `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-exec"}}'\n`);
  chmodSync(plugin, 0o755);
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\nclusters:\n- name: c\n  cluster: {server: 'http://127.0.0.1:1', insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${plugin}\n      interactiveMode: Never\n`,
  );
  const source = authorizationSource({ kind: 'delegated', kubeconfigPath: kubeconfig, plugin: 'exec' }, new FakeClock());
  t.equal(await source(), 'Bearer from-exec');
});
