// Leader election on a coordination.k8s.io/v1 Lease, after client-go's leaderelection package:
// - candidates try to acquire every retry period: a Lease that is missing, released (no holder) or
//   not renewed for leaseDurationSeconds (measured on our own clock from when we last saw it
//   change, never by comparing clocks across machines) is taken, leaseTransitions + 1;
// - the leader renews every retry period with an update that carries the resourceVersion it last
//   wrote (optimistic concurrency), without a GET in steady state; a conflict drops the cached
//   copy so the next attempt reads the Lease again;
// - if no renew succeeds for renewDeadline, or the Lease turns out to be held by someone else,
//   leadership is lost: the leading AbortSignal aborts at once and we go back to being a candidate;
// - on stop, the leader releases the Lease as client-go does with ReleaseOnCancel (holder cleared,
//   leaseDurationSeconds 1), so another replica takes over within one retry period.
import type { V1Lease } from '@kubernetes/client-node';
import { MicroTime } from './micro-time.ts';
import type { Logger } from 'winston';
import { apiErrorMessage, isAlreadyExists, isConflict } from './api-errors.ts';
import type { Clock } from './clock.ts';
import { sleep } from './clock.ts';

/** The three Lease calls the elector makes (lib/kube/lease-api.ts binds them to one Lease). */
export interface LeaseApi {
  /** The Lease, or undefined when it does not exist. */
  get(signal: AbortSignal): Promise<V1Lease | undefined>;
  /** Creates it; rejects with 409 when it exists. */
  create(lease: V1Lease, signal: AbortSignal): Promise<V1Lease>;
  /** Replaces it; rejects with 409 when metadata.resourceVersion is stale. */
  replace(lease: V1Lease, signal: AbortSignal): Promise<V1Lease>;
}

export interface LeaderElectorOptions {
  readonly api: LeaseApi;
  readonly name: string;
  readonly namespace: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called when we become leader; `signal` aborts the moment leadership ends. */
  onStartedLeading(signal: AbortSignal): void;
  /** Called after leadership ended (lost or stopping); awaited before the Lease is released. */
  onStoppedLeading(): Promise<void> | void;
  /** Called when the observed holder changes (for logs). */
  onNewLeader?(identity: string): void;
  /** Random fraction added to the retry period (default 0.05). */
  readonly jitter?: number;
  readonly random?: () => number;
}

export class LeadershipLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeadershipLostError';
  }
}

function holderOf(lease: V1Lease | undefined): string {
  return lease?.spec?.holderIdentity ?? '';
}

/** What counts as "the record changed" for expiry: holder, renew time, transitions. */
function recordKey(lease: V1Lease): string {
  const spec = lease.spec ?? {};
  return JSON.stringify([spec.holderIdentity ?? '', String(spec.renewTime ?? ''), spec.leaseTransitions ?? 0, spec.leaseDurationSeconds ?? 0]);
}

export class LeaderElector {
  readonly #o: LeaderElectorOptions;
  #observed: V1Lease | undefined;
  #observedKey = '';
  #observedTime = 0;
  #leader = false;
  #lastHolder = '';

  constructor(options: LeaderElectorOptions) {
    this.#o = options;
  }

  isLeader(): boolean {
    return this.#leader;
  }

  /** The holder we last saw ('' when none). */
  get observedHolder(): string {
    return this.#lastHolder;
  }

