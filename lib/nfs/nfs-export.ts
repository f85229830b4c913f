// One NFS export as this process serves it: its name (the class parameter `export`, the PV
// annotation and the metric label `export`), the server and path PVs point at, where it is
// mounted here, and its own ExportFs: own concurrency slots and timeout, so a hung, read-only or
// full export holds only its own slots and fails only its own calls. Everything that touches an
// export's files (provisioning, reclaim, probes, usage walks, clones) goes through `fs` and stays
// below `root()`.
import { hostname } from 'node:os';
import { posix } from 'node:path';
import { FsTimeoutError, ProvisionerError, TransientError, errorMessage } from '../errors.ts';
import { assertStrictlyWithin, exportRoot, fsErrorCode } from './confine.ts';
import type { FsImplementation, FsObserver, UsageFsImplementation } from './export-fs.ts';
import { ExportFs, FsStalledError } from './export-fs.ts';
import { directoryFromNfsPath, volumeSourcePath } from './legacy-pv.ts';
import { safeComponent } from './path-sanitize.ts';
import type { RelativePathResult } from './relative-path.ts';

/** What the last look at an export found; `ok` is the only healthy one. */
export type ExportState = 'ok' | 'unknown' | 'hung' | 'read-only' | 'full' | 'not-writable' | 'unusable';

/** A probe or start check that failed, with what it says about the export. */
export class ExportStateError extends TransientError {
  readonly state: Exclude<ExportState, 'ok' | 'unknown'>;
  constructor(state: Exclude<ExportState, 'ok' | 'unknown'>, message: string, options?: ErrorOptions) {
    super(message, options);
    this.state = state;
  }
}

/** The state a failed fs call on the export implies. */
export function stateOfError(error: unknown): Exclude<ExportState, 'ok' | 'unknown'> {
  if (error instanceof ExportStateError) return error.state;
  if (error instanceof FsTimeoutError || error instanceof FsStalledError) return 'hung';
  const code = fsErrorCode(error);
  if (code === 'EROFS') return 'read-only';
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (code === 'EACCES' || code === 'EPERM') return 'not-writable';
  return 'unusable';
}

const STATE_WORDS: Readonly<Record<Exclude<ExportState, 'ok' | 'unknown'>, string>> = {
  hung: 'is not answering',
  'read-only': 'is read-only',
  full: 'is full',
  'not-writable': 'is not writable',
  unusable: 'cannot be used',
};

export interface NfsExportOptions {
  /** `default` for NFS_SERVER / NFS_PATH / NFS_MOUNT_PATH. */
  readonly name: string;
  /** Written into every PV of the export. */
  readonly server: string;
  /** The export's path on the server, joined with the directory in every PV. */
  readonly path: string;
  /** Where this process sees the export. */
  readonly mountPath: string;
  /** Provisioner names whose classes use this export when they name none. */
  readonly provisionerNames?: readonly string[];
  /** Bound of every fs call on this export, in milliseconds. */
  readonly fsTimeoutMs: number;
  /** fs calls on this export at once (a hung server holds at most this many libuv threads). */
  readonly fsConcurrency: number;
  /** The fs implementation (tests fake a hung server); default node:fs/promises. */
  readonly fs?: FsImplementation;
  /** The usage walker's fs calls (tests fake them); default node:fs/promises. */
  readonly usageFs?: UsageFsImplementation;
  /** Metrics hooks of this export's fs calls. */
  readonly observer?: FsObserver;
  /** Name of the file probe() writes in the export root; default `.nfs-provisioner-probe-<host>-<pid>`. */
  readonly probeFileName?: string;
}

/** The start-up check's verdict: fine, wrong (a configuration error), or not answering now. */
export type StartCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly fatal: true; readonly problem: string }
  | { readonly ok: false; readonly fatal: false; readonly state: ExportState; readonly problem: string };

export class NfsExport {
  readonly name: string;
  readonly server: string;
  readonly path: string;
  readonly mountPath: string;
  readonly provisionerNames: readonly string[];
  /** The one gate for this export's file-system calls. */
  readonly fs: ExportFs;
  readonly #probeFileName: string;

  constructor(options: NfsExportOptions) {
    for (const [field, value] of [['path', options.path], ['mountPath', options.mountPath]] as const) {
      if (!value.startsWith('/')) throw new RangeError(`export "${options.name}": ${field} must be absolute, got "${value}"`);
    }
    this.name = options.name;
    this.server = options.server;
    this.path = options.path;
    this.mountPath = posix.normalize(options.mountPath);
    this.provisionerNames = Object.freeze([...(options.provisionerNames ?? [])]);
    this.fs = new ExportFs({
      timeoutMs: options.fsTimeoutMs,
      concurrency: options.fsConcurrency,
      ...(options.fs === undefined ? {} : { fs: options.fs }),
      ...(options.usageFs === undefined ? {} : { usageFs: options.usageFs }),
      ...(options.observer === undefined ? {} : { observer: options.observer }),
    });
    this.#probeFileName = options.probeFileName ?? `.nfs-provisioner-probe-${safeComponent(hostname())}-${process.pid}`;
  }

