// Locates the external programs of the real-NFS harness on a search path, so that a missing
// package is reported by name (with the apt-get line) instead of as a spawn ENOENT.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { NfsToolsMissingError } from './errors.ts';

/** The search path used when none is given: PATH plus the sbin directories rpcbind lives in. */
export function defaultSearchPath(): string {
  return [process.env.PATH ?? '', '/usr/sbin', '/sbin'].filter((p) => p !== '').join(delimiter);
}

export function findExecutable(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Resolves every name to an absolute path, or throws NfsToolsMissingError naming all missing ones. */
export function requireExecutables<const N extends string>(names: readonly N[], searchPath: string): Record<N, string> {
  const found = {} as Record<N, string>;
  const missing: string[] = [];
  for (const name of names) {
    const path = findExecutable(name, searchPath);
    if (path === undefined) missing.push(name);
    else found[name] = path;
  }
  if (missing.length > 0) throw new NfsToolsMissingError(missing);
  return found;
}

const FSAL_DIRS = [
  '/usr/lib/x86_64-linux-gnu/ganesha',
  '/usr/lib/aarch64-linux-gnu/ganesha',
  '/usr/lib/ganesha',
  '/usr/lib64/ganesha',
];

/** ganesha loads FSAL VFS as a plugin (package nfs-ganesha-vfs); without it the export fails. */
export function findGaneshaVfsFsal(): string | undefined {
  for (const dir of FSAL_DIRS) {
    const candidate = join(dir, 'libfsalvfs.so');
    try {
      accessSync(candidate, constants.R_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
