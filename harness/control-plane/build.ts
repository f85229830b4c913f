// `npm run control-plane:build`: builds kube-apiserver, kube-controller-manager, etcd and helm
// from the Go module beside this file into .cache/control-plane/bin/, and prints where they are.
// Reuses what is built: a stamp records the hash of go.mod, go.sum, our Go sources, the Go
// version and the flags, and nothing is rebuilt while it matches (Go's own build cache makes a
// rebuild after a change incremental too). Test-time tooling only: nothing here is in the image.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BIN_DIR, CONTROL_PLANE_BINARIES, missingBinaries, MODULE_DIR } from './binaries.ts';

const K8S_VERSION = 'v1.37.2';
/**
 * The version the binaries report (kubectl version, /version) and put in their User-Agent, as
 * Kubernetes' own build stamps it: component-base for the servers, client-go for their clients.
 */
const LDFLAGS = [
  '-s',
  '-w',
  ...['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${K8S_VERSION}`,
    `-X ${pkg}.gitMajor=1`,
    `-X ${pkg}.gitMinor=37`,
    `-X ${pkg}.gitTreeState=clean`,
  ]),
].join(' ');
const PACKAGES = [
  'k8s.io/kubernetes/cmd/kube-apiserver',
  'k8s.io/kubernetes/cmd/kube-controller-manager',
  './cmd/etcd',
  'helm.sh/helm/v3/cmd/helm',
];
const STAMP = join(BIN_DIR, '.build-stamp');

function goSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...goSources(path));
    else if (entry.name.endsWith('.go')) out.push(path);
  }
  return out.sort();
}

function goVersion(): string {
  const res = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    console.error(`control-plane:build: Go is needed (go version failed: ${res.error?.message ?? res.stderr.trim()})`);
    process.exit(2);
  }
  return res.stdout.trim();
}

function stampOf(version: string): string {
  const hash = createHash('sha256');
  hash.update(`${version}\n${LDFLAGS}\n${PACKAGES.join(' ')}\n`);
  for (const file of ['go.mod', 'go.sum', ...goSources(join(MODULE_DIR, 'cmd')).map((p) => relative(MODULE_DIR, p))]) {
    hash.update(`${file}\n`);
    hash.update(readFileSync(join(MODULE_DIR, file)));
  }
  return hash.digest('hex');
}

function readStamp(): string | undefined {
  try {
    return readFileSync(STAMP, 'utf8').trim();
  } catch {
    return undefined;
  }
}

const started = Date.now();
const version = goVersion();
const stamp = stampOf(version);
if (readStamp() === stamp && missingBinaries().length === 0) {
  console.log(`control plane up to date (${K8S_VERSION}, ${version}): ${BIN_DIR}`);
  process.exit(0);
}
mkdirSync(BIN_DIR, { recursive: true });
console.log(`building ${CONTROL_PLANE_BINARIES.join(', ')} (${K8S_VERSION}) with ${version} into ${BIN_DIR} ...`);
const res = spawnSync('go', ['build', '-trimpath', '-ldflags', LDFLAGS, '-o', `${BIN_DIR}/`, ...PACKAGES], {
  cwd: MODULE_DIR,
  stdio: 'inherit',
  // -mod=readonly: go.sum is committed and must already hold every module the build needs.
  env: { ...process.env, GOFLAGS: `${process.env['GOFLAGS'] ?? ''} -mod=readonly`.trim(), CGO_ENABLED: '0' },
});
if (res.error || res.status !== 0) {
  console.error(`control-plane:build: go build failed (${res.error?.message ?? `exit ${String(res.status)}`})`);
  process.exit(1);
}
const missing = missingBinaries();
if (missing.length > 0) {
  console.error(`control-plane:build: go build did not produce ${missing.join(', ')}`);
  process.exit(1);
}
writeFileSync(STAMP, `${stamp}\n`);
console.log(`control plane built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${BIN_DIR}`);
