// Background usage reporting, run by the leader only (a standby exports no volume series): a full
// pass every USAGE_INTERVAL over the Bound PVs of ours in the informer cache (no GET, no LIST),
// one volume at a time through the backend's UsageMeter, and for each measurement:
// - the per-volume gauges (volume-metrics.ts), labelled by claim, PV and export;
// - the PV's usage annotations, within the write bound of usage-annotations.ts;
// - a Warning VolumeOverCapacity on the claim when it holds more than its capacity, at most once
//   an hour per volume (NFS enforces no size: this is the only sign a user gets).
// Passes start USAGE_INTERVAL apart; one that takes longer is followed at once by the next. A PV
// that is deleted, released or no longer ours loses its series at once (informer event).
import type { V1ObjectReference, V1PersistentVolume } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import { errorMessage } from '../errors.ts';
import { apiErrorMessage } from '../kube/api-errors.ts';
import type { Clock } from '../kube/clock.ts';
import { sleep } from '../kube/clock.ts';
import type { WatchedCache } from './controller.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { PatchApi } from './patch-api.ts';
import { formatBytes, quantityBytes } from './quantity.ts';
import { quantityText } from './resize-decision.ts';
import type { AnnotationPolicy } from './usage-annotations.ts';
import { DEFAULT_ANNOTATION_POLICY, usageAnnotationPatch } from './usage-annotations.ts';
import type { MeasuredUsage, UsageMeter } from './usage-meter.ts';
import type { VolumeLabels, VolumeMetrics, VolumeUsageRow } from './volume-metrics.ts';
import { ANN_PROVISIONED_BY } from './well-known.ts';

const MAX_WRITES = 8;

export interface UsageMonitorOptions {
  /** The provisioner name, or each of several (one controller per name): PVs of any of them are walked. */
  readonly provisionerName: string | readonly string[];
  readonly volumes: WatchedCache<V1PersistentVolume>;
  readonly meter: UsageMeter;
  readonly api: Pick<PatchApi, 'patchVolume'>;
  readonly events: Pick<EventRecorder, 'record'>;
  /** The recorder of the provisioner name that made a PV (its events' component); default `events`. */
  readonly eventsFor?: (provisionerName: string) => Pick<EventRecorder, 'record'> | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** USAGE_INTERVAL: from the start of one full pass to the start of the next. */
  readonly intervalMs: number;
  readonly metrics?: VolumeMetrics;
  readonly annotationPolicy?: AnnotationPolicy;
  /** Least time between two VolumeOverCapacity events of one volume (default 1 h). */
  readonly overCapacityEveryMs?: number;
}

interface UsageRecord {
  readonly uid: string;
  readonly labels: VolumeLabels;
  readonly bytes: number;
  readonly files: number;
}

/** Bound PVs of ours with a claim: the volumes whose usage means something to someone. */
export function isMeasurable(pv: V1PersistentVolume, provisionerName: string | readonly string[]): boolean {
  const ref = pv.spec?.claimRef;
  const deleting = pv.metadata?.deletionTimestamp !== undefined && pv.metadata.deletionTimestamp !== null;
  const by = pv.metadata?.annotations?.[ANN_PROVISIONED_BY];
  const ours = typeof provisionerName === 'string' ? by === provisionerName : by !== undefined && provisionerName.includes(by);
  return (
    ours &&
    pv.status?.phase === 'Bound' &&
    !deleting &&
    (ref?.name ?? '') !== '' &&
    (ref?.namespace ?? '') !== ''
  );
}

export class UsageMonitor {
  readonly #o: UsageMonitorOptions;
  readonly #records = new Map<string, UsageRecord>();
  /** PV uid -> when its last VolumeOverCapacity event went out. */
  readonly #warnedAt = new Map<string, number>();
  readonly #capacityCache = new Map<string, number | undefined>();
  /** Annotation patches in flight: the walk goes on while they wait at the rate limit's low lane. */
  readonly #writes = new Set<Promise<void>>();
  #running = false;

  constructor(options: UsageMonitorOptions) {
    if (!(options.intervalMs > 0)) throw new RangeError(`usage interval must be positive, got ${options.intervalMs}`);
    this.#o = options;
    options.volumes.addHandlers({
      update: (_old, pv) => {
        if (!isMeasurable(pv, options.provisionerName)) this.#forget(pv);
      },
      delete: (pv) => this.#forget(pv),
    });
  }

