// The NFS backend behind the controller's Provisioner seam: one directory per claim on one of the
// mounted exports (export-routing.ts picks which), reclaimed on the export and as the PV recorded
// at creation. All file-system work goes through the export's own ExportFs (timeouts, concurrency
// limit, metrics hooks) and confine.ts (stays inside the export).
import { posix } from 'node:path';
import type { V1PersistentVolume, V1StorageClass } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import type { ProvisionedVolume, ProvisionRequest, Provisioner } from '../controller/provisioner.ts';
import type { UsageMeter } from '../controller/usage-meter.ts';
import { IgnoredError, PermanentError, ProvisionerError, TransientError, errorMessage } from '../errors.ts';
import type { ReclaimDecision } from './annotations.ts';
import { DIRECTORY_ANNOTATION, EXPORT_ANNOTATION, isReclaimDecision, ON_DELETE_ANNOTATION, PROVISIONED_BY_ANNOTATION } from './annotations.ts';
import type { ClassParameters } from './class-parameters.ts';
import { parseClassParameters, unknownParametersMessage } from './class-parameters.ts';
import { fsErrorCode, makeConfinedDirectory } from './confine.ts';
import { exportForClass, exportForVolume } from './export-routing.ts';
import type { Routed } from './export-routing.ts';
import type { NfsExport } from './nfs-export.ts';
import type { TemplateValues } from './path-template.ts';
import { reclaimDirectory } from './reclaim.ts';
import { parseRelativePath } from './relative-path.ts';
import type { UsageExport, UsageHealth } from './usage-meter.ts';
import { NfsUsageMeter } from './usage-meter.ts';
import { requireVolumeDirectory, volumeDirectory } from './volume-directory.ts';

export interface Clock {
  /** Milliseconds since the epoch, like Date.now(). */
  now(): number;
}

export interface NfsProvisionerOptions {
  /** The exports served; the one named `default` takes classes that name none of their own. */
  readonly exports: readonly NfsExport[];
  /** Every provisioner name of this install: only PVs provisioned by one of them are reclaimed. */
  readonly provisionerNames: readonly string[];
  readonly logger: Logger;
  /** For archive name timestamps; default Date.now. */
  readonly clock?: Clock;
  /**
   * Told about what deserves a Warning event on the claim while it is provisioned anyway (unknown
   * class parameters). The backend emits no events itself: main.ts owns the recorders.
   */
  readonly onWarning?: (request: ProvisionRequest, reason: string, message: string) => void;
  /** Per-export outcome and duration of each provision and reclaim of this backend, for metrics. */
  readonly onOperation?: (exportName: string, operation: 'provision' | 'delete', result: 'success' | 'failed', milliseconds: number) => void;
}

