// One result object per scenario (the JSON the bench prints) and the readable table for stderr.
import { loadavg } from 'node:os';
import type { ScenarioName } from './args.ts';
import type { Percentiles } from './stats.ts';
import type { ClusterInfo } from './world.ts';

/** The limit scenario's ceilings: what a bare client gets from this control plane. */
export interface BoundCeiling {
  seconds: number | null;
  claimsPerSecond: number | null;
  controlPlaneCpuSeconds: Record<string, number> | null;
}

export interface ReclaimCeiling {
  seconds: number | null;
  volumesPerSecond: number | null;
  /** The bare client's requests per volume (finalizer patch + delete, and retries). */
  requestsPerVolume: number | null;
  controlPlaneCpuSeconds: Record<string, number> | null;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  /** 'ours', the command, or --label. */
  provisioner: string;
  /** Where it was measured (the real control plane with its controller manager's settings, or the harness). */
  cluster: ClusterInfo | null;
  /** os.loadavg() (1, 5, 15 min) when the scenario started and ended: the machine is shared. */
  loadAverage: { start: number[]; end: number[] | null };
  /** Claims in the scenario (PVs for limit and scale). */
  claims: number;
  /** How many of them finished (all of them unless timedOut). */
  completed: number;
  timedOut: boolean;
  /** Wall time of the measured phase. */
  seconds: number | null;
  claimsPerSecond: number | null;
  /** Claim created -> PV created, from the bench's watch. */
  latencyMs: Percentiles | null;
  /** Claim created -> claim Bound. */
  latencyToBoundMs: Percentiles | null;
  /** The provisioner's own requests (not the bench's, not the controllers') per claim. */
  apiRequestsPerClaim: number | null;
  /** Same, by "verb resource[/subresource]". */
  apiRequestsByVerbResource: Record<string, number> | null;
  /** GET requests of the provisioner during the idle window after the work was done. */
  getsInSteadyState: number | null;
  /** Every request of the provisioner in that window, by "verb resource". */
  steadyStateRequests: Record<string, number> | null;
  steadyStateSeconds: number | null;
  /** Resident memory of the provisioner's process group at the end of the scenario. */
  rssMiB: number | null;
  rssPeakMiB: number | null;
  /** User + system CPU time of the provisioner's process group since it started. */
  cpuSeconds: number | null;
  /** The provisioner's CPU seconds during the measured phase (claims created or deleted, until done + 1 s). */
  phaseCpuSeconds: number | null;
  /** phaseCpuSeconds per completed claim (per volume for reclaim), in ms. */
  cpuMsPerClaim: number | null;
  /**
   * CPU seconds of the API server's side during the same phase: kube-apiserver, etcd,
   * kube-controller-manager and the bench on the real control plane; the bench's one process
   * (API server and stand-ins included) on the harness.
   */
  controlPlaneCpuSeconds: Record<string, number> | null;
  /** scale: spawn -> ready (/readyz for ours; else the first claim provisioned). */
  startupSeconds?: number | null;
  /** scale: spawn -> PV of a claim created at spawn time. */
  startupToFirstPvSeconds?: number | null;
  /** scale: the provisioner's requests from spawn until a second after it was ready, by "verb resource". */
  startupRequests?: Record<string, number>;
  /** scale: seconds the bench took to create the PVs and claims and have them all Bound. */
  seedSeconds?: number | null;
  /** scale: on an empty cluster. */
  rssIdleMiB?: number | null;
  cpuIdleSeconds?: number | null;
  /** hand-over: signal to the leader -> PV of a new claim made by the other replica. */
  handoverSeconds?: { sigterm: number | null; kill9: number | null };
  /** Client-side request latency (limit). */
  requestLatencyMs?: Percentiles | null;
  /**
   * limit: the same claims as a burst, each answered at once by the bare client with a pre-bound
   * PV (a provisioner that costs nothing); seconds until all are Bound. The ceiling a burst's
   * all-Bound time can approach on this cluster, binder included.
   */
  boundCeiling?: BoundCeiling;
  /**
   * limit: those claims deleted at once, and each PV, once the binder has released it, stripped of
   * the provisioner's finalizer and deleted by the bare client (what ours does, at no cost):
   * seconds until every PV is gone. The ceiling of the reclaim scenario.
   */
  reclaimCeiling?: ReclaimCeiling;
  /** usage: the walker's first full pass and a claim burst during it against one with the walker off. */
  usage?: UsageFigures;
  userAgents?: string[];
  /** The provisioner's failed requests in the measured phase, by "verb resource code". */
  apiErrors?: Record<string, number>;
  notes: string[];
}

