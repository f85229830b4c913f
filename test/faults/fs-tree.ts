// File-system views the invariants need: a byte-for-byte description of a tree (the sentinel
// beside the export), the directories in the export, marker files in volume directories. Never
// follows symlinks.
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { TreeSnapshot } from './invariants.ts';

export const MARKER_FILE = '.fault-suite-marker';

/** Every entry under root (except the top-level names in `exclude`), described by type, mode, owner, size, content hash or link target. */
export function snapshotTree(root: string, exclude: readonly string[] = []): TreeSnapshot {
  const out = new Map<string, string>();
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (rel === '' && exclude.includes(name)) continue;
      const abs = join(dir, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(abs);
      const owner = `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`;
      if (st.isSymbolicLink()) out.set(r, `link -> ${readlinkSync(abs)} ${owner}`);
      else if (st.isDirectory()) {
        out.set(r, `dir ${owner}`);
        walk(abs, r);
      } else if (st.isFile()) {
        out.set(r, `file ${owner} ${st.size} bytes sha256 ${createHash('sha256').update(readFileSync(abs)).digest('hex').slice(0, 16)}`);
      } else out.set(r, `other ${owner}`);
    }
  };
  walk(root, '');
  return out;
}

/** A small tree of files and directories with assorted modes, for snapshotTree to guard. */
export function plantSentinel(dir: string): void {
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  const files: [string, string, number][] = [
    ['data.txt', 'sentinel data, must never change\n', 0o644],
    ['secret', 'only root reads this\n', 0o600],
    ['run.sh', '#!/bin/sh\necho sentinel\n', 0o755],
    ['sub/nested.txt', 'nested sentinel\n', 0o640],
    ['sub/deeper/empty', '', 0o444],
  ];
  for (const [rel, content, mode] of files) {
    writeFileSync(join(dir, rel), content);
    chmodSync(join(dir, rel), mode);
  }
  chmodSync(join(dir, 'sub'), 0o750);
  chmodSync(join(dir, 'sub', 'deeper'), 0o700);
  symlinkSync('data.txt', join(dir, 'link-to-data'));
}

/** Every directory below root (relative paths), with whether it holds non-directories (dot-files of the provisioner's probe at the root aside). */
export function exportDirectories(root: string): { path: string; hasFiles: boolean }[] {
  const out: { path: string; hasFiles: boolean }[] = [];
  const walk = (dir: string, rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const abs = join(dir, name);
      let st;
      try {
        st = lstatSync(abs);
      } catch {
        continue;
      }
      if (!st.isDirectory()) continue;
      const r = rel === '' ? name : posix.join(rel, name);
      let hasFiles = false;
      try {
        hasFiles = readdirSync(abs, { withFileTypes: true }).some((e) => e.isFile());
      } catch {
        // unreadable: counts as empty
      }
      out.push({ path: r, hasFiles });
      walk(abs, r);
    }
  };
  walk(root, '');
  return out;
}

export function isRealDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function readMarker(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, MARKER_FILE), 'utf8');
  } catch {
    return undefined;
  }
}

export function writeMarker(dir: string, content: string): void {
  writeFileSync(join(dir, MARKER_FILE), content);
}

/** Names of archived-* siblings of a directory. */
export function archivedSiblings(dir: string): string[] {
  const parent = posix.dirname(dir);
  try {
    return readdirSync(parent).filter((n) => n.startsWith('archived-')).map((n) => join(parent, n));
  } catch {
    return [];
  }
}
