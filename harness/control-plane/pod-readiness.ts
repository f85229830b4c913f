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

interface ClaimList {
  items?: Array<{ metadata?: { name?: string; namespace?: string }; status?: { phase?: string } }>;
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
  const waiting = ((JSON.parse(res.body) as PodList).items ?? []).filter(
    (pod) => pod.metadata?.deletionTimestamp === undefined && !pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  if (waiting.length === 0) return;
  // One list of claims per round, not a GET per claim of every waiting pod.
  const claims = await call('GET', '/api/v1/persistentvolumeclaims');
  if (claims.status !== 200) return;
  const bound = new Set(
    ((JSON.parse(claims.body) as ClaimList).items ?? [])
      .filter((c) => c.status?.phase === 'Bound')
      .map((c) => `${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`),
  );
  for (const pod of waiting) {
    const { name, namespace } = pod.metadata ?? {};
    if (name === undefined || namespace === undefined) continue;
    const claimNames = (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
    if (!claimNames.every((claim) => bound.has(`${namespace}/${claim}`))) continue;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = (type: string): Record<string, string> => ({ type, status: 'True', lastTransitionTime: now });
    await call('PATCH', `/api/v1/namespaces/${namespace}/pods/${encodeURIComponent(name)}/status`, {
      status: { phase: 'Running', startTime: now, conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map(condition) },
    });
  }
}
