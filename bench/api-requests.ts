// The provisioner's own requests from the cluster's request log. On the real control plane: every
// request its ServiceAccount made (the audit log names the user; World.isSubjectRequest). On the
// harness, whose log has no users: every request whose User-Agent is neither the bench's nor the
// control-plane stand-ins'. Both work for any provisioner binary (ours sends
// nfs-provisioner-ts/<version>; client-go sends <binary>/<version> (os/arch) kubernetes/<commit>)
// without knowing its User-Agent up front.
import type { RequestEntry } from '../harness/apiserver/index.ts';
import { CONTROLLER_USER_AGENT } from '../harness/controllers/index.ts';

/** The bench's User-Agent (and the prefix of its helpers'). */
export const BENCH_USER_AGENT = 'nfs-bench';

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
  /** Failed requests by "verb resource code" (a 403 names a permission the RBAC lacks). */
  errors: Record<string, number>;
  userAgents: string[];
}

/** Requests that arrived in [fromMs, toMs) (Date.now() clock, as the log records). */
export function summarize(entries: readonly RequestEntry[], fromMs: number, toMs: number, isSubject: (e: RequestEntry) => boolean = isProvisionerRequest): RequestSummary {
  const byKey: Record<string, number> = {};
  const agents = new Set<string>();
  const errors: Record<string, number> = {};
  let total = 0;
  let gets = 0;
  for (const e of entries) {
    if (e.time < fromMs || e.time >= toMs || !isSubject(e)) continue;
    total++;
    if (e.verb === 'get') gets++;
    const k = requestKey(e);
    byKey[k] = (byKey[k] ?? 0) + 1;
    if (e.code >= 400) errors[`${k} ${String(e.code)}`] = (errors[`${k} ${String(e.code)}`] ?? 0) + 1;
    agents.add(e.userAgent);
  }
  const sorted: Record<string, number> = {};
  for (const k of Object.keys(byKey).sort()) sorted[k] = byKey[k] ?? 0;
  return { total, byKey: sorted, gets, errors, userAgents: [...agents].sort() };
}

export function perClaim(byKey: Record<string, number>, claims: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(byKey)) out[k] = Math.round((v / claims) * 1000) / 1000;
  return out;
}
