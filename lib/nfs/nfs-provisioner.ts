// The NFS backend behind the controller's Provisioner seam: one directory per claim on the
// mounted export, reclaimed as the PV recorded at creation. All file-system work goes through
// ExportFs (timeouts, concurrency limit, metrics hooks) and confine.ts (stays inside the export).
import { hostname } from 'node:os';
import { posix } from 'node:path';
import type { V1PersistentVolume, V1StorageClass } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import type { ProvisionedVolume, ProvisionRequest, Provisioner } from '../controller/provisioner.ts';
import type { UsageMeter } from '../controller/usage-meter.ts';
import { IgnoredError, PermanentError, ProvisionerError, TransientError, errorMessage } from '../errors.ts';
import type { ReclaimDecision } from './annotations.ts';
import { DIRECTORY_ANNOTATION, isReclaimDecision, ON_DELETE_ANNOTATION, PROVISIONED_BY_ANNOTATION } from './annotations.ts';
import type { ClassParameters } from './class-parameters.ts';
import { parseClassParameters } from './class-parameters.ts';
import { assertStrictlyWithin, exportRoot, fsErrorCode, makeConfinedDirectory } from './confine.ts';
import type { FsImplementation, FsObserver } from './export-fs.ts';
import { ExportFs } from './export-fs.ts';
import { directoryFromNfsPath, volumeSourcePath } from './legacy-pv.ts';
import { safeComponent } from './path-sanitize.ts';
import type { TemplateValues } from './path-template.ts';
import { reclaimDirectory } from './reclaim.ts';
import { parseRelativePath } from './relative-path.ts';
import type { ExportHealth } from './usage-meter.ts';
import { NfsUsageMeter } from './usage-meter.ts';
import { requireVolumeDirectory, volumeDirectory } from './volume-directory.ts';

export interface Clock {
  /** Milliseconds since the epoch, like Date.now(). */
  now(): number;
}

export interface NfsProvisionerOptions {
  /** NFS_SERVER: written into every PV. */
  readonly server: string;
  /** NFS_PATH: the export's path on the server, joined with the directory in every PV. */
  readonly path: string;
  /** NFS_MOUNT_PATH: where this process sees the export (default /persistentvolumes). */
  readonly mountPath: string;
  /** FS_TIMEOUT in milliseconds: bound of every fs call on the export. */
  readonly fsTimeoutMs: number;
  /** FS_CONCURRENCY: fs calls on the export at once (a hung server holds at most this many libuv threads). */
  readonly fsConcurrency: number;
  readonly logger: Logger;
  /** PROVISIONER_NAME: only PVs whose pv.kubernetes.io/provisioned-by equals it are reclaimed. */
  readonly provisionerName: string;
  /** For archive name timestamps; default Date.now. */
  readonly clock?: Clock;
  /** Metrics hooks for fs calls (latency, errors, timeouts). */
  readonly observer?: FsObserver;
  /** The fs implementation (tests fake a hung server); default node:fs/promises. */
  readonly fs?: FsImplementation;
  /** Name of the file probe() writes in the export root; default `.nfs-provisioner-probe-<host>-<pid>`. */
  readonly probeFileName?: string;
}

const DEFAULT_CLOCK: Clock = { now: () => Date.now() };

function templateValues(request: ProvisionRequest): TemplateValues {
  const metadata = request.claim.metadata ?? {};
  return {
    namespace: metadata.namespace ?? '',
    name: metadata.name ?? '',
    pvName: request.pvName,
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
  };
}

/** Keeps typed errors and aborts as they are; anything else from the fs becomes transient. */
function fsFailure(what: string, error: unknown, signal: AbortSignal): Error {
  if (error instanceof ProvisionerError) return error;
  if (signal.aborted && error === signal.reason && error instanceof Error) return error;
  return new TransientError(`${what}: ${errorMessage(error)}`, { cause: error });
}

export class NfsProvisioner implements Provisioner {
  readonly #server: string;
  readonly #nfsPath: string;
  readonly #mountPath: string;
  readonly #logger: Logger;
  readonly #provisionerName: string;
  readonly #clock: Clock;
  readonly #fs: ExportFs;
  readonly #probeFileName: string;
  readonly #fsConcurrency: number;

