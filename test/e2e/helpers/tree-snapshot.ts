// A byte-for-byte picture of a directory tree: every entry's type, mode, size, mtime, file
// contents (SHA-256) and symlink target. Two snapshots are equal only if nothing in the tree was
// created, removed, renamed, written, chmod'ed or touched.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  size: number;
  mtimeMs: number;
  sha256?: string;
  target?: string;
}

export type TreeSnapshot = Record<string, TreeEntry>;

export async function snapshotTree(root: string): Promise<TreeSnapshot> {
  const out: TreeSnapshot = {};
  const visit = async (relative: string): Promise<void> => {
    const path = relative === '' ? root : join(root, relative);
    const stats = await lstat(path);
    const key = relative === '' ? '.' : relative;
    const base = { mode: stats.mode, size: stats.size, mtimeMs: stats.mtimeMs };
    if (stats.isSymbolicLink()) {
      out[key] = { type: 'symlink', ...base, target: await readlink(path) };
    } else if (stats.isFile()) {
      out[key] = { type: 'file', ...base, sha256: createHash('sha256').update(await readFile(path)).digest('hex') };
    } else if (stats.isDirectory()) {
      out[key] = { type: 'dir', ...base, size: 0 };
      for (const name of (await readdir(path)).sort()) await visit(relative === '' ? name : join(relative, name));
    } else {
      out[key] = { type: 'other', ...base };
    }
  };
  await visit('');
  return out;
}

/** Every path below root (relative, `/`-separated), directories included, symlinks not followed. */
export async function listTree(root: string): Promise<string[]> {
  return Object.keys(await snapshotTree(root)).filter((k) => k !== '.').sort();
}
