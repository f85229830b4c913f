// The directory of a PV from its NFS path, for PVs made by nfs-subdir-external-provisioner (which
// recorded nothing else) and to cross-check the directory our own PVs record. The Go project
// did `strings.Replace(path, NFS_PATH, mountPath, 1)`, which breaks when NFS_PATH ends in `/`
// and can match in the middle of a path; here both are normalized and the PV's path must start
// with NFS_PATH as whole components.
import { posix } from 'node:path';
import type { RelativePathResult } from './relative-path.ts';
import { parseRelativePath } from './relative-path.ts';

function normalizeAbsolute(path: string): string {
  const normalized = posix.normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}

/** `NFS_PATH` joined with a directory, as the PV source path: no double slashes. */
export function volumeSourcePath(nfsPath: string, directory: string): string {
  return posix.join(nfsPath, directory);
}

/** The directory (relative to the export root) that a PV's `spec.nfs.path` points at. */
export function directoryFromNfsPath(nfsPath: string, pvPath: string): RelativePathResult {
  if (!pvPath.startsWith('/') || !nfsPath.startsWith('/')) {
    return { ok: false, message: `the PV's NFS path "${pvPath}" or NFS_PATH "${nfsPath}" is not absolute` };
  }
  const base = normalizeAbsolute(nfsPath);
  const path = normalizeAbsolute(pvPath);
  const prefix = base === '/' ? '/' : `${base}/`;
  if (!path.startsWith(prefix) || path.length === prefix.length) {
    return {
      ok: false,
      message: `the PV's NFS path "${pvPath}" is not a directory below NFS_PATH "${nfsPath}"`,
    };
  }
  return parseRelativePath(path.slice(prefix.length));
}