export interface UsageFigures {
  volumes: number;
  files: number;
  passSeconds: number | null;
  filesPerSecond: number | null;
  /** The provisioner's CPU seconds (user + system) during the pass, and as cores (CPU s / pass s). */
  cpuSecondsDuringPass: number | null;
  cpuCoresDuringPass: number | null;
  rssPeakMiBDuringPass: number | null;
  burstClaims: number;
  /** Claim -> PV of the same burst, walker off and during the pass. */
  burstWalkerOffMs: Percentiles | null;
  burstDuringPassMs: Percentiles | null;
  /** p99 during the pass / p99 walker off. */
  burstP99Ratio: number | null;
  /** Usage annotation patches of PVs: the first pass (every volume new) and the second. */
  annotationPatchesFirstPass: number;
  annotationPatchesSecondPass: number | null;
}

export function emptyResult(scenario: ScenarioName, provisioner: string, claims: number, cluster: ClusterInfo | null = null): ScenarioResult {
  return {
    scenario,
    provisioner,
    cluster,
    loadAverage: { start: loadavg().map((v) => Math.round(v * 100) / 100), end: null },
    claims,
    completed: 0,
    timedOut: false,
    seconds: null,
    claimsPerSecond: null,
    latencyMs: null,
    latencyToBoundMs: null,
    apiRequestsPerClaim: null,
    apiRequestsByVerbResource: null,
    getsInSteadyState: null,
    steadyStateRequests: null,
    steadyStateSeconds: null,
    rssMiB: null,
    rssPeakMiB: null,
    cpuSeconds: null,
    phaseCpuSeconds: null,
    cpuMsPerClaim: null,
    controlPlaneCpuSeconds: null,
    notes: [],
  };
}

/** Records the load average at the end. */
export function finishResult(r: ScenarioResult): ScenarioResult {
  r.loadAverage.end = loadavg().map((v) => Math.round(v * 100) / 100);
  return r;
}

const fmt = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined ? '-' : v.toFixed(digits));

function extraColumn(r: ScenarioResult): string {
  const parts: string[] = [];
  if (r.startupSeconds !== undefined) parts.push(`startup ${fmt(r.startupSeconds, 2)}s`);
  if (r.startupToFirstPvSeconds !== undefined) parts.push(`first PV ${fmt(r.startupToFirstPvSeconds, 2)}s`);
  if (r.rssIdleMiB !== undefined) parts.push(`idle ${fmt(r.rssIdleMiB)}MiB`);
  if (r.handoverSeconds) parts.push(`SIGTERM ${fmt(r.handoverSeconds.sigterm, 2)}s kill-9 ${fmt(r.handoverSeconds.kill9, 2)}s`);
  if (r.requestLatencyMs) parts.push(`req p50 ${fmt(r.requestLatencyMs.p50)}ms`);
  if (r.usage) {
    const u = r.usage;
    parts.push(`pass ${fmt(u.passSeconds, 1)}s ${fmt(u.filesPerSecond, 0)} files/s CPU ${fmt(u.cpuCoresDuringPass, 2)} cores RSS ${fmt(u.rssPeakMiBDuringPass)}MiB`);
    parts.push(`burst p99 ${fmt(u.burstWalkerOffMs?.p99)} -> ${fmt(u.burstDuringPassMs?.p99)}ms (x${fmt(u.burstP99Ratio, 2)})`);
  }
  if (r.boundCeiling) parts.push(`all Bound with a free provisioner ${fmt(r.boundCeiling.seconds, 2)}s`);
  if (r.reclaimCeiling) parts.push(`reclaimed by a free provisioner ${fmt(r.reclaimCeiling.seconds, 2)}s`);
  if (r.cpuMsPerClaim !== null) parts.push(`${fmt(r.cpuMsPerClaim, 2)} CPU ms/claim`);
  const api = r.controlPlaneCpuSeconds?.['kube-apiserver'];
  if (api !== undefined) parts.push(`apiserver CPU ${fmt(api, 2)}s`);
  if (r.timedOut) parts.push('TIMED OUT');
  return parts.join(', ');
}

export function formatTable(results: readonly ScenarioResult[]): string {
  const header = ['scenario', 'provisioner', 'n', 'done', 'seconds', 'per s', 'to PV p50/p90/p99/max ms', 'to Bound p50/p99 ms', 'req/claim', 'idle GETs', 'RSS MiB', 'CPU s', 'other'];
  const rows = results.map((r) => [
    r.scenario,
    r.provisioner.length > 28 ? `${r.provisioner.slice(0, 25)}...` : r.provisioner,
    String(r.claims),
    String(r.completed),
    fmt(r.seconds, 2),
    fmt(r.claimsPerSecond),
    r.latencyMs ? `${fmt(r.latencyMs.p50)}/${fmt(r.latencyMs.p90)}/${fmt(r.latencyMs.p99)}/${fmt(r.latencyMs.max)}` : '-',
    r.latencyToBoundMs ? `${fmt(r.latencyToBoundMs.p50)}/${fmt(r.latencyToBoundMs.p99)}` : '-',
    fmt(r.apiRequestsPerClaim, 2),
    r.getsInSteadyState === null ? '-' : String(r.getsInSteadyState),
    fmt(r.rssMiB),
    fmt(r.cpuSeconds, 2),
    extraColumn(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
