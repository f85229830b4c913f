// The one part of a node this control plane lacks, reduced to what the provisioning flows look
// at: no kubelet runs here (no nodes, no container engine), so nothing would ever report a pod
// Running and Ready, and the real StatefulSet controller (OrderedReady) would never create the
// claim of ordinal 1 before ordinal 0's pod is Ready. This marks a pod Running and Ready once
// every PersistentVolumeClaim it mounts is Bound, as a kubelet would start it only then.
// It writes pod status only; everything else is the real control plane's.
import { setTimeout as sleep } from 'node:timers/promises';

export type AdminCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: string }>;

interface PodList {
  items?: Array<{
    metadata?: { name?: string; namespace?: string; deletionTimestamp?: string };
    spec?: { volumes?: Array<{ persistentVolumeClaim?: { claimName?: string } }> };
    status?: { phase?: string; conditions?: Array<{ type?: string; status?: string }> };
  }>;
}

export interface PodReadiness {
  stop(): Promise<void>;
}

export function startPodReadiness(call: AdminCall, intervalMs = 200): PodReadiness {
  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        await markReadyPods(call);
      } catch {
        // The API server is stopping or restarting; the next round tries again.
      }
      await sleep(intervalMs, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}

async function markReadyPods(call: AdminCall): Promise<void> {
  const res = await call('GET', '/api/v1/pods');
  if (res.status !== 200) return;
  const pods = (JSON.parse(res.body) as PodList).items ?? [];
  for (const pod of pods) {
    const { name, namespace, deletionTimestamp } = pod.metadata ?? {};
    if (name === undefined || namespace === undefined || deletionTimestamp !== undefined) continue;
    if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
    const claims = (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
    let allBound = true;
    for (const claim of claims) {
      const c = await call('GET', `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${encodeURIComponent(claim)}`);
      const phase = c.status === 200 ? (JSON.parse(c.body) as { status?: { phase?: string } }).status?.phase : undefined;
      if (phase !== 'Bound') allBound = false;
    }
    if (!allBound) continue;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = (type: string): Record<string, string> => ({ type, status: 'True', lastTransitionTime: now });
    await call('PATCH', `/api/v1/namespaces/${namespace}/pods/${encodeURIComponent(name)}/status`, {
      status: { phase: 'Running', startTime: now, conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(condition) },
    });
  }
}
