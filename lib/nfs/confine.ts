// Confinement to the export, in the style of csi-driver-nfs's validatePathWithinBase: every path
// is checked to stay strictly below the export's own real path (never the root itself) before
// anything is created, renamed or removed there.
//
// Volume paths never go through symlinks, not even ones that stay inside the export: a pod can
// write into its own volume, so it could plant `team/other -> ../victim` and have a later claim
// (or a delete) land in another tenant's directory; the NFS server would follow the link when
// the volume is mounted. So every existing component is lstat-ed and a symlink stops the
// operation with a PermanentError, and the final real path is compared with the expected one.
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

function symlinkRefusal(shown: string): PermanentError {
  return new PermanentError(
    `"${shown}" on the export is a symlink; volume paths never go through symlinks (one could lead outside the export or into another volume)`,
  );
}

/** Refuses a path whose real location differs from the expected one (a link somewhere in it). */
function assertResolvesTo(root: string, expected: string, real: string, shown: string): void {
  if (!isWithinOrEqual(root, real)) {
    throw new PermanentError(`"${shown}" on the export resolves to ${real}, outside the export (a symlink?); refusing to follow it`);
  }
  if (real !== expected) {
    throw new PermanentError(`"${shown}" on the export resolves to ${real} instead of ${expected} (a symlink?); refusing to follow it`);
  }
}

/**
 * mkdir -p below the export root, one component at a time, checking each level: an existing
 * component that is a symlink (wherever it points) or a file stops it. Returns the final
 * directory's path. Idempotent: existing directories are reused.
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
      // mkdir never follows a symlink in the last component (it fails with EEXIST).
      await fs.mkdir(next, 0o777, signal);
    } catch (error) {
      if (fsErrorCode(error) !== 'EEXIST') throw error;
    }
    const stats = await fs.lstat(next, signal);
    if (stats.isSymbolicLink()) throw symlinkRefusal(shown);
    if (!stats.isDirectory()) throw new PermanentError(`"${shown}" on the export exists and is not a directory`);
    current = next;
  }
  // Nothing was swapped for a link while we walked: the real path is the one we built.
  const real = await realpathOrMissing(fs, current, signal);
  if (real === undefined) throw new TransientError(`"${components.join('/')}" vanished from the export while it was being made`);
  assertResolvesTo(root, current, real, components.join('/'));
  return current;
}

export type LocatedDirectory =
  | { readonly kind: 'missing' }
  | { readonly kind: 'directory'; readonly parent: string; readonly name: string; readonly path: string };

/**
 * Finds an existing volume directory for reclaim. Missing (or a parent missing) is reported as
 * such. No component may be a symlink (we never create links, so a path through one is not
 * ours); the parent may be the root, the directory never.
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
  const expectedParent = posix.join(root, ...components.slice(0, -1));
  const parent = await realpathOrMissing(fs, expectedParent, signal);
  if (parent === undefined) return { kind: 'missing' };
  assertResolvesTo(root, expectedParent, parent, components.slice(0, -1).join('/'));
  const path = posix.join(parent, name);
  assertStrictlyWithin(root, path, `directory "${shown}"`);
  let stats;
  try {
    stats = await fs.lstat(path, signal);
  } catch (error) {
    if (fsErrorCode(error) === 'ENOENT' || fsErrorCode(error) === 'ENOTDIR') return { kind: 'missing' };
    throw error;
  }
  if (stats.isSymbolicLink()) throw symlinkRefusal(shown);
  if (!stats.isDirectory()) throw new PermanentError(`"${shown}" on the export is not a directory; refusing to touch it`);
  return { kind: 'directory', parent, name, path };
}
