// Runs the helm that `npm run control-plane:build` builds (v3.22 from its Go module) with its own
// throw-away config, cache and data directories (no repositories, nothing of the user's), and reads
// what `helm template` renders. Shared by the chart tests.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binaryPath, BUILD_HINT, missingBinaries } from '../../harness/control-plane/binaries.ts';
import type { SkippableTest } from '../../harness/cluster-choice.ts';
import { parseObjects } from '../manifests/render.ts';
import type { KubeObject } from '../manifests/render.ts';

export const CHART_DIR = fileURLToPath(new URL('../../charts/nfs-provisioner-ts', import.meta.url));
export const VALUES_DIR = fileURLToPath(new URL('./values/', import.meta.url));
/** The version of the real control plane; helm built from its module would assume v1.20 otherwise. */
export const KUBE_VERSION = '1.37.2';

let home: string | undefined;
function helmHome(): string {
  if (home === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'helm-home-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    home = dir;
  }
  return home;
}

export interface HelmOptions {
  /** The cluster for install, upgrade, uninstall. */
  readonly kubeconfig?: string;
  readonly timeoutMs?: number;
}

export class HelmError extends Error {
  readonly stderr: string;
  constructor(args: readonly string[], message: string, stderr: string) {
    super(`helm ${args.join(' ')}: ${message}\n${stderr}`);
    this.name = 'HelmError';
    this.stderr = stderr;
  }
}

export function helm(args: readonly string[], opts: HelmOptions = {}): Promise<string> {
  const dir = helmHome();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: dir,
    HELM_CONFIG_HOME: join(dir, 'config'),
    HELM_CACHE_HOME: join(dir, 'cache'),
    HELM_DATA_HOME: join(dir, 'data'),
    ...(opts.kubeconfig === undefined ? {} : { KUBECONFIG: opts.kubeconfig }),
  };
  return new Promise((resolve, reject) => {
    execFile(binaryPath('helm'), args, { env, maxBuffer: 32 << 20, timeout: opts.timeoutMs ?? 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new HelmError(args, err.message, stderr));
      else resolve(stdout);
    });
  });
}

export interface RenderOptions {
  readonly namespace?: string;
  /** Files in test/charts/values/ (or absolute paths). */
  readonly values?: readonly string[];
  readonly set?: Readonly<Record<string, string>>;
}

export function valuesArgs(opts: RenderOptions): string[] {
  return [
    '--namespace', opts.namespace ?? 'nfs-provisioner',
    ...(opts.values ?? []).flatMap((f) => ['-f', f.startsWith('/') ? f : join(VALUES_DIR, f)]),
    ...Object.entries(opts.set ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
  ];
}

/** `helm template <release> <chart>` as text. */
export function templateText(release: string, opts: RenderOptions = {}): Promise<string> {
  return helm(['template', release, CHART_DIR, '--kube-version', KUBE_VERSION, ...valuesArgs(opts)]);
}

/** `helm template`, parsed into objects. */
export async function template(release: string, opts: RenderOptions = {}): Promise<KubeObject[]> {
  return parseObjects(await templateText(release, opts), `helm template ${release}`);
}

/**
 * `if (!requireHelmOrSkip(t)) return;`: true when helm is built; otherwise skips with the build
 * command, or throws in CI (.ci/run builds it, so its absence there is a broken run).
 */
export function requireHelmOrSkip(t: SkippableTest): boolean {
  if (missingBinaries(['helm']).length === 0) return true;
  const reason = `helm is not built: run ${BUILD_HINT}`;
  if (process.env['CI'] === 'true') throw new Error(`${reason} (CI=true: the chart tests must run)`);
  t.plan(0, `skip: ${reason}`);
  return false;
}
