// `npm run sandbox -- --real`: the sandbox flow on the real control plane (its own file, so these
// slower tests get their own time budget).
import t from 'tap';
import type { Test } from 'tap';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clusterChoice, requireClusterOrSkip } from '../../../harness/cluster-choice.ts';
import { alive, descendants, run, startSandbox } from './sandbox-process.ts';

// --real needs the built control plane: requireClusterOrSkip skips with the build command outside
// CI (and fails the run under CI=true); E2E_CLUSTER=local asks for no real control plane at all.
function realOrSkip(t: Test): boolean {
  if (!requireClusterOrSkip(t)) return false;
  if (clusterChoice().kind === 'real') return true;
  t.plan(0, 'skip: E2E_CLUSTER=local');
  return false;
}

void t.test('--real --exit-after-ready: the real control plane, the provisioner as its ServiceAccount, ready, exit 0', async (t) => {
  if (!realOrSkip(t)) return;
  const sb = startSandbox(t, ['--real', '--no-examples', '--exit-after-ready']);
  t.equal(await sb.exit, 0, sb.output());
  t.match(sb.output(), /cluster: +real control plane: etcd \(pid \d+\), kube-apiserver \(pid \d+\), kube-controller-manager \(pid \d+\)/);
  t.match(sb.output(), /as ServiceAccount nfs-provisioner\/nfs-provisioner/);
  t.match(sb.output(), /sandbox ready \(API server https:\/\/127\.0\.0\.1:\d+\)/);
  t.match(sb.output(), /sandbox stopped/);
});

void t.test('--real with examples: kubectl sees them Bound, SIGINT exits 0 and stops the control plane', async (t) => {
  if (!realOrSkip(t)) return;
  const dir = t.testdir({});
  const kubeconfig = join(dir, 'kubeconfig');
  const sb = startSandbox(t, ['--real', '--kubeconfig', kubeconfig]);
  // The machine may be shared: the control plane is given two minutes.
  await sb.waitFor(/sandbox ready/, 120_000);
  let claims = '';
  for (let i = 0; i < 300; i++) {
    claims = (await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pvc', '-o', 'custom-columns=NAME:.metadata.name,PHASE:.status.phase', '--no-headers'])).stdout;
    if (['test-claim', 'nfs-pv1', 'www-web-0'].every((n) => new RegExp(`^${n} +Bound$`, 'm').test(claims))) break;
    await sleep(100);
  }
  for (const n of ['test-claim', 'nfs-pv1', 'www-web-0']) t.match(claims, new RegExp(`^${n} +Bound$`, 'm'), `${n} Bound`);
  await sb.waitFor(/claim default\/www-web-0 {2}Bound/, 30_000);
  const kids = descendants(sb.child.pid ?? 0);
  sb.child.kill('SIGINT');
  t.equal(await sb.exit, 0);
  for (let i = 0; i < 100 && kids.some(alive); i++) await sleep(100);
  t.same(kids.filter(alive), [], 'no process left behind (etcd, kube-apiserver, kube-controller-manager, the provisioner)');
});
