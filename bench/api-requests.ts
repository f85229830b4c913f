// The provisioner's own requests from the harness's request log: every request in a time window
// whose User-Agent is neither the bench's nor the control-plane stand-ins'. That works for any
// provisioner binary (ours sends nfs-provisioner-ts/<version>; client-go sends
// <binary>/<version> (os/arch) kubernetes/<commit>) without knowing its User-Agent up front.
import type { RequestEntry } from '../harness/apiserver/index.ts';
import { CONTROLLER_USER_AGENT } from '../harness/controllers/index.ts';
import { BENCH_USER_AGENT } from './world.ts';

export function isProvisionerRequest(e: RequestEntry): boolean {
  return !e.userAgent.startsWith(BENCH_USER_AGENT) && !e.userAgent.includes(CONTROLLER_USER_AGENT);
}

/** "verb resource[/subresource]" for resource requests, "method path" for the rest (discovery, /version). */
export function requestKey(e: RequestEntry): string {
  if (!e.resource) return `${e.verb} ${e.path.split('?')[0] ?? e.path}`;
  return `${e.verb} ${e.resource}${e.subresource ? `/${e.subresource}` : ''}`;
}

export interface RequestSummary {
  total: number;
  byKey: Record<string, number>;
  gets: number;
  userAgents: string[];
}

/** Requests that arrived in [fromMs, toMs) (Date.now() clock, as the log records). */
export function summarize(entries: readonly RequestEntry[], fromMs: number, toMs: number): RequestSummary {
  const byKey: Record<string, number> = {};
  const agents = new Set<string>();
  let total = 0;
  let gets = 0;
  for (const e of entries) {
    if (e.time < fromMs || e.time >= toMs || !isProvisionerRequest(e)) continue;
    total++;
    if (e.verb === 'get') gets++;
    const k = requestKey(e);
    byKey[k] = (byKey[k] ?? 0) + 1;
    agents.add(e.userAgent);
  }
  const sorted: Record<string, number> = {};
  for (const k of Object.keys(byKey).sort()) sorted[k] = byKey[k] ?? 0;
  return { total, byKey: sorted, gets, userAgents: [...agents].sort() };
}

export function perClaim(byKey: Record<string, number>, claims: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(byKey)) out[k] = Math.round((v / claims) * 1000) / 1000;
  return out;
}
