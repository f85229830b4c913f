// Which Kubernetes the end-to-end tests get, decided here and nowhere else.
// E2E_CLUSTER=real (the default) runs them on the real control plane; E2E_CLUSTER=local on the
// harness API server and its stand-ins. When the real one is wanted but not built, CI (CI=true)
// fails the tests (.ci/run builds it, so its absence is a broken run); elsewhere they skip with
// the build command.
import { BUILD_HINT, missingBinaries } from './control-plane/binaries.ts';
import type { ClusterKind } from './cluster.ts';

export interface ClusterChoice {
  kind: ClusterKind;
  /** Set when the tests cannot run here: the reason, for tap's skip option. */
  skip?: string;
}

export function clusterChoice(env: NodeJS.ProcessEnv = process.env): ClusterChoice {
  const wanted = env['E2E_CLUSTER'] ?? 'real';
  if (wanted !== 'real' && wanted !== 'local') throw new Error(`E2E_CLUSTER must be "real" or "local", not ${JSON.stringify(wanted)}`);
  if (wanted === 'local') return { kind: 'local' };
  const missing = missingBinaries(['etcd', 'kube-apiserver', 'kube-controller-manager']);
  if (missing.length === 0) return { kind: 'real' };
  const reason = `the real control plane is not built (missing ${missing.join(', ')}): run ${BUILD_HINT}, or set E2E_CLUSTER=local`;
  if (env['CI'] === 'true') throw new Error(`${reason} (CI=true: these tests must run on it, not skip)`);
  return { kind: 'real', skip: reason };
}

/** The part of a tap test this needs (structural, so any tap version fits). */
export interface SkippableTest {
  plan(n: number, comment?: string): void;
}

/**
 * `if (!requireClusterOrSkip(t)) return;` at the top of an end-to-end test: true when it can run
 * on the chosen cluster; otherwise it skips with the build command (CI throws instead, above).
 */
export function requireClusterOrSkip(t: SkippableTest): boolean {
  const choice = clusterChoice();
  if (choice.skip === undefined) return true;
  t.plan(0, `skip: ${choice.skip}`);
  return false;
}
