// The generic provisioning controller: informer events -> per-key work queue -> workers that
// provision claims and reclaim volumes through the Provisioner seam. Knows nothing of NFS.
// Everything it reads comes from the informer caches (no GET); per provisioned claim it makes
// one PV create and two events (Provisioning, ProvisioningSucceeded).
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import { errorKind, errorMessage, ProvisionerError } from '../errors.ts';
import { apiErrorMessage, isAlreadyExists, statusCode } from '../kube/api-errors.ts';
import type { Clock } from '../kube/clock.ts';
import { sleep } from '../kube/clock.ts';
import type { InformerHandlers } from '../kube/informer.ts';
import { claimLogger, volumeLogger } from '../logger.ts';
import { claimClassName, decideClaim } from './claim-decision.ts';
import type { ClaimResizer } from './claim-resizer.ts';
import { locationsOverlap } from './storage-overlap.ts';
import type { ControllerApi } from './controller-api.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { ProvisionerMetrics } from './metrics.ts';
import type { ProvisionRequest, Provisioner } from './provisioner.ts';
import { buildVolume } from './volume-builder.ts';
import { decideVolume } from './volume-decision.ts';
import { PV_FINALIZER } from './well-known.ts';
import { WorkQueue } from './work-queue.ts';
import { claimReference, volumeReference } from './object-reference.ts';

/** What the controller needs of an informer: its cache, handlers and sync state. */
export interface WatchedCache<T> {
  get(key: string): T | undefined;
  list(): T[];
  addHandlers(handlers: InformerHandlers<T>): void;
  hasSynced(): boolean;
  waitForSync(signal?: AbortSignal): Promise<void>;
}

export interface ProvisioningControllerOptions {
  readonly provisionerName: string;
  readonly provisioner: Provisioner;
  readonly api: ControllerApi;
  readonly events: EventRecorder;
  readonly claims: WatchedCache<V1PersistentVolumeClaim>;
  readonly volumes: WatchedCache<V1PersistentVolume>;
  readonly classes: WatchedCache<V1StorageClass>;
  readonly workers: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: ProvisionerMetrics;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** How long run() waits for in-flight work after its signal aborted (default 2 s). */
  readonly shutdownGraceMs?: number;
  /** Expands claims of ours whose request grew (`resize/` keys in the same queue and workers). */
  readonly resizer?: ClaimResizer;
}

const CLAIM = 'claim/';
const VOLUME = 'volume/';
const RESIZE = 'resize/';
/** A PV we created is trusted to exist for this long even before the informer shows it. */
const RECENT_CREATE_MS = 10 * 60_000;

interface FailureState {
  readonly objectVersion: string;
  readonly classVersion: string;
}

function claimKeyOf(claim: V1PersistentVolumeClaim): string {
  return `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`;
}

/** Our typed errors speak for themselves; API errors get the server's message and code. */
function failureMessage(error: unknown): string {
  return error instanceof ProvisionerError ? errorMessage(error) : apiErrorMessage(error);
}

/** 409 Conflict or 422 from a failed JSON-patch test: written against a stale cached copy. */
function isStaleWrite(error: unknown): boolean {
  const code = statusCode(error);
  return code === 409 || code === 422;
}

function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && (error.name === 'AbortError' || error.name === 'LeadershipLostError'));
}

export class ProvisioningController {
  readonly #o: ProvisioningControllerOptions;
  #queue: WorkQueue | undefined;
  readonly #failures = new Map<string, FailureState>();
  readonly #recentlyCreated = new Map<string, number>();
  /** PV uids whose storage we reclaimed (and then deleted): a re-queued key does not repeat it. */
  readonly #reclaimed = new Map<string, 'storage' | 'deleted'>();

