// Writes core/v1 Events on objects as the control plane's components do (source component, count,
// first/last timestamps), so `kubectl describe` shows why a claim waits.
import type { CoreV1Api, CoreV1Event, V1ObjectReference } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export interface EventRecorder {
  event(target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

export function createEventRecorder(core: CoreV1Api, component: string, now: () => Date = () => new Date()): EventRecorder {
  return {
    async event(target, type, reason, message) {
      const name = target.metadata?.name ?? 'unknown';
      // Cluster-scoped objects (PVs) get their events in "default", as Kubernetes does.
      const namespace = target.metadata?.namespace ?? 'default';
      const involvedObject: V1ObjectReference = {
        apiVersion: target.apiVersion,
        kind: target.kind,
        name,
        ...(target.metadata?.namespace ? { namespace: target.metadata.namespace } : {}),
        ...(target.metadata?.uid ? { uid: target.metadata.uid } : {}),
        ...(target.metadata?.resourceVersion ? { resourceVersion: target.metadata.resourceVersion } : {}),
      };
      const at = now();
      const body: CoreV1Event = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace },
        involvedObject,
        type,
        reason,
        message,
        source: { component },
        reportingComponent: component,
        reportingInstance: component,
        count: 1,
        firstTimestamp: at,
        lastTimestamp: at,
      };
      await core.createNamespacedEvent({ namespace, body });
    },
  };
}
