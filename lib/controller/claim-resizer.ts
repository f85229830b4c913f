// Expansion of claims of ours, run by the provisioning controller's workers (so only by the leader)
// on `resize/` keys: the external-resizer's writes and events for a volume with nothing to grow
// but its recorded size (see resize-decision.ts for the steps and why a crash anywhere is safe).
// Reads come from the informer caches; per resize it makes at most three writes (claim status,
// PV, claim status) and two events (Resizing, VolumeResizeSuccessful). Claim status patches carry
// the cached resourceVersion: a stale cache gets 409 and the key is retried from the new copy.
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import { apiErrorMessage, statusCode } from '../kube/api-errors.ts';
import type { Clock } from '../kube/clock.ts';
import { claimLogger } from '../logger.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { PatchApi } from './patch-api.ts';
import { claimWantsResize, CONTROLLER_RESIZE_IN_PROGRESS, decideResize, withResizeConditions } from './resize-decision.ts';
import { claimReference } from './object-reference.ts';

export interface ClaimResizerOptions {
  readonly provisionerName: string;
  readonly api: PatchApi;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly claims: { get(key: string): V1PersistentVolumeClaim | undefined };
  readonly volumes: { get(name: string): V1PersistentVolume | undefined };
  readonly clock: Clock;
  readonly logger: Logger;
  /** Counts finished resizes ('success') and failed attempts ('failed'). */
  readonly onResult?: (result: 'success' | 'failed') => void;
}

/** done: nothing (more) to do; retry: look again after backoff; stopped: the signal aborted. */
export type ResizeOutcome = 'done' | 'retry' | 'stopped';

/** metav1.Time: RFC 3339 in whole seconds. */
function apiTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/u, 'Z');
}

export class ClaimResizer {
  readonly #o: ClaimResizerOptions;

  constructor(options: ClaimResizerOptions) {
    this.#o = options;
  }

  /** Whether an informer event for this claim should queue a resize key (cheap, no lookups). */
  wants(claim: V1PersistentVolumeClaim): boolean {
    return claimWantsResize(claim);
  }

  async sync(claimKey: string, signal: AbortSignal): Promise<ResizeOutcome> {
    const { api, events, clock, provisionerName } = this.#o;
    const claim = this.#o.claims.get(claimKey);
    if (claim === undefined) return 'done';
    const volumeName = claim.spec?.volumeName ?? '';
    const decision = decideResize(claim, volumeName === '' ? undefined : this.#o.volumes.get(volumeName), provisionerName);
    const namespace = claim.metadata?.namespace ?? '';
    const name = claim.metadata?.name ?? '';
    const log = claimLogger(this.#o.logger, namespace, name);
    if (decision.action === 'none') return 'done';
    if (decision.action === 'wait') {
      log.debug('resize waits', { reason: decision.reason });
      return 'retry';
    }
    const { pvName, target } = decision;
    const reference = claimReference(claim);
    try {
      let current = claim;
      if (decision.markInProgress || decision.growVolume) {
        void events.record(reference, 'Normal', 'Resizing', `External resizer is resizing volume ${pvName}`);
      }
      if (decision.markInProgress) {
        current = await api.patchClaimStatus(
          namespace,
          name,
          {
            metadata: { resourceVersion: claim.metadata?.resourceVersion ?? '' },
            status: {
              conditions: withResizeConditions(claim.status?.conditions, [{ type: 'Resizing', status: 'True', lastTransitionTime: apiTime(clock.now()) }]),
              allocatedResources: { storage: target },
              allocatedResourceStatuses: { storage: CONTROLLER_RESIZE_IN_PROGRESS },
            },
          },
          signal,
        );
      }
      if (decision.growVolume) await api.patchVolume(pvName, { spec: { capacity: { storage: target } } }, signal);
      const remaining = withResizeConditions(current.status?.conditions, []);
      await api.patchClaimStatus(
        namespace,
        name,
        {
          metadata: { resourceVersion: current.metadata?.resourceVersion ?? '' },
          status: {
            capacity: { storage: target },
            conditions: remaining.length > 0 ? remaining : null,
            allocatedResourceStatuses: { storage: null },
          },
        },
        signal,
      );
      this.#o.onResult?.('success');
      log.info('resized volume', { pv: pvName, capacity: target, pvGrown: decision.growVolume });
      void events.record(reference, 'Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded');
      return 'done';
    } catch (error: unknown) {
      if (signal.aborted) return 'stopped';
      if (statusCode(error) === 409) {
        // Our cached claim was behind the server; the watch brings the new one.
        log.debug('claim changed during resize; retrying', { error: apiErrorMessage(error) });
        return 'retry';
      }
      const message = `resize of volume ${pvName} to ${target} failed: ${apiErrorMessage(error)}`;
      this.#o.onResult?.('failed');
      log.warn('resize failed', { error: message });
      void events.record(reference, 'Warning', 'VolumeResizeFailed', message);
      return 'retry';
    }
  }
}