  constructor(options: NfsProvisionerOptions) {
    for (const [name, value] of [['path', options.path], ['mountPath', options.mountPath]] as const) {
      if (!value.startsWith('/')) throw new RangeError(`NFS ${name} must be absolute, got "${value}"`);
    }
    this.#server = options.server;
    this.#nfsPath = options.path;
    this.#mountPath = posix.normalize(options.mountPath);
    this.#logger = options.logger;
    this.#provisionerName = options.provisionerName;
    this.#clock = options.clock ?? DEFAULT_CLOCK;
    this.#fs = new ExportFs({
      timeoutMs: options.fsTimeoutMs,
      concurrency: options.fsConcurrency,
      ...(options.fs === undefined ? {} : { fs: options.fs }),
      ...(options.observer === undefined ? {} : { observer: options.observer }),
    });
    this.#probeFileName = options.probeFileName ?? `.nfs-provisioner-probe-${safeComponent(hostname())}-${process.pid}`;
    this.#fsConcurrency = options.fsConcurrency;
  }

  /**
   * The usage walker's meter for this export: the same fs slots (their low lane) and timeout, and
   * the directory rules of reclaim (PVs of ours on our server, recorded directory checked).
   */
  usageMeter(health: ExportHealth): UsageMeter {
    return new NfsUsageMeter({
      fs: this.#fs.background(),
      mountPath: this.#mountPath,
      lanes: this.#fsConcurrency,
      health,
      logger: this.#logger,
      directoryOf: (pv) => {
        const annotations = pv.metadata?.annotations ?? {};
        const nfs = pv.spec?.nfs;
        if (annotations[PROVISIONED_BY_ANNOTATION] !== this.#provisionerName || nfs === undefined || nfs.server !== this.#server) return undefined;
        return this.#recordedDirectory(pv.metadata?.name ?? '', nfs.path, annotations);
      },
    });
  }

  /** fs calls holding a slot (hung ones included) and waiting for one: for metrics. */
  fsLoad(): { active: number; pending: number } {
    return { active: this.#fs.activeCount, pending: this.#fs.pendingCount };
  }

  /** The longer of the two bases a directory is joined to, for the PATH_MAX bound. */
  get #longestBase(): string {
    return this.#mountPath.length > this.#nfsPath.length ? this.#mountPath : this.#nfsPath;
  }

  validate(request: ProvisionRequest): string | undefined {
    const parsed = parseClassParameters(request.storageClass.parameters);
    if (!parsed.ok) return parsed.message;
    const source = request.claim.spec?.dataSourceRef ?? request.claim.spec?.dataSource;
    if (source !== undefined) {
      return `the claim asks for data from ${source.kind} "${source.name}", but this provisioner only makes empty NFS directories (no clones, snapshots or populators)`;
    }
    const directory = volumeDirectory(parsed.parameters, templateValues(request), this.#longestBase);
    return directory.ok ? undefined : directory.message;
  }

  async provision(request: ProvisionRequest, signal: AbortSignal): Promise<ProvisionedVolume> {
    signal.throwIfAborted();
    const parsed = parseClassParameters(request.storageClass.parameters);
    if (!parsed.ok) throw new PermanentError(parsed.message);
    const parameters = parsed.parameters;
    const { components, directory } = requireVolumeDirectory(parameters, templateValues(request), this.#longestBase);

    const root = await exportRoot(this.#fs, this.#mountPath, signal);
    let path: string;
    try {
      path = await makeConfinedDirectory(this.#fs, root, components, signal);
    } catch (error) {
      throw fsFailure(`cannot create directory "${directory}" on the export`, error, signal);
    }
    await this.#setModeAndOwner(path, directory, parameters, signal);

    const claim = request.claim.metadata;
    this.#logger.info('volume directory ready', {
      claim: `${claim?.namespace ?? ''}/${claim?.name ?? ''}`,
      pv: request.pvName,
      directory,
      mode: parameters.mode.toString(8).padStart(4, '0'),
      onDelete: parameters.reclaim,
    });
    return {
      source: { nfs: { server: this.#server, path: volumeSourcePath(this.#nfsPath, directory) } },
      annotations: { [DIRECTORY_ANNOTATION]: directory, [ON_DELETE_ANNOTATION]: parameters.reclaim },
    };
  }

  async #setModeAndOwner(path: string, directory: string, parameters: ClassParameters, signal: AbortSignal): Promise<void> {
    const owner = {
      ...(parameters.uid === undefined ? {} : { uid: parameters.uid }),
      ...(parameters.gid === undefined ? {} : { gid: parameters.gid }),
    };
    try {
      await this.#fs.setModeAndOwner(path, parameters.mode, owner, signal);
    } catch (error) {
      if (fsErrorCode(error) === 'EPERM') {
        throw new PermanentError(
          `cannot set owner/mode of "${directory}" on the export (EPERM): the provisioner must run as root, and the export must not squash root (root_squash maps it to nobody; use no_root_squash) for uid/gid/mode to work`,
          { cause: error },
        );
      }
      if (fsErrorCode(error) === 'ELOOP' || fsErrorCode(error) === 'ENOTDIR') {
        throw new PermanentError(`"${directory}" on the export was replaced by a symlink; refusing to follow it`, { cause: error });
      }
      throw fsFailure(`cannot set owner/mode of "${directory}" on the export`, error, signal);
    }
  }

  storageLocation(pv: V1PersistentVolume): string | undefined {
    const nfs = pv.spec?.nfs;
    if (nfs === undefined || nfs.path === '' || !nfs.path.startsWith('/')) return undefined;
    const path = posix.normalize(nfs.path).replace(/(.)\/+$/, '$1');
    return `${nfs.server}:${path}`;
  }

  async delete(pv: V1PersistentVolume, storageClass: V1StorageClass | undefined, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const name = pv.metadata?.name ?? '';
    const annotations = pv.metadata?.annotations ?? {};
    if (annotations[PROVISIONED_BY_ANNOTATION] !== this.#provisionerName) {
      throw new IgnoredError(`PV ${name} was not provisioned by ${this.#provisionerName}; not touching its storage`);
    }
    const nfs = pv.spec?.nfs;
    if (nfs === undefined) throw new IgnoredError(`PV ${name} has no NFS source; nothing to reclaim`);
    if (nfs.server !== this.#server) {
      throw new PermanentError(
        `PV ${name} points at NFS server "${nfs.server}" but this provisioner serves "${this.#server}" (NFS_SERVER); not touching a directory that may belong to another server`,
      );
    }
    const components = this.#recordedDirectory(name, nfs.path, annotations);
    const directory = components.join('/');
    const decision = this.#decisionFor(pv, storageClass);

    const root = await exportRoot(this.#fs, this.#mountPath, signal);
    try {
      const outcome = await reclaimDirectory({
        fs: this.#fs,
        root,
        components,
        decision,
        now: new Date(this.#clock.now()),
        signal,
      });
      this.#logger.info('volume directory reclaimed', {
        pv: name,
        directory,
        decision,
        outcome: outcome.action,
        ...(outcome.action === 'archived' ? { archivedAs: posix.relative(root, outcome.to) } : {}),
      });
    } catch (error) {
      throw fsFailure(`cannot ${decision} directory "${directory}" on the export`, error, signal);
    }
  }

  /**
   * The directory a PV points at. Ours record it; it must agree with the (immutable) NFS path,
   * so an edited annotation cannot aim delete at another volume. The Go project's PVs record
   * nothing, so it is derived from the NFS path.
   */
  #recordedDirectory(name: string, nfsPath: string, annotations: Record<string, string>): readonly string[] {
    const fromPath = directoryFromNfsPath(this.#nfsPath, nfsPath);
    const recorded = annotations[DIRECTORY_ANNOTATION];
    if (recorded === undefined) {
      if (!fromPath.ok) throw new PermanentError(`PV ${name}: ${fromPath.message}; not touching it`);
      return fromPath.components;
    }
    const parsed = parseRelativePath(recorded);
    if (!parsed.ok) throw new PermanentError(`PV ${name}: annotation ${DIRECTORY_ANNOTATION}: ${parsed.message}; not touching it`);
    if (!fromPath.ok || fromPath.components.join('/') !== parsed.components.join('/')) {
      throw new PermanentError(
        `PV ${name}: annotation ${DIRECTORY_ANNOTATION} "${recorded}" does not match its NFS path "${nfsPath}" under NFS_PATH "${this.#nfsPath}"; not touching it`,
      );
    }
    return parsed.components;
  }

  /** The decision recorded on the PV; for the Go project's PVs, the class's if it still exists; else archive. */
  #decisionFor(pv: V1PersistentVolume, storageClass: V1StorageClass | undefined): ReclaimDecision {
    const name = pv.metadata?.name ?? '';
    const recorded = pv.metadata?.annotations?.[ON_DELETE_ANNOTATION];
    if (isReclaimDecision(recorded)) return recorded;
    if (recorded !== undefined) {
      this.#logger.warn('unknown on-delete annotation on PV; archiving, the safe choice', { pv: name, value: recorded });
      return 'archive';
    }
    if (storageClass === undefined) return 'archive';
    const parsed = parseClassParameters(storageClass.parameters);
    if (parsed.ok) return parsed.parameters.reclaim;
    this.#logger.warn('class parameters of PV are invalid; archiving, the safe choice', { pv: name, reason: parsed.message });
    return 'archive';
  }

  async probe(signal: AbortSignal): Promise<void> {
    const root = await exportRoot(this.#fs, this.#mountPath, signal);
    const file = posix.join(root, this.#probeFileName);
    assertStrictlyWithin(root, file, 'the probe file');
    try {
      await this.#fs.writeFile(file, 'ok\n', signal);
      await this.#fs.rm(file, signal);
    } catch (error) {
      if (error instanceof ProvisionerError) throw error;
      const code = fsErrorCode(error);
      const reason = code === 'EROFS' ? 'is read-only' : code === 'ENOSPC' ? 'is full' : code === 'EACCES' || code === 'EPERM' ? 'is not writable' : 'cannot be written';
      throw new TransientError(`the export ${this.#mountPath} ${reason}: ${errorMessage(error)}`, { cause: error });
    }
  }
}