  constructor(options: ProvisioningControllerOptions) {
    this.#o = options;
    options.claims.addHandlers({
      add: (claim) => this.#onClaim(claim),
      update: (_old, claim) => this.#onClaim(claim),
      delete: (claim) => {
        const key = CLAIM + claimKeyOf(claim);
        this.#failures.delete(key);
        this.#queue?.forget(key);
        this.#queue?.forget(RESIZE + claimKeyOf(claim));
      },
    });
    options.volumes.addHandlers({
      add: (pv) => {
        this.#recentlyCreated.delete(pv.metadata?.name ?? '');
        this.#onVolume(pv);
      },
      update: (_old, pv) => this.#onVolume(pv),
      delete: (pv) => {
        const key = VOLUME + (pv.metadata?.name ?? '');
        this.#failures.delete(key);
        this.#queue?.forget(key);
        this.#reclaimed.delete(pv.metadata?.uid ?? '');
        // A claim whose PV vanished before binding gets another look.
        const ref = pv.spec?.claimRef;
        if (ref?.namespace !== undefined && ref.name !== undefined) this.#enqueue(`${CLAIM}${ref.namespace}/${ref.name}`, '', '');
      },
    });
    options.classes.addHandlers({
      add: (storageClass) => this.#onClass(storageClass),
      update: (_old, storageClass) => this.#onClass(storageClass),
    });
  }

  /** Keys waiting (for metrics). */
  get queueDepth(): number {
    return this.#queue?.depth ?? 0;
  }

  get running(): boolean {
    return this.#queue !== undefined;
  }

  /**
   * Re-queues now every claim and volume waiting out a backoff after a failure. For when what they
   * failed on came back (an export answers again): waiting out the backoff, which may have grown to
   * minutes, would only delay them. A key whose cause persists fails again and backs off further.
   */
  retryFailed(): number {
    const queue = this.#queue;
    if (queue === undefined) return 0;
    let count = 0;
    for (const key of this.#failures.keys()) {
      if (!queue.isDelayed(key)) continue;
      queue.add(key);
      count += 1;
    }
    return count;
  }

