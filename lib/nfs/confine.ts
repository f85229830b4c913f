// Confinement to the export, in the style of csi-driver-nfs's validatePathWithinBase: every path
// is resolved (realpath, which follows symlinks) and checked to stay strictly below the export's
// own real path before anything is created, renamed or removed there. Symlinks planted inside
// the export are followed only for the check, never trusted: one that leads outside (or dangles)
// stops the operation with a PermanentError, and the final directory itself must be a real
// directory, not a link.
//
// Known limit: Node has no mkdirat/openat, so between a check and the next call another client
// of the export could swap a checked directory for a symlink. The window is one fs call; the
// final chmod/chown uses O_NOFOLLOW, rename and rm never follow a last-component link, and every
// destructive call is preceded by a fresh check.
import { posix } from 'node:path';
import { PermanentError, TransientError, errorMessage } from '../errors.ts';
import type { ExportFs } from './export-fs.ts';

/** True when `target` is `base` itself or below it (both absolute, normalized). */
export function isWithinOrEqual(base: string, target: string): boolean {
  const relative = posix.relative(base, target);
  return relative === '' || (relative !== '..' && !relative.startsWith('../') && !posix.isAbsolute(relative));
}

/** True when `target` is strictly below `base`: never the export root itself. */
export function isStrictlyWithin(base: string, target: string): boolean {
  return target !== base && posix.relative(base, target) !== '' && isWithinOrEqual(base, target);
}

/** Throws unless `target` is strictly below `base`; called right before every destructive call. */
export function assertStrictlyWithin(base: string, target: string, what: string): void {
  if (!isStrictlyWithin(base, target)) {
    throw new PermanentError(`refusing to touch ${target}: ${what} must stay inside the export ${base} and not be its root`);
  }
}

/** The `code` of a Node system error (ENOENT, EEXIST, ...), if any. */
export function fsErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** The export root's real path; a missing mount is transient (it may be remounted). */
export async function exportRoot(fs: ExportFs, mountPath: string, signal?: AbortSignal): Promise<string> {
  try {
    return await fs.realpath(mountPath, signal);
  } catch (error) {
    if (error instanceof TransientError) throw error;
    throw new TransientError(`the export mount ${mountPath} is not usable: ${errorMessage(error)}`, { cause: error });
  }
}

/** realpath that maps "leads nowhere" (dangling link, loop, not a directory) to undefined. */
async function realpathOrMissing(fs: ExportFs, path: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    return await fs.realpath(path, signal);
  } catch (error) {
    const code = fsErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw error;
  }
}

/**
 * mkdir -p below the export root, one component at a time, checking each level: an existing
 * component that is a symlink out of the export, a dangling link or a file stops it. Returns the
 * real path of the final directory. Idempotent: existing directories are reused.
 */
export async function makeConfinedDirectory(
  fs: ExportFs,
  root: string,
  components: readonly string[],
  signal?: AbortSignal,
): Promise<string> {
  if (components.length === 0) throw new PermanentError('refusing to use the export root itself as a volume');
  let current = root;
  for (const [index, component] of components.entries()) {
    const shown = components.slice(0, index + 1).join('/');
    const next = posix.join(current, component);
    assertStrictlyWithin(root, next, `directory "${shown}"`);
    try {
      // Mode is reduced by the umask here; the final directory is chmod-ed explicitly later.
      await fs.mkdir(next, 0o777, signal);
    } catch (error) {
      if (fsErrorCode(error) !== 'EEXIST') throw error;
    }
    const real = await realpathOrMissing(fs, next, signal);
    if (real === undefined) {
      throw new PermanentError(`"${shown}" on the export is a symlink that leads nowhere; refusing to follow it`);
    }
    if (!isStrictlyWithin(root, real)) {
      throw new PermanentError(`"${shown}" on the export resolves to ${real}, outside the export (a symlink?); refusing to follow it`);
    }
    const stats = await fs.lstat(real, signal);
    if (!stats.isDirectory()) throw new PermanentError(`"${shown}" on the export exists and is not a directory`);
    current = real;
  }
  return current;
}

export type LocatedDirectory =
  | { readonly kind: 'missing' }
  | { readonly kind: 'directory'; readonly parent: string; readonly name: string; readonly path: string };

/**
 * Finds an existing volume directory for reclaim. Missing (or a parent missing) is reported as
 * such. The parent's real path must be inside the export (it may be the root), and the directory
 * itself a real directory, not a symlink (we never create links, so a link is not ours).
 */
export async function locateConfinedDirectory(
  fs: ExportFs,
  root: string,
  components: readonly string[],
  signal?: AbortSignal,
): Promise<LocatedDirectory> {
  const name = components.at(-1);
  if (name === undefined) throw new PermanentError('refusing to reclaim the export root itself');
  const shown = components.join('/');
  const parent = await realpathOrMissing(fs, posix.join(root, ...components.slice(0, -1)), signal);
  if (parent === undefined) return { kind: 'missing' };
  if (!isWithinOrEqual(root, parent)) {
    throw new PermanentError(`the parent of "${shown}" resolves to ${parent}, outside the export (a symlink?); refusing to touch it`);
  }
  const path = posix.join(parent, name);
  assertStrictlyWithin(root, path, `directory "${shown}"`);
  let stats;
  try {
    stats = await fs.lstat(path, signal);
  } catch (error) {
    if (fsErrorCode(error) === 'ENOENT' || fsErrorCode(error) === 'ENOTDIR') return { kind: 'missing' };
    throw error;
  }
  if (stats.isSymbolicLink()) throw new PermanentError(`"${shown}" on the export is a symlink, not a volume directory; refusing to touch it`);
  if (!stats.isDirectory()) throw new PermanentError(`"${shown}" on the export is not a directory; refusing to touch it`);
  return { kind: 'directory', parent, name, path };
}
