// CPU time of whatever serves the API during a measured phase, beside the provisioner's: on the
// real control plane kube-apiserver, etcd and kube-controller-manager (each a process of its own,
// read from /proc/<pid>/stat: all its threads) and the bench itself (its client, watches and the
// audit-log reader); on the harness the bench's own process, which also hosts the API server and
// the stand-ins. Where the API server is the bottleneck, these figures show it.
import { readFileSync } from 'node:fs';
import type { Cluster } from '../harness/cluster.ts';
import { clockTicksPerSecond, parseStat } from './proc-stats.ts';
import { round } from './stats.ts';

const ticks = clockTicksPerSecond();

/** User + system CPU seconds of one process, or undefined when it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = parseStat(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
    return stat === undefined ? undefined : (stat.utime + stat.stime) / ticks;
  } catch {
    return undefined;
  }
}

function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export const HARNESS_PROCESS = 'harness (API server, stand-ins and bench in one process)';

/** Cumulative CPU seconds by process name, now. */
export function controlPlaneCpu(cluster: Cluster): Record<string, number> {
  if (cluster.controlPlane === undefined) return { [HARNESS_PROCESS]: ownCpuSeconds() };
  const out: Record<string, number> = {};
  for (const d of cluster.controlPlane.daemons) {
    const s = d.pid === undefined ? undefined : processCpuSeconds(d.pid);
    if (s !== undefined) out[d.name] = s;
  }
  out['bench'] = ownCpuSeconds();
  return out;
}

/** after - before per name, rounded to 10 ms. */
export function cpuDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(after)) out[name] = round(v - (before[name] ?? 0), 2);
  return out;
}
