// Whether the real-NFS and hung-mount tests can run on this machine, and what to tell the reader
// when they cannot. Outside CI a missing package skips those tests with the apt-get line; in CI
// (CI=true) it fails them: .ci/run installs the packages, so absence there is a broken machine.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { NFS_INSTALL_HINT } from './errors.ts';
import { defaultSearchPath, findExecutable, findGaneshaVfsFsal } from './find-tools.ts';

export type NfsFeature = 'nfs' | 'hung-mount';

export interface Availability {
  ok: boolean;
  /** What is missing, e.g. `ganesha.nfsd`, `/dev/fuse`, `root (FUSE needs it here)`. */
  missing: string[];
  /** One line for a skip or failure message. */
  message: string;
}

export interface AvailabilityOptions {
  need?: NfsFeature | NfsFeature[];
  searchPath?: string;
}

const NFS_BINARIES = ['ganesha.nfsd', 'rpcbind', 'nfs-ls', 'nfs-cat', 'python3'];
const HUNG_MOUNT_BINARIES = ['bindfs', 'umount'];

export function availability(opts: AvailabilityOptions = {}): Availability {
  const need = new Set(Array.isArray(opts.need) ? opts.need : [opts.need ?? 'nfs']);
  const searchPath = opts.searchPath ?? defaultSearchPath();
  const missing: string[] = [];
  if (need.has('nfs')) {
    for (const name of NFS_BINARIES) if (findExecutable(name, searchPath) === undefined) missing.push(name);
    if (findGaneshaVfsFsal() === undefined) missing.push('libfsalvfs.so (nfs-ganesha-vfs)');
    const python = findExecutable('python3', searchPath);
    if (python !== undefined && !canLoadLibnfs(python)) missing.push('libnfs.so.13 (libnfs-utils)');
  }
  if (need.has('hung-mount')) {
    for (const name of HUNG_MOUNT_BINARIES) if (findExecutable(name, searchPath) === undefined) missing.push(name);
    try {
      accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
    } catch {
      missing.push('/dev/fuse');
    }
    if (process.getuid?.() !== 0) missing.push('root (FUSE mounts need it on these machines)');
  }
  const what = [...need].join(' + ');
  return {
    ok: missing.length === 0,
    missing,
    message:
      missing.length === 0
        ? `real ${what} available`
        : `real ${what} tests need ${missing.join(', ')}; install with: ${NFS_INSTALL_HINT}`,
  };
}

function canLoadLibnfs(python: string): boolean {
  const res = spawnSync(python, ['-c', 'import ctypes; ctypes.CDLL("libnfs.so.13")'], { stdio: 'ignore', timeout: 10_000 });
  return res.status === 0;
}

/** The part of a tap test this needs (kept structural so any tap version fits). */
export interface SkippableTest {
  plan(n: number, comment?: string): void;
  fail(message: string): boolean;
}

/**
 * `if (!requireNfsOrSkip(t)) return;` at the top of a real-NFS test: true when it can run;
 * otherwise skips it with the install hint, or, in CI (CI=true), fails it.
 */
export function requireNfsOrSkip(
  t: SkippableTest,
  opts: AvailabilityOptions & { ci?: boolean } = {},
): boolean {
  const a = availability(opts);
  if (a.ok) return true;
  const inCi = opts.ci ?? process.env.CI === 'true';
  if (inCi) {
    t.fail(`${a.message} (CI=true: these tests must run, not skip)`);
  } else {
    t.plan(0, `skip: ${a.message}`);
  }
  return false;
}
