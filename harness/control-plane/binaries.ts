// Where `npm run control-plane:build` puts the real control plane (kube-apiserver,
// kube-controller-manager, etcd, helm), and the one-line error that names the build command when
// they are not there. The binaries live in the repository's .cache/ (gitignored); Go's module and
// build caches stay in Go's own places outside the repository.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MODULE_DIR = fileURLToPath(new URL('.', import.meta.url));
export const BIN_DIR = join(REPO_ROOT, '.cache', 'control-plane', 'bin');

export type ControlPlaneBinary = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'helm';
export const CONTROL_PLANE_BINARIES: readonly ControlPlaneBinary[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'helm'];

export const BUILD_HINT = 'npm run control-plane:build (needs Go 1.26 and the Go module proxy)';

export function binaryPath(name: ControlPlaneBinary): string {
  return join(BIN_DIR, name);
}

/** The binaries that are not built (empty when all are). */
export function missingBinaries(names: readonly ControlPlaneBinary[] = CONTROL_PLANE_BINARIES): ControlPlaneBinary[] {
  return names.filter((name) => {
    try {
      accessSync(binaryPath(name), constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

export class ControlPlaneNotBuiltError extends Error {
  constructor(missing: readonly string[]) {
    super(`real control plane not built (missing ${missing.join(', ')} in ${BIN_DIR}): run ${BUILD_HINT}`);
    this.name = 'ControlPlaneNotBuiltError';
  }
}

/** Throws ControlPlaneNotBuiltError when any of `names` is missing. */
export function requireBinaries(names: readonly ControlPlaneBinary[] = CONTROL_PLANE_BINARIES): void {
  const missing = missingBinaries(names);
  if (missing.length > 0) throw new ControlPlaneNotBuiltError(missing);
}
