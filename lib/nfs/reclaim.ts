// What happens to a volume directory when its PV is released: archive (rename in place to
// `archived-<name>`), delete (remove the tree) or retain (leave it). Each step is crash safe:
// archive is a single rename and delete a remove that a retry simply continues; a directory that
// is already gone counts as done (a crash after the rename, or someone cleaned up by hand).
//
// Archive names, first free one wins: `archived-<name>`, then `archived-<name>-<UTC timestamp>`
// (e.g. archived-ns-data-pvc-1-20260102T030405Z), then that with `-2`, `-3`, ... Each candidate
// is shortened like any component (over 255 bytes: prefix + SHA-256), so long names archive too.
import { posix } from 'node:path';
import { TransientError } from '../errors.ts';
import type { ReclaimDecision } from './annotations.ts';
import { assertStrictlyWithin, fsErrorCode, locateConfinedDirectory } from './confine.ts';
import type { ExportFs } from './export-fs.ts';
import { shortenComponent } from './path-sanitize.ts';

export type ReclaimOutcome =
  | { readonly action: 'retained' }
  | { readonly action: 'already-gone' }
  | { readonly action: 'deleted'; readonly path: string }
  | { readonly action: 'archived'; readonly from: string; readonly to: string };

const MAX_ARCHIVE_ATTEMPTS = 100;

function compactTimestamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

/** Archive names to try, in order (all single, safe components). */
export function* archiveNames(name: string, now: Date): Generator<string> {
  yield shortenComponent(`archived-${name}`);
  const stamped = `archived-${name}-${compactTimestamp(now)}`;
  yield shortenComponent(stamped);
  for (let counter = 2; counter < MAX_ARCHIVE_ATTEMPTS; counter += 1) yield shortenComponent(`${stamped}-${counter}`);
}

async function isFree(fs: ExportFs, path: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await fs.lstat(path, signal);
    return false;
  } catch (error) {
    if (fsErrorCode(error) === 'ENOENT') return true;
    throw error;
  }
}

export interface ReclaimRequest {
  readonly fs: ExportFs;
  /** Real path of the export root. */
  readonly root: string;
  /** The directory relative to the root, already checked by parseRelativePath. */
  readonly components: readonly string[];
  readonly decision: ReclaimDecision;
  readonly now: Date;
  readonly signal?: AbortSignal;
}

export async function reclaimDirectory(request: ReclaimRequest): Promise<ReclaimOutcome> {
  const { fs, root, components, decision, now, signal } = request;
  if (decision === 'retain') return { action: 'retained' };
  const located = await locateConfinedDirectory(fs, root, components, signal);
  if (located.kind === 'missing') return { action: 'already-gone' };

  if (decision === 'delete') {
    assertStrictlyWithin(root, located.path, 'the volume directory');
    await fs.rm(located.path, signal);
    return { action: 'deleted', path: located.path };
  }

  for (const candidate of archiveNames(located.name, now)) {
    const target = posix.join(located.parent, candidate);
    assertStrictlyWithin(root, target, 'the archive directory');
    if (!(await isFree(fs, target, signal))) continue;
    assertStrictlyWithin(root, located.path, 'the volume directory');
    try {
      await fs.rename(located.path, target, signal);
      return { action: 'archived', from: located.path, to: target };
    } catch (error) {
      const code = fsErrorCode(error);
      // Taken between the check and the rename (another replica, a user): try the next name.
      if (code === 'EEXIST' || code === 'ENOTEMPTY') continue;
      // The source vanished meanwhile: someone else finished the job.
      if (code === 'ENOENT' && (await isFree(fs, located.path, signal))) return { action: 'already-gone' };
      throw error;
    }
  }
  throw new TransientError(`no free archive name for "${components.join('/')}" after ${MAX_ARCHIVE_ATTEMPTS} attempts`);
}

