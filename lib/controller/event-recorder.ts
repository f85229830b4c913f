// core/v1 Events about claims and volumes, named and shaped as Kubernetes' event recorder does
// (`<object>.<hex time>`, source.component = provisioner name, involvedObject with uid), with the
// correlation that keeps a failure storm from flooding the API:
// - repeats of the same event (object, type, reason, message) update one Event's count and
//   lastTimestamp instead of creating new ones, and at most once per seriesIntervalMs per key;
//   repeats in between are only counted and go out with the next update;
// - a per-object token bucket (client-go's spam filter: burst 25, one more every 5 minutes) drops
//   what is beyond it;
// - recording never throws and is not awaited by the controller; its requests go at low priority.
import type { CoreV1Event, V1ObjectReference } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import { apiErrorMessage } from '../kube/api-errors.ts';
import type { Clock } from '../kube/clock.ts';
import type { ControllerApi } from './controller-api.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  readonly api: Pick<ControllerApi, 'createEvent' | 'updateEventSeries'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** source.component and reportingComponent: the provisioner name. */
  readonly component: string;
  /** reportingInstance: this replica. */
  readonly instance?: string;
  readonly burst?: number;
  readonly refillEveryMs?: number;
  readonly seriesIntervalMs?: number;
  /** Correlation entries kept (oldest dropped). */
  readonly maxKeys?: number;
  readonly onEvent?: (reason: string, outcome: 'created' | 'updated' | 'aggregated' | 'dropped' | 'failed') => void;
}

interface Series {
  name: string;
  namespace: string;
  count: number;
  /** Repeats counted since the last write. */
  pending: number;
  lastWriteAt: number;
  ready: Promise<boolean>;
}

interface Bucket {
  tokens: number;
  last: number;
}

const MAX_MESSAGE = 1024;

export class EventRecorder {
  readonly #o: EventRecorderOptions;
  readonly #series = new Map<string, Series>();
  readonly #buckets = new Map<string, Bucket>();
  #sequence = 0;

  constructor(options: EventRecorderOptions) {
    this.#o = options;
  }

  #allow(objectKey: string, now: number): boolean {
    const burst = this.#o.burst ?? 25;
    const refill = this.#o.refillEveryMs ?? 300_000;
    const bucket = this.#buckets.get(objectKey) ?? { tokens: burst, last: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.last) / refill);
    bucket.last = now;
    this.#touch(this.#buckets, objectKey, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  #touch<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    const max = this.#o.maxKeys ?? 4096;
    while (map.size > max) {
      const oldest = map.keys().next();
      if (oldest.done === true) break;
      map.delete(oldest.value);
    }
  }

  /** Records an event; resolves when its request (if any) finished. Never rejects. */
  async record(object: V1ObjectReference, type: EventType, reason: string, message: string): Promise<void> {
    const { clock, api, logger, onEvent } = this.#o;
    const now = clock.now();
    const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message;
    const objectKey = object.uid ?? `${object.kind ?? ''}/${object.namespace ?? ''}/${object.name ?? ''}`;
    const key = JSON.stringify([objectKey, type, reason, text]);
    const series = this.#series.get(key);
    const interval = this.#o.seriesIntervalMs ?? 60_000;
    if (series !== undefined) {
      series.pending += 1;
      this.#touch(this.#series, key, series);
      if (now - series.lastWriteAt < interval) {
        onEvent?.(reason, 'aggregated');
        return;
      }
      if (!this.#allow(objectKey, now)) {
        onEvent?.(reason, 'dropped');
        return;
      }
      if (!(await series.ready)) {
        onEvent?.(reason, 'failed');
        return;
      }
      series.count += series.pending;
      series.pending = 0;
      series.lastWriteAt = now;
      try {
        await api.updateEventSeries(series.namespace, series.name, series.count, new Date(now));
        onEvent?.(reason, 'updated');
      } catch (error: unknown) {
        onEvent?.(reason, 'failed');
        logger.debug('could not update event', { reason, error: apiErrorMessage(error) });
      }
      return;
    }
    if (!this.#allow(objectKey, now)) {
      onEvent?.(reason, 'dropped');
      return;
    }
    const namespace = object.namespace !== undefined && object.namespace !== '' ? object.namespace : 'default';
    this.#sequence = (this.#sequence + 1) % 1_000_000;
    const suffix = (BigInt(now) * 1_000_000n + BigInt(this.#sequence)).toString(16);
    const name = `${(object.name ?? 'object').slice(0, 253 - suffix.length - 1)}.${suffix}`;
    const event: CoreV1Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: object,
      type,
      reason,
      message: text,
      count: 1,
      firstTimestamp: new Date(now),
      lastTimestamp: new Date(now),
      source: { component: this.#o.component },
      reportingComponent: this.#o.component,
      reportingInstance: this.#o.instance ?? '',
    };
    let resolveReady: (ok: boolean) => void = () => undefined;
    const entry: Series = { name, namespace, count: 1, pending: 0, lastWriteAt: now, ready: new Promise((r) => (resolveReady = r)) };
    this.#touch(this.#series, key, entry);
    try {
      await api.createEvent(namespace, event);
      resolveReady(true);
      onEvent?.(reason, 'created');
    } catch (error: unknown) {
      resolveReady(false);
      if (this.#series.get(key) === entry) this.#series.delete(key);
      onEvent?.(reason, 'failed');
      logger.debug('could not create event', { reason, error: apiErrorMessage(error) });
    }
  }
}