/** The event reason of the warning for unknown class parameters. */
export const UNKNOWN_PARAMETER_REASON = 'UnknownParameter';

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
  readonly #exports: readonly NfsExport[];
  readonly #logger: Logger;
  readonly #provisionerNames: ReadonlySet<string>;
  readonly #clock: Clock;
  readonly #onWarning: NfsProvisionerOptions['onWarning'];
  readonly #onOperation: NfsProvisionerOptions['onOperation'];

  constructor(options: NfsProvisionerOptions) {
    if (options.exports.length === 0) throw new RangeError('an NFS provisioner needs at least one export');
    const names = options.exports.map((e) => e.name);
    if (new Set(names).size !== names.length) throw new RangeError(`export names must be unique, got ${names.join(', ')}`);
    this.#exports = Object.freeze([...options.exports]);
    this.#logger = options.logger;
    this.#provisionerNames = new Set(options.provisionerNames);
    this.#clock = options.clock ?? DEFAULT_CLOCK;
    this.#onWarning = options.onWarning;
    this.#onOperation = options.onOperation;
  }

  /**
   * The usage walker's meter: each PV routed to its export as reclaim routes it, walked on that
   * export's fs slots (their low lane) and timeout, paused while that export's probe fails, with
   * the directory rules of reclaim (PVs of ours on one of our exports, recorded directory checked).
   */
  usageMeter(health: UsageHealth): UsageMeter {
    const views = new Map(
      this.#exports.map((e) => [e.name, { name: e.name, fs: e.fs.background(), mountPath: e.mountPath, lanes: e.fs.concurrency } satisfies UsageExport]),
    );
    return new NfsUsageMeter({
      health,
      logger: this.#logger,
      exportOf: (pv) => {
        const routed = this.exportForVolume(pv);
        return routed.ok ? routed.export.name : '';
      },
      locate: (pv) => {
        const annotations = pv.metadata?.annotations ?? {};
        const provisionedBy = annotations[PROVISIONED_BY_ANNOTATION];
        const nfs = pv.spec?.nfs;
        if (provisionedBy === undefined || !this.#provisionerNames.has(provisionedBy) || nfs === undefined) return undefined;
        const routed = this.exportForVolume(pv);
        if (!routed.ok) return undefined;
        const view = views.get(routed.export.name);
        if (view === undefined) return undefined;
        return { export: view, components: this.#recordedDirectory(routed.export, pv.metadata?.name ?? '', nfs.path, annotations) };
      },
    });
  }

  /** The exports served, `default` first: for health, metrics and anything else that walks them. */
  get exports(): readonly NfsExport[] {
    return this.#exports;
  }

  /** The export a PV's directory lives on (see export-routing.ts). */
  exportForVolume(pv: V1PersistentVolume): Routed {
    return exportForVolume(this.#exports, pv);
  }

  /** The export a claim of this class is provisioned on, or why none. */
  #exportFor(request: ProvisionRequest, parameters: ClassParameters): Routed {
    return exportForClass(this.#exports, request.storageClass.provisioner, parameters.export);
  }

  validate(request: ProvisionRequest): string | undefined {
    const parsed = parseClassParameters(request.storageClass.parameters);
    if (!parsed.ok) return parsed.message;
    const source = request.claim.spec?.dataSourceRef ?? request.claim.spec?.dataSource;
    if (source !== undefined) {
      return `the claim asks for data from ${source.kind} "${source.name}", but this provisioner only makes empty NFS directories (no clones, snapshots or populators)`;
    }
    const target = this.#exportFor(request, parsed.parameters);
    if (!target.ok) return `invalid StorageClass parameters: ${target.message}`;
    const directory = volumeDirectory(parsed.parameters, templateValues(request), target.export.longestBase);
    return directory.ok ? undefined : directory.message;
  }

  async provision(request: ProvisionRequest, signal: AbortSignal): Promise<ProvisionedVolume> {
    signal.throwIfAborted();
    const parsed = parseClassParameters(request.storageClass.parameters);
    if (!parsed.ok) throw new PermanentError(parsed.message);
    const parameters = parsed.parameters;
    const routed = this.#exportFor(request, parameters);
    if (!routed.ok) throw new PermanentError(`invalid StorageClass parameters: ${routed.message}`);
    const target = routed.export;
    const claim = request.claim.metadata;
    const claimKey = `${claim?.namespace ?? ''}/${claim?.name ?? ''}`;
    if (parsed.unknownKeys.length > 0) {
      const message = `StorageClass "${request.storageClass.metadata?.name ?? ''}": ${unknownParametersMessage(parsed.unknownKeys)}`;
      this.#logger.warn('unknown StorageClass parameters ignored', { claim: claimKey, storageClass: request.storageClass.metadata?.name, keys: parsed.unknownKeys });
      this.#onWarning?.(request, UNKNOWN_PARAMETER_REASON, message);
    }
    const { components, directory } = requireVolumeDirectory(parameters, templateValues(request), target.longestBase);

    const started = performance.now();
    try {
      const root = await target.root(signal);
      let path: string;
      try {
        path = await makeConfinedDirectory(target.fs, root, components, signal);
      } catch (error) {
        throw fsFailure(`cannot create directory "${directory}" on export "${target.name}"`, error, signal);
      }
      await this.#setModeAndOwner(target, path, directory, parameters, signal);
    } catch (error) {
      this.#onOperation?.(target.name, 'provision', 'failed', performance.now() - started);
      throw error;
    }
    this.#onOperation?.(target.name, 'provision', 'success', performance.now() - started);

    this.#logger.info('volume directory ready', {
      claim: claimKey,
      pv: request.pvName,
      export: target.name,
      directory,
      mode: parameters.mode.toString(8).padStart(4, '0'),
      onDelete: parameters.reclaim,
    });
    return {
      source: { nfs: { server: target.server, path: target.sourcePath(directory) } },
      annotations: { [DIRECTORY_ANNOTATION]: directory, [ON_DELETE_ANNOTATION]: parameters.reclaim, [EXPORT_ANNOTATION]: target.name },
    };
  }

  async #setModeAndOwner(target: NfsExport, path: string, directory: string, parameters: ClassParameters, signal: AbortSignal): Promise<void> {
    const owner = {
      ...(parameters.uid === undefined ? {} : { uid: parameters.uid }),
      ...(parameters.gid === undefined ? {} : { gid: parameters.gid }),
    };
    try {
      await target.fs.setModeAndOwner(path, parameters.mode, owner, signal);
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
    const provisionedBy = annotations[PROVISIONED_BY_ANNOTATION];
    if (provisionedBy === undefined || !this.#provisionerNames.has(provisionedBy)) {
      throw new IgnoredError(`PV ${name} was not provisioned by ${[...this.#provisionerNames].join(' or ')}; not touching its storage`);
    }
    const nfs = pv.spec?.nfs;
    if (nfs === undefined) throw new IgnoredError(`PV ${name} has no NFS source; nothing to reclaim`);
    const routed = this.exportForVolume(pv);
    // A directory that no export holds may belong to another server: never guess.
    if (!routed.ok) throw new PermanentError(`${routed.message}; not touching it`);
    const target = routed.export;
    const components = this.#recordedDirectory(target, name, nfs.path, annotations);
    const directory = components.join('/');
    const decision = this.#decisionFor(pv, storageClass);

    const started = performance.now();
    try {
      const root = await target.root(signal);
      const outcome = await reclaimDirectory({
        fs: target.fs,
        root,
        components,
        decision,
        now: new Date(this.#clock.now()),
        signal,
      }).catch((error: unknown) => {
        throw fsFailure(`cannot ${decision} directory "${directory}" on export "${target.name}"`, error, signal);
      });
      this.#onOperation?.(target.name, 'delete', 'success', performance.now() - started);
      this.#logger.info('volume directory reclaimed', {
        pv: name,
        export: target.name,
        directory,
        decision,
        outcome: outcome.action,
        ...(outcome.action === 'archived' ? { archivedAs: posix.relative(root, outcome.to) } : {}),
      });
    } catch (error) {
      this.#onOperation?.(target.name, 'delete', 'failed', performance.now() - started);
      throw error;
    }
  }

  /**
   * The directory a PV points at. Ours record it; it must agree with the (immutable) NFS path,
   * so an edited annotation cannot aim delete at another volume. The Go project's PVs record
   * nothing, so it is derived from the NFS path.
   */
  #recordedDirectory(target: NfsExport, name: string, nfsPath: string, annotations: Record<string, string>): readonly string[] {
    const fromPath = target.directoryOf(nfsPath);
    const recorded = annotations[DIRECTORY_ANNOTATION];
    if (recorded === undefined) {
      if (!fromPath.ok) throw new PermanentError(`PV ${name}: ${fromPath.message}; not touching it`);
      return fromPath.components;
    }
    const parsed = parseRelativePath(recorded);
    if (!parsed.ok) throw new PermanentError(`PV ${name}: annotation ${DIRECTORY_ANNOTATION}: ${parsed.message}; not touching it`);
    if (!fromPath.ok || fromPath.components.join('/') !== parsed.components.join('/')) {
      throw new PermanentError(
        `PV ${name}: annotation ${DIRECTORY_ANNOTATION} "${recorded}" does not match its NFS path "${nfsPath}" under the path "${target.path}" of export "${target.name}"; not touching it`,
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

  /**
   * Resolves when at least one export takes a probe write (the process can serve something);
   * main.ts watches each export on its own (ExportHealth), this is the seam's single answer.
   */
  async probe(signal: AbortSignal): Promise<void> {
    const results = await Promise.allSettled(this.#exports.map((e) => e.probe(signal)));
    if (results.some((r) => r.status === 'fulfilled')) return;
    const reasons = results.map((r) => (r.status === 'rejected' ? errorMessage(r.reason) : 'ok'));
    throw new TransientError(`no export is usable: ${reasons.join('; ')}`);
  }
}