  /** The real path of the export root; everything the provisioner touches lies strictly below it. */
  root(signal?: AbortSignal): Promise<string> {
    return exportRoot(this.fs, this.mountPath, signal);
  }

  /** The longer of the two bases a directory is joined to, for the PATH_MAX bound. */
  get longestBase(): string {
    return this.mountPath.length > this.path.length ? this.mountPath : this.path;
  }

  /** The PV's `spec.nfs.path` for a directory of this export. */
  sourcePath(directory: string): string {
    return volumeSourcePath(this.path, directory);
  }

  /** The directory below this export that an NFS path names (whole components, normalized). */
  directoryOf(nfsPath: string): RelativePathResult {
    return directoryFromNfsPath(this.path, nfsPath);
  }

  /** True when a PV's NFS source lies on this export: same server, path strictly below its path. */
  holds(source: { readonly server: string; readonly path: string }): boolean {
    return source.server.toLowerCase() === this.server.toLowerCase() && this.directoryOf(source.path).ok;
  }

  /** fs calls holding a slot (hung ones included) and waiting for one. */
  fsLoad(): { active: number; pending: number } {
    return { active: this.fs.activeCount, pending: this.fs.pendingCount };
  }

  /** A write and remove of a small file in the root; throws ExportStateError saying what is wrong. */
  async probe(signal: AbortSignal): Promise<void> {
    let root: string;
    try {
      root = await this.root(signal);
    } catch (error) {
      throw this.#stateError(error);
    }
    const file = posix.join(root, this.#probeFileName);
    assertStrictlyWithin(root, file, 'the probe file');
    try {
      await this.fs.writeFile(file, 'ok\n', signal);
      await this.fs.rm(file, signal);
    } catch (error) {
      if (error instanceof ProvisionerError && !(error instanceof TransientError)) throw error;
      throw this.#stateError(error);
    }
  }

  #stateError(error: unknown): ExportStateError {
    if (error instanceof ExportStateError) return error;
    const state = stateOfError(error);
    return new ExportStateError(state, `the export "${this.name}" (${this.mountPath}) ${STATE_WORDS[state]}: ${errorMessage(error)}`, { cause: error });
  }

  /**
   * The start-up check, through this export's own slots and timeout: the mount exists, is a
   * directory and takes a write. Missing, not a directory, read-only or not writable is a
   * configuration error (fatal). Not answering or full is a state the export may leave: the
   * process starts and the export counts as unhealthy until a probe passes, so that one hung
   * server does not keep the others from being served.
   */
  async checkAtStart(signal?: AbortSignal): Promise<StartCheck> {
    const abort = signal ?? new AbortController().signal;
    let real: string;
    try {
      real = await this.fs.realpath(this.mountPath, abort);
    } catch (error) {
      return this.#startVerdict(error, fsErrorCode(error) === 'ENOENT' ? `${this.mountPath} does not exist (is the export mounted?)` : undefined);
    }
    try {
      const stats = await this.fs.lstat(real, abort);
      if (!stats.isDirectory()) return { ok: false, fatal: true, problem: `${this.mountPath} is not a directory` };
    } catch (error) {
      return this.#startVerdict(error);
    }
    try {
      await this.probe(abort);
      return { ok: true };
    } catch (error) {
      const state = stateOfError(error);
      const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
      const code = fsErrorCode(cause);
      if (state === 'read-only' || state === 'not-writable') return { ok: false, fatal: true, problem: `${this.mountPath} is not writable (${code ?? state})` };
      return { ok: false, fatal: false, state, problem: errorMessage(error) };
    }
  }

  #startVerdict(error: unknown, fatalProblem?: string): StartCheck {
    if (fatalProblem !== undefined) return { ok: false, fatal: true, problem: fatalProblem };
    const state = stateOfError(error);
    if (state === 'hung') return { ok: false, fatal: false, state, problem: `${this.mountPath} did not answer within ${this.fs.timeoutMs} ms (is the NFS export hung?)` };
    return { ok: false, fatal: true, problem: `${this.mountPath} cannot be read (${fsErrorCode(error) ?? errorMessage(error)})` };
  }
}