  #waitPeriod(): number {
    const jitter = this.#o.jitter ?? 0.05;
    return this.#o.retryPeriodMs * (1 + jitter * (this.#o.random ?? Math.random)());
  }

  #observe(lease: V1Lease): void {
    const key = recordKey(lease);
    if (key !== this.#observedKey) {
      this.#observedKey = key;
      this.#observedTime = this.#o.clock.now();
    }
    this.#observed = lease;
    const holder = holderOf(lease);
    if (holder !== this.#lastHolder) {
      this.#lastHolder = holder;
      if (holder !== '') this.#o.onNewLeader?.(holder);
    }
  }

  /** Runs until stop aborts: candidate, leader, candidate again after a loss; releases on stop. */
  async run(stop: AbortSignal): Promise<void> {
    const { logger } = this.#o;
    while (!stop.aborted) {
      const acquired = await this.#acquire(stop);
      if (!acquired) break;
      const leading = new AbortController();
      this.#leader = true;
      logger.info('became leader', { lease: `${this.#o.namespace}/${this.#o.name}`, identity: this.#o.identity });
      try {
        this.#o.onStartedLeading(leading.signal);
      } catch (error: unknown) {
        logger.error('onStartedLeading failed', { error: apiErrorMessage(error) });
      }
      const reason = await this.#renewUntilLost(stop);
      this.#leader = false;
      leading.abort(new LeadershipLostError(reason));
      if (!stop.aborted) logger.warn('leadership lost; stopped acting, back to candidate', { reason });
      try {
        await this.#o.onStoppedLeading();
      } catch (error: unknown) {
        logger.error('onStoppedLeading failed', { error: apiErrorMessage(error) });
      }
      if (stop.aborted) {
        await this.release();
        break;
      }
    }
  }

  async #acquire(stop: AbortSignal): Promise<boolean> {
    let logged = false;
    while (!stop.aborted) {
      if (await this.#attempt(stop)) return true;
      if (!logged) {
        this.#o.logger.info('waiting to acquire leadership', { lease: `${this.#o.namespace}/${this.#o.name}`, holder: this.#lastHolder });
        logged = true;
      }
      try {
        await sleep(this.#o.clock, this.#waitPeriod(), stop);
      } catch {
        return false;
      }
    }
    return false;
  }

  /** Renews every retry period; returns the reason once leadership is lost or stop aborts. */
  async #renewUntilLost(stop: AbortSignal): Promise<string> {
    const { clock } = this.#o;
    let lastRenew = clock.now();
    while (!stop.aborted) {
      try {
        await sleep(clock, this.#o.retryPeriodMs, stop);
      } catch {
        return 'stopping';
      }
      const remaining = lastRenew + this.#o.renewDeadlineMs - clock.now();
      const deadline = new AbortController();
      const cancel = clock.setTimer(() => deadline.abort(new DOMException('renew deadline', 'TimeoutError')), Math.max(0, remaining));
      const onStop = (): void => deadline.abort(stop.reason);
      stop.addEventListener('abort', onStop, { once: true });
      let renewed = false;
      try {
        renewed = await this.#attempt(deadline.signal);
      } finally {
        cancel();
        stop.removeEventListener('abort', onStop);
      }
      if (stop.aborted) return 'stopping';
      if (renewed) {
        lastRenew = clock.now();
        continue;
      }
      const holder = this.#lastHolder;
      if (holder !== '' && holder !== this.#o.identity) return `the Lease is held by ${holder}`;
      if (clock.now() - lastRenew >= this.#o.renewDeadlineMs) return `no successful renew for ${this.#o.renewDeadlineMs} ms`;
    }
    return 'stopping';
  }

  /** One try to acquire or renew; true when we hold the Lease afterwards. */
  async #attempt(signal: AbortSignal): Promise<boolean> {
    const { api, clock, identity, logger } = this.#o;
    const now = clock.now();
    const leaseDurationSeconds = Math.max(1, Math.round(this.#o.leaseDurationMs / 1000));
    try {
      let current = this.#leader ? this.#observed : undefined;
      if (current === undefined) {
        current = await api.get(signal);
        if (current === undefined) {
          const created = await api.create(
            {
              apiVersion: 'coordination.k8s.io/v1',
              kind: 'Lease',
              metadata: { name: this.#o.name, namespace: this.#o.namespace },
              spec: {
                holderIdentity: identity,
                leaseDurationSeconds,
                acquireTime: new MicroTime(now),
                renewTime: new MicroTime(now),
                leaseTransitions: 0,
              },
            },
            signal,
          );
          this.#observe(created);
          return true;
        }
        this.#observe(current);
        const holder = holderOf(current);
        const duration = (current.spec?.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
        if (holder !== '' && holder !== identity && this.#observedTime + duration > now) return false;
      }
      const spec = current.spec ?? {};
      const ours = holderOf(current) === identity;
      const updated = await api.replace(
        {
          ...current,
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          spec: {
            ...spec,
            holderIdentity: identity,
            leaseDurationSeconds,
            acquireTime: ours && spec.acquireTime !== undefined ? spec.acquireTime : new MicroTime(now),
            renewTime: new MicroTime(now),
            leaseTransitions: (spec.leaseTransitions ?? 0) + (ours ? 0 : 1),
          },
        },
        signal,
      );
      this.#observe(updated);
      return true;
    } catch (error: unknown) {
      if (isConflict(error) || isAlreadyExists(error)) {
        // Someone else wrote the Lease. A leader reads it at once to learn whether it still holds
        // it (so a takeover ends our leadership now, not a retry period later).
        this.#observed = undefined;
        logger.debug('lease update conflict', { lease: this.#o.name });
        if (this.#leader && !signal.aborted) {
          try {
            const fresh = await api.get(signal);
            if (fresh !== undefined) this.#observe(fresh);
          } catch {
            // the next attempt reads it again
          }
        }
      } else if (!signal.aborted) {
        logger.warn('lease request failed', { lease: `${this.#o.namespace}/${this.#o.name}`, error: apiErrorMessage(error) });
      }
      return false;
    }
  }

  /** Gives the Lease up if we hold it (holder cleared, leaseDurationSeconds 1). Never throws. */
  async release(timeoutMs = 1500): Promise<void> {
    const observed = this.#observed;
    if (observed === undefined || holderOf(observed) !== this.#o.identity) return;
    const { api, clock, logger } = this.#o;
    const now = clock.now();
    const controller = new AbortController();
    const cancel = clock.setTimer(() => controller.abort(new DOMException('release timeout', 'TimeoutError')), timeoutMs);
    try {
      const released = await api.replace(
        {
          ...observed,
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          spec: {
            ...observed.spec,
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: new MicroTime(now),
            renewTime: new MicroTime(now),
            leaseTransitions: observed.spec?.leaseTransitions ?? 0,
          },
        },
        controller.signal,
      );
      this.#observe(released);
      logger.info('released leadership', { lease: `${this.#o.namespace}/${this.#o.name}` });
    } catch (error: unknown) {
      logger.warn('could not release the Lease; the next leader waits for it to expire', { error: apiErrorMessage(error) });
    } finally {
      cancel();
    }
  }
}
