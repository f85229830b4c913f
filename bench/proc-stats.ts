// RSS and CPU time of a process group, from /proc (the harness's provisioner child runs in its own
// group, so a shell or unshare wrapper and what it execs are all counted).
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface StatFields {
  pgrp: number;
  /** Clock ticks. */
  utime: number;
  stime: number;
}

/** Fields of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
export function parseStat(text: string): StatFields | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") ": state is field 3, so field k is at index k - 3.
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const pgrp = Number(rest[5 - 3]);
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  if (![pgrp, utime, stime].every(Number.isFinite)) return undefined;
  return { pgrp, utime, stime };
}

export interface MemoryFields {
  rssKiB: number;
  hwmKiB: number;
}

/** VmRSS and VmHWM of /proc/<pid>/status (absent for zombies: 0). */
export function parseStatus(text: string): MemoryFields {
  const kib = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m?.[1] ? Number(m[1]) : 0;
  };
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
}

export interface GroupSample {
  pids: number[];
  rssMiB: number;
  hwmMiB: number;
  cpuSeconds: number;
}

export function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

export function sampleProcessGroup(pgid: number, ticksPerSecond: number): GroupSample {
  const sample: GroupSample = { pids: [], rssMiB: 0, hwmMiB: 0, cpuSeconds: 0 };
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return sample;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = parseStat(readFileSync(`/proc/${e}/stat`, 'utf8'));
      if (stat?.pgrp !== pgid) continue;
      const mem = parseStatus(readFileSync(`/proc/${e}/status`, 'utf8'));
      sample.pids.push(Number(e));
      sample.rssMiB += mem.rssKiB / 1024;
      sample.hwmMiB += mem.hwmKiB / 1024;
      sample.cpuSeconds += (stat.utime + stat.stime) / ticksPerSecond;
    } catch {
      // the process ended between readdir and read
    }
  }
  return sample;
}

/** Samples a group every intervalMs and keeps the peak, so short spikes between reads still count via VmHWM. */
export class GroupSampler {
  private peak = 0;
  private last: GroupSample | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly pgid: number;
  private readonly ticks: number;

  constructor(pgid: number, ticks: number, intervalMs = 250) {
    this.pgid = pgid;
    this.ticks = ticks;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): GroupSample {
    const s = sampleProcessGroup(this.pgid, this.ticks);
    if (s.pids.length) {
      this.last = s;
      this.peak = Math.max(this.peak, s.rssMiB, s.hwmMiB);
    }
    return this.last ?? s;
  }

  get peakMiB(): number {
    return this.peak;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