  #classVersion(name: string): string {
    return this.#o.classes.get(name)?.metadata?.resourceVersion ?? '';
  }

  /**
   * Adds key unless it waits in backoff after a failure and nothing it depends on changed since
   * (a resync, or an unrelated update): permanent failures do not loop hot.
   */
  #enqueue(key: string, objectVersion: string, classVersion: string): void {
    const queue = this.#queue;
    if (queue === undefined) return;
    const failed = this.#failures.get(key);
    if (failed !== undefined && queue.isDelayed(key) && failed.objectVersion === objectVersion && failed.classVersion === classVersion) return;
    queue.add(key);
  }

  #onClaim(claim: V1PersistentVolumeClaim): void {
    this.#enqueue(CLAIM + claimKeyOf(claim), claim.metadata?.resourceVersion ?? '', this.#classVersion(claimClassName(claim)));
    if (this.#o.resizer?.wants(claim) === true) this.#queue?.add(RESIZE + claimKeyOf(claim));
  }

  #onVolume(pv: V1PersistentVolume): void {
    const className = pv.spec?.storageClassName ?? '';
    this.#enqueue(VOLUME + (pv.metadata?.name ?? ''), pv.metadata?.resourceVersion ?? '', this.#classVersion(className));
  }

  #onClass(storageClass: V1StorageClass): void {
    if (this.#queue === undefined || storageClass.provisioner !== this.#o.provisionerName) return;
    const name = storageClass.metadata?.name ?? '';
    for (const claim of this.#o.claims.list()) {
      if ((claim.spec?.volumeName ?? '') === '' && claimClassName(claim) === name) this.#onClaim(claim);
    }
  }

  /**
   * Provisions and reclaims until signal aborts (leadership lost or shutdown), then stops the
   * workers: in-flight work sees the aborted signal; run() returns after at most the grace period.
   */
  async run(signal: AbortSignal): Promise<void> {
    const { logger, clock, metrics } = this.#o;
    const queue = new WorkQueue({ clock, baseDelayMs: this.#o.baseDelayMs, maxDelayMs: this.#o.maxDelayMs });
    try {
      await Promise.all([this.#o.claims, this.#o.volumes, this.#o.classes].map((cache) => cache.waitForSync(signal)));
    } catch {
      return;
    }
    if (signal.aborted) return;
    this.#queue = queue;
    this.#failures.clear();
    metrics?.setQueueDepthSource(() => queue.depth, this.#o.provisionerName);
    for (const pv of this.#o.volumes.list()) this.#onVolume(pv);
    for (const claim of this.#o.claims.list()) this.#onClaim(claim);
    logger.info('controller started', { workers: this.#o.workers, queued: queue.depth });
    const workers = Array.from({ length: this.#o.workers }, () => this.#worker(queue, signal));
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    queue.shutDown();
    if (this.#queue === queue) this.#queue = undefined;
    const grace = new AbortController();
    const finished = await Promise.race([
      Promise.all(workers).then(() => true),
      sleep(clock, this.#o.shutdownGraceMs ?? 2000, grace.signal).then(() => false, () => false),
    ]);
    grace.abort();
    logger.info(finished ? 'controller stopped' : 'controller stopped; some work did not finish within the grace period');
  }

  async #worker(queue: WorkQueue, signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await queue.get(signal);
      if (key === undefined) return;
      try {
        if (key.startsWith(CLAIM)) await this.#syncClaim(queue, key, key.slice(CLAIM.length), signal);
        else if (key.startsWith(VOLUME)) await this.#syncVolume(queue, key, key.slice(VOLUME.length), signal);
        else if (key.startsWith(RESIZE)) await this.#syncResize(queue, key, key.slice(RESIZE.length), signal);
      } catch (error: unknown) {
        this.#o.logger.error('unexpected error in worker', { key, error: errorMessage(error) });
        if (!signal.aborted) queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  }

  #volumeKnown(pvName: string): boolean {
    if (this.#o.volumes.get(pvName) !== undefined) return true;
    const at = this.#recentlyCreated.get(pvName);
    return at !== undefined && this.#o.clock.now() - at < RECENT_CREATE_MS;
  }

  #succeeded(queue: WorkQueue, key: string): void {
    queue.forget(key);
    this.#failures.delete(key);
  }

  /** Backoff after a failure; permanent ones wait the cap (or a change of the object or class). */
  #failed(queue: WorkQueue, key: string, permanent: boolean, objectVersion: string, classVersion: string, kind: string): number {
    this.#failures.set(key, { objectVersion, classVersion });
    this.#o.metrics?.retries.labels(kind).inc();
    return permanent ? queue.addAfterCap(key) : queue.addRateLimited(key);
  }

  async #syncClaim(queue: WorkQueue, key: string, claimKey: string, signal: AbortSignal): Promise<void> {
    const { provisionerName, provisioner, metrics, events, clock } = this.#o;
    const claim = this.#o.claims.get(claimKey);
    if (claim === undefined) {
      this.#succeeded(queue, key);
      return;
    }
    const decision = decideClaim({
      claim,
      provisionerName,
      getStorageClass: (name) => this.#o.classes.get(name),
      volumeExists: (pvName) => this.#volumeKnown(pvName),
      validate: (request) => provisioner.validate(request),
    });
    const log = claimLogger(this.#o.logger, claim.metadata?.namespace ?? '', claim.metadata?.name ?? '');
    const objectVersion = claim.metadata?.resourceVersion ?? '';
    if (decision.action === 'ignore' || decision.action === 'done') {
      this.#succeeded(queue, key);
      return;
    }
    if (decision.action === 'wait') {
      log.debug('waiting', { reason: decision.reason });
      this.#succeeded(queue, key);
      return;
    }
    const className = decision.action === 'refuse' ? (decision.storageClass.metadata?.name ?? '') : (decision.request.storageClass.metadata?.name ?? '');
    const classVersion = this.#classVersion(className);
    if (decision.action === 'refuse') {
      metrics?.provisions.labels('refused').inc();
      const delay = this.#failed(queue, key, true, objectVersion, classVersion, 'claim');
      log.warn('claim refused', { reason: decision.reason, retryInMs: delay });
      void events.record(claimReference(claim), 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${decision.reason}`);
      return;
    }
    const request: ProvisionRequest = decision.request;
    const started = clock.now();
    void events.record(claimReference(claim), 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${claimKey}"`);
    try {
      const provisioned = await provisioner.provision(request, signal);
      const pv = buildVolume({ claim, storageClass: request.storageClass, pvName: request.pvName, provisionerName, provisioned });
      try {
        await this.#o.api.createVolume(pv, signal);
      } catch (error: unknown) {
        if (!isAlreadyExists(error)) throw error;
        log.info('volume already exists', { pv: request.pvName });
      }
      this.#recentlyCreated.set(request.pvName, clock.now());
      this.#pruneRecent();
      const seconds = (clock.now() - started) / 1000;
      metrics?.provisions.labels('success').inc();
      metrics?.provisionDuration.labels('success').observe(seconds);
      this.#succeeded(queue, key);
      log.info('provisioned volume', { pv: request.pvName, seconds });
      void events.record(claimReference(claim), 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${request.pvName}`);
    } catch (error: unknown) {
      if (isAbort(error, signal)) {
        log.info('provisioning interrupted (stopping or no longer leader)');
        return;
      }
      const kind = errorKind(error);
      if (kind === 'ignored') {
        log.debug('nothing to do', { reason: errorMessage(error) });
        this.#succeeded(queue, key);
        return;
      }
      const message = failureMessage(error);
      metrics?.provisions.labels('failed').inc();
      metrics?.provisionDuration.labels('failed').observe((clock.now() - started) / 1000);
      const delay = this.#failed(queue, key, kind === 'permanent', objectVersion, classVersion, 'claim');
      log.warn('provisioning failed', { error: message, permanent: kind === 'permanent', retryInMs: delay });
      void events.record(claimReference(claim), 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${message}`);
    }
  }

  async #syncResize(queue: WorkQueue, key: string, claimKey: string, signal: AbortSignal): Promise<void> {
    const outcome = (await this.#o.resizer?.sync(claimKey, signal)) ?? 'done';
    if (outcome === 'done') this.#succeeded(queue, key);
    else if (outcome === 'retry') {
      this.#o.metrics?.retries.labels('resize').inc();
      queue.addRateLimited(key);
    }
  }

  #pruneRecent(): void {
    if (this.#recentlyCreated.size < 1024) return;
    const now = this.#o.clock.now();
    for (const [name, at] of this.#recentlyCreated) {
      if (now - at >= RECENT_CREATE_MS) this.#recentlyCreated.delete(name);
    }
  }

  /**
   * Another live PV whose storage equals, contains or lies inside this one's, if any. PVs that are
   * going away themselves (due for reclaim, or being deleted and no longer bound) do not count:
   * otherwise two claims sharing a directory, deleted together, would each keep it for the other.
   */
  #overlappingVolume(pv: V1PersistentVolume): string | undefined {
    const { provisioner, provisionerName } = this.#o;
    const location = provisioner.storageLocation(pv);
    if (location === undefined) return undefined;
    const uid = pv.metadata?.uid;
    for (const other of this.#o.volumes.list()) {
      if (other.metadata?.uid === uid || isLeaving(other, provisionerName)) continue;
      const otherLocation = provisioner.storageLocation(other);
      if (otherLocation !== undefined && locationsOverlap(location, otherLocation)) return other.metadata?.name ?? '';
    }
    return undefined;
  }

  async #syncVolume(queue: WorkQueue, key: string, pvName: string, signal: AbortSignal): Promise<void> {
    const { provisionerName, provisioner, metrics, events, clock, api } = this.#o;
    const pv = this.#o.volumes.get(pvName);
    if (pv === undefined) {
      this.#succeeded(queue, key);
      return;
    }
    const decision = decideVolume(pv, provisionerName);
    if (decision.action === 'ignore') {
      this.#succeeded(queue, key);
      return;
    }
    const ref = pv.spec?.claimRef;
    const log = volumeLogger(this.#o.logger, pvName, ref === undefined ? undefined : `${ref.namespace ?? ''}/${ref.name ?? ''}`);
    const uid = pv.metadata?.uid ?? '';
    const className = pv.spec?.storageClassName ?? '';
    const started = clock.now();
    // A pass may find every step already done (the finalizer removal re-queues the PV): only a
    // pass that did something counts as a delete in metrics and logs.
    let acted = false;
    try {
      if (decision.action === 'reclaim') {
        if (!this.#reclaimed.has(uid)) {
          acted = true;
          const sharer = this.#overlappingVolume(pv);
          if (sharer === undefined) {
            await provisioner.delete(pv, className === '' ? undefined : this.#o.classes.get(className), signal);
            log.info('reclaimed volume storage');
          } else {
            // Archiving or deleting would pull the data out from under another volume: keep it.
            const message = `storage left in place: it is shared with PV ${sharer} (a pathPattern without a unique part, or nested directories)`;
            log.warn(message);
            void events.record(volumeReference(pv), 'Warning', 'VolumeStorageShared', message);
          }
          this.#reclaimed.set(uid, 'storage');
        }
      }
      // Storage dealt with: drop our finalizer first, then delete. Nobody else edits the finalizers
      // of a Released PV, while after the delete the protection controller races us for the list.
      // A crash in between leaves a Released PV that is reclaimed (idempotently) again.
      if ((pv.metadata?.finalizers ?? []).includes(PV_FINALIZER)) await api.removeVolumeFinalizer(pv, PV_FINALIZER, signal);
      if (decision.action === 'reclaim' && decision.deletePv && this.#reclaimed.get(uid) !== 'deleted') {
        await api.deleteVolume(pvName, uid, signal);
        this.#reclaimed.set(uid, 'deleted');
        acted = true;
      }
      const seconds = (clock.now() - started) / 1000;
      if (decision.action === 'reclaim' && acted) {
        metrics?.deletes.labels('success').inc();
        metrics?.deleteDuration.labels('success').observe(seconds);
        log.info('deleted volume', { seconds });
      }
      this.#succeeded(queue, key);
    } catch (error: unknown) {
      if (isAbort(error, signal)) {
        log.info('reclaim interrupted (stopping or no longer leader)');
        return;
      }
      const kind = errorKind(error);
      if (kind === 'ignored') {
        this.#succeeded(queue, key);
        return;
      }
      if (isStaleWrite(error)) {
        // Our cached copy was behind the server; the watch brings the new one (and re-queues).
        log.debug('volume changed meanwhile; retrying', { error: apiErrorMessage(error) });
        this.#failed(queue, key, false, pv.metadata?.resourceVersion ?? '', this.#classVersion(className), 'volume');
        return;
      }
      const message = failureMessage(error);
      metrics?.deletes.labels('failed').inc();
      metrics?.deleteDuration.labels('failed').observe((clock.now() - started) / 1000);
      const delay = this.#failed(queue, key, kind === 'permanent', pv.metadata?.resourceVersion ?? '', this.#classVersion(className), 'volume');
      log.warn('reclaim failed', { error: message, permanent: kind === 'permanent', retryInMs: delay });
      void events.record(volumeReference(pv), 'Warning', 'VolumeFailedDelete', message);
    }
  }
}

/** A PV that is on its way out: due for reclaim, or being deleted and no longer bound. */
function isLeaving(pv: V1PersistentVolume, provisionerName: string): boolean {
  const deleting = pv.metadata?.deletionTimestamp !== undefined && pv.metadata.deletionTimestamp !== null;
  return (deleting && pv.status?.phase !== 'Bound') || decideVolume(pv, provisionerName).action === 'reclaim';
}