  /** What the gauges show (also for tests). */
  rows(): VolumeUsageRow[] {
    return [...this.#records.entries()].map(([name, r]) => ({
      labels: r.labels,
      usedBytes: r.bytes,
      files: r.files,
      capacityBytes: this.#capacityOf(this.#o.volumes.get(name)),
    }));
  }

  /** Passes until signal aborts (leadership lost or shutdown); then the series go (a standby reports none). */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, logger, metrics } = this.#o;
    if (this.#running) throw new Error('UsageMonitor.run() is already running');
    this.#running = true;
    try {
      await this.#o.volumes.waitForSync(signal);
      metrics?.setUsageSource(() => this.rows());
      logger.info('usage walker started', { intervalMs: this.#o.intervalMs });
      while (!signal.aborted) {
        const started = clock.now();
        await this.#pass(signal, started);
        if (signal.aborted) break;
        await sleep(clock, Math.max(0, started + this.#o.intervalMs - clock.now()), signal);
      }
    } catch (error: unknown) {
      if (!signal.aborted) logger.error('usage walker stopped unexpectedly', { error: errorMessage(error) });
    } finally {
      await Promise.all(this.#writes);
      metrics?.setUsageSource(() => []);
      this.#records.clear();
      this.#running = false;
    }
  }

  async #pass(signal: AbortSignal, started: number): Promise<void> {
    const { provisionerName, volumes, meter, logger, metrics, clock } = this.#o;
    const names = volumes
      .list()
      .filter((pv) => isMeasurable(pv, provisionerName))
      .map((pv) => pv.metadata?.name ?? '')
      .sort();
    let files = 0;
    let measured = 0;
    for (const name of names) {
      if (signal.aborted) return;
      const pv = volumes.get(name);
      if (pv === undefined || !isMeasurable(pv, provisionerName)) continue;
      let usage: MeasuredUsage | undefined;
      try {
        usage = await meter.measure(pv, signal);
      } catch (error: unknown) {
        if (signal.aborted) return;
        metrics?.usageErrors.labels('failed').inc();
        logger.warn('could not measure volume usage', { pv: name, error: errorMessage(error) });
        continue;
      }
      if (usage === undefined) continue;
      if (usage.skipped > 0) {
        metrics?.usageErrors.labels('partial').inc();
        logger.warn('volume usage is a lower bound: entries could not be read', { pv: name, skipped: usage.skipped, first: usage.firstError });
      }
      files += usage.files;
      measured += 1;
      await this.#publish(name, usage, signal);
    }
    const live = new Set(names);
    for (const name of this.#records.keys()) if (!live.has(name)) this.#records.delete(name);
    const seconds = (clock.now() - started) / 1000;
    metrics?.usagePasses.inc();
    metrics?.usageLastPassSeconds.set(seconds);
    metrics?.usageLastPassFiles.set(files);
    metrics?.usageLastPassVolumes.set(measured);
    logger.info('usage pass finished', { volumes: measured, files, seconds, filesPerSecond: seconds > 0 ? Math.round(files / seconds) : null });
  }

  async #publish(name: string, usage: MeasuredUsage, signal: AbortSignal): Promise<void> {
    const { provisionerName, volumes, meter, clock, events, api, logger, metrics } = this.#o;
    // The PV as it is now: the walk may have taken a while.
    const pv = volumes.get(name);
    if (pv === undefined || !isMeasurable(pv, provisionerName)) return;
    const ref = pv.spec?.claimRef ?? {};
    const uid = pv.metadata?.uid ?? name;
    const labels: VolumeLabels = { namespace: ref.namespace ?? '', persistentvolumeclaim: ref.name ?? '', persistentvolume: name, export: meter.exportOf(pv) };
    this.#records.set(name, { uid, labels, bytes: usage.bytes, files: usage.files });

    const now = clock.now();
    const capacity = this.#capacityOf(pv);
    if (capacity !== undefined && usage.bytes > capacity) {
      const last = this.#warnedAt.get(uid);
      if (last === undefined || now - last >= (this.#o.overCapacityEveryMs ?? 3_600_000)) {
        this.#warnedAt.set(uid, now);
        const claim: V1ObjectReference = {
          kind: 'PersistentVolumeClaim',
          apiVersion: 'v1',
          namespace: ref.namespace ?? '',
          name: ref.name ?? '',
          ...(ref.uid === undefined ? {} : { uid: ref.uid }),
        };
        const declared = quantityText(pv.spec?.capacity?.['storage']) ?? '?';
        const message =
          `volume ${name} holds ${formatBytes(usage.bytes)} (${usage.bytes} bytes) in ${usage.files} files, ` +
          `more than its capacity ${declared} (${capacity} bytes); NFS does not enforce the size`;
        logger.warn('volume over capacity', { pv: name, claim: `${labels.namespace}/${labels.persistentvolumeclaim}`, bytes: usage.bytes, capacity });
        const recorder = this.#o.eventsFor?.(pv.metadata?.annotations?.[ANN_PROVISIONED_BY] ?? '') ?? events;
        void recorder.record(claim, 'Warning', 'VolumeOverCapacity', message);
      }
    } else {
      this.#warnedAt.delete(uid);
    }

    const patch = usageAnnotationPatch(pv.metadata?.annotations, usage, now, this.#o.annotationPolicy ?? DEFAULT_ANNOTATION_POLICY);
    if (patch === undefined) return;
    // Not awaited: a pass must not wait for API round trips (or for a claim burst ahead in the rate
    // limit). At most MAX_WRITES in flight, so a slow API server slows the walk rather than piling up.
    while (this.#writes.size >= MAX_WRITES) await Promise.race(this.#writes);
    const write = api.patchVolume(name, patch, signal, true).then(
      () => {
        metrics?.usageAnnotations.labels('written').inc();
      },
      (error: unknown) => {
        if (signal.aborted) return;
        metrics?.usageAnnotations.labels('failed').inc();
        logger.debug('could not annotate volume usage; next pass tries again', { pv: name, error: apiErrorMessage(error) });
      },
    );
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
  }

  #capacityOf(pv: V1PersistentVolume | undefined): number | undefined {
    const text = quantityText(pv?.spec?.capacity?.['storage']);
    if (text === undefined) return undefined;
    if (!this.#capacityCache.has(text)) {
      if (this.#capacityCache.size > 1024) this.#capacityCache.clear();
      this.#capacityCache.set(text, quantityBytes(text));
    }
    return this.#capacityCache.get(text);
  }

  #forget(pv: V1PersistentVolume): void {
    this.#records.delete(pv.metadata?.name ?? '');
    this.#warnedAt.delete(pv.metadata?.uid ?? pv.metadata?.name ?? '');
  }
}
