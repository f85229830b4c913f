// Measures one volume directory as `du -s -B1 -x` and a count of its files would: the 512-byte
// blocks of every inode below it (the directory itself included), each hard-linked inode once,
// symlinks counted as themselves and never followed, nothing on another device. Files are the
// non-directory inodes.
//
// Every call goes through the background view of ExportFs (its timeout, the export's slots in
// the low lane). Up to `lanes` calls are in flight. The walk keeps its own stack, so it can stop
// anywhere: before each call it passes the pause gate, which holds it while the export is
// unhealthy, and afterwards it carries on with the very entry it stopped at. A call that timed
// out is tried again after the gate (the export was probably hung); an entry that times out
// three times, or fails otherwise, is skipped and counted.
//
// Memory: directories are listed only when no listed entry is left to stat, so at most about
// `lanes` listings are held at once (the largest directory bounds it), plus the paths of the
// directories still to list.
//
// Known limit (as confine.ts): Node has no openat, so a directory swapped for a symlink between
// its lstat and its listing could be listed through the link. Each directory is lstat-ed again
// after its listing and the listing is dropped unless it is still the same directory; the walk
// only reads metadata and never writes.
import { posix } from 'node:path';
import { errorMessage, FsTimeoutError } from '../errors.ts';
import { fsErrorCode } from './confine.ts';
import type { EntryStats, ExportFs } from './export-fs.ts';

export interface VolumeUsage {
  readonly bytes: number;
  readonly files: number;
  readonly directories: number;
  /** Entries that could not be read (permission, repeated timeouts); the figures are a lower bound then. */
  readonly skipped: number;
  readonly firstError?: string;
}

/** Holds the walk while the export is unhealthy. */
export interface PauseGate {
  /** True while the walk must wait (checked before every call, so it must be cheap). */
  paused(): boolean;
  /** Resolves once the walk may go on; rejects when signal aborts. */
  wait(signal: AbortSignal): Promise<void>;
}

export interface WalkOptions {
  readonly fs: Pick<ExportFs, 'entryStats' | 'readdir'>;
  /** The volume directory (already checked to be a real directory inside the export). */
  readonly root: string;
  readonly lanes: number;
  readonly pause: PauseGate;
  readonly signal: AbortSignal;
  /** Timeouts of one entry before it is skipped (default 3). */
  readonly maxTimeouts?: number;
}

interface Listing {
  readonly path: string;
  readonly names: string[];
  next: number;
}

interface PendingDirectory {
  readonly path: string;
  readonly ino: number;
  timeouts: number;
}

interface PendingEntry {
  readonly path: string;
  timeouts: number;
}

type Work = { readonly kind: 'stat'; readonly entry: PendingEntry } | { readonly kind: 'list'; readonly dir: PendingDirectory };

/** Vanished while we looked: ordinary churn in a live volume, not an error. */
function isGone(error: unknown): boolean {
  const code = fsErrorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export async function walkUsage(o: WalkOptions): Promise<VolumeUsage> {
  const maxTimeouts = o.maxTimeouts ?? 3;
  const listings: Listing[] = [];
  const directories: PendingDirectory[] = [];
  /** Entries whose call timed out, to be tried again first. */
  const retries: Work[] = [];
  const seenLinks = new Set<string>();
  let bytes = 0;
  let files = 0;
  let dirs = 0;
  let skipped = 0;
  let firstError: string | undefined;
  let inFlight = 0;
  let failure: unknown;
  let wake: (() => void)[] = [];

  const skip = (path: string, error: unknown): void => {
    skipped += 1;
    firstError ??= `${posix.relative(o.root, path) || '.'}: ${error instanceof Error ? error.message : String(error)}`;
  };

  const take = (): Work | undefined => {
    const retry = retries.pop();
    if (retry !== undefined) return retry;
    for (;;) {
      const top = listings.at(-1);
      if (top === undefined) break;
      const name = top.names[top.next];
      if (name === undefined) {
        listings.pop();
        continue;
      }
      top.next += 1;
      return { kind: 'stat', entry: { path: `${top.path}/${name}`, timeouts: 0 } };
    }
    const dir = directories.pop();
    return dir === undefined ? undefined : { kind: 'list', dir };
  };

  let rootDev = -1;
  const count = (path: string, stats: EntryStats): void => {
    if (stats.dev !== rootDev) return; // another file system mounted inside: du -x leaves it out
    if (!stats.isDirectory() && stats.nlink > 1) {
      const id = `${stats.dev}:${stats.ino}`;
      if (seenLinks.has(id)) return;
      seenLinks.add(id);
    }
    bytes += stats.blocks * 512;
    if (stats.isDirectory()) {
      dirs += 1;
      directories.push({ path, ino: stats.ino, timeouts: 0 });
    } else {
      files += 1;
    }
  };

  const perform = async (work: Work): Promise<void> => {
    if (work.kind === 'stat') {
      count(work.entry.path, await o.fs.entryStats(work.entry.path, o.signal));
      return;
    }
    const { path, ino } = work.dir;
    const names = await o.fs.readdir(path, o.signal);
    const again = await o.fs.entryStats(path, o.signal);
    if (!again.isDirectory() || again.ino !== ino || again.dev !== rootDev) {
      skip(path, new Error('replaced while it was listed; not following it'));
      return;
    }
    if (names.length > 0) listings.push({ path, names, next: 0 });
  };

  const handle = (work: Work, error: unknown): void => {
    const path = work.kind === 'stat' ? work.entry.path : work.dir.path;
    if (error instanceof FsTimeoutError) {
      const item = work.kind === 'stat' ? work.entry : work.dir;
      item.timeouts += 1;
      if (item.timeouts < maxTimeouts) retries.push(work);
      else skip(path, error);
      return;
    }
    if (isGone(error)) return;
    skip(path, error);
  };

  const notify = (): void => {
    const waiting = wake;
    wake = [];
    for (const w of waiting) w();
  };

  const lane = async (): Promise<void> => {
    for (;;) {
      if (o.signal.aborted) failure ??= o.signal.reason ?? new Error('usage walk aborted');
      if (failure !== undefined) return;
      const work = take();
      if (work === undefined) {
        if (inFlight === 0) {
          notify();
          return;
        }
        // Another lane's listing may bring more entries.
        await new Promise<void>((resolve) => wake.push(resolve));
        continue;
      }
      inFlight += 1;
      try {
        if (o.pause.paused()) await o.pause.wait(o.signal);
        await perform(work);
      } catch (error: unknown) {
        if (o.signal.aborted) failure ??= error;
        else handle(work, error);
      } finally {
        inFlight -= 1;
        notify();
      }
    }
  };

  if (o.pause.paused()) await o.pause.wait(o.signal);
  const top = await o.fs.entryStats(o.root, o.signal);
  if (!top.isDirectory()) throw new Error(`${o.root} is not a directory`);
  rootDev = top.dev;
  count(o.root, top);
  await Promise.all(Array.from({ length: Math.max(1, o.lanes) }, () => lane()));
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(errorMessage(failure));
  return { bytes, files, directories: dirs - 1, skipped, ...(firstError === undefined ? {} : { firstError }) };
}
