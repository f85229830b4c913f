// usage: what the usage walker costs. --usage-volumes claims are provisioned (walker off) and
// --usage-files files written into their directories; a --usage-burst claim burst is timed with
// the walker off; then the provisioner restarts with USAGE_INTERVAL=1s, and the same burst is
// created as its first full pass starts. Reported: the pass's time and files/s (from its log
// line), the provisioner's CPU and peak RSS during it, claim -> PV of both bursts, and the usage
// annotation patches of the first pass (every volume is new: one each) and of the second (only
// the burst's volumes, new since the first; unchanged volumes are not written again).
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchOptions } from '../args.ts';
import { names } from '../pool.ts';
import { clockTicksPerSecond, sampleProcessGroup } from '../proc-stats.ts';
import { progress, say } from '../progress.ts';
import { emptyResult } from '../result.ts';
import type { ScenarioResult, UsageFigures } from '../result.ts';
import { logTail, probe, startSubject } from '../subject.ts';
import type { Subject, SubjectSpec } from '../subject.ts';
import { clusterInfo, NAMESPACE, startWorld } from '../world.ts';
import type { World } from '../world.ts';
import { countWhere, createClaims, hasPv, latencyFigures, percentiles, provisionerRequests, round } from './common.ts';

const FILES_PER_DIRECTORY = 100;

/** Claims created at once; resolves with their claim -> PV latencies once all have a PV. */
async function burst(world: World, subject: Subject, claimNames: string[], o: BenchOptions, errors: string[]): Promise<number[]> {
  await createClaims(world, claimNames, o.concurrency, errors);
  const ok = await world.tracker.until(() => countWhere(world, claimNames, hasPv(world)) === claimNames.length, o.timeoutSeconds * 1000, subject.proc.exited);
  if (!ok) throw new Error(`only ${countWhere(world, claimNames, hasPv(world))}/${claimNames.length} claims got a PV:\n${logTail(subject.proc)}`);
  return latencyFigures(world, claimNames).toPv;
}

/** `files` files in each volume directory (default pathPattern), FILES_PER_DIRECTORY per sub-directory, one with 64 KiB. */
function fillVolumes(world: World, volumeNames: readonly string[], total: number): number {
  let written = 0;
  const per = Math.floor(total / volumeNames.length);
  for (const [index, claim] of volumeNames.entries()) {
    const pv = world.tracker.claims.get(claim)?.pvName ?? '';
    const dir = join(world.exportDir, `${NAMESPACE}-${claim}-${pv}`);
    const files = per + (index < total % volumeNames.length ? 1 : 0);
    for (let f = 0; f < files; f++) {
      const sub = join(dir, `d${Math.floor(f / FILES_PER_DIRECTORY)}`);
      if (f % FILES_PER_DIRECTORY === 0) mkdirSync(sub);
      const path = join(sub, `f${f}`);
      if (f === 0) writeFileSync(path, Buffer.alloc(65_536, 1));
      else closeSync(openSync(path, 'w'));
      written += 1;
    }
  }
  return written;
}

function passLine(subject: Subject, after: number, timeoutMs: number): Promise<Record<string, unknown>> {
  return subject.proc
    .waitForLog((l) => l.json?.['message'] === 'usage pass finished' && l.at > after, timeoutMs)
    .then((l) => ({ ...l.json, at: l.at }));
}

export async function runUsage(o: BenchOptions, spec: SubjectSpec): Promise<ScenarioResult> {
  if (spec.command !== undefined) throw new Error('usage measures our usage walker; it has no meaning for --provisioner-cmd');
  const r = emptyResult('usage', spec.label, o.usageBurst, clusterInfo(o));
  const world = await startWorld(o, spec.rbacFile !== undefined ? { rbacFile: spec.rbacFile } : {});
  const errors: string[] = [];
  try {
    // 1. Volumes and their files.
    const volumeNames = names('vol', o.usageVolumes);
    let files: number;
    const seeder = await startSubject(world, { ...spec, env: { ...spec.env, USAGE_INTERVAL: '0' } });
    try {
      if ((await probe(world, seeder, 'probe')) === null) throw new Error(`no probe PV within 60 s:\n${logTail(seeder.proc)}`);
      const stop = progress('usage seed', () => `${countWhere(world, volumeNames, hasPv(world))}/${volumeNames.length} volumes`);
      try {
        await burst(world, seeder, volumeNames, o, errors);
      } finally {
        stop();
      }
      const t0 = performance.now();
      files = fillVolumes(world, volumeNames, o.usageFiles);
      say(`  usage: ${files} files written into ${volumeNames.length} volumes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      await seeder.stop();
    }
    // 2. The burst with the walker off, on a fresh process warmed by one claim (as in step 3).
    let walkerOff: number[];
    const off = await startSubject(world, { ...spec, env: { ...spec.env, USAGE_INTERVAL: '0' } });
    try {
      if ((await probe(world, off, 'warm-off')) === null) throw new Error(`no PV within 60 s:\n${logTail(off.proc)}`);
      walkerOff = await burst(world, off, names('off', o.usageBurst), o, errors);
    } finally {
      await off.stop();
    }

    // 3. The walker on: one claim to warm up, then the burst, both during its first full pass.
    const on = await startSubject(world, { ...spec, env: { ...spec.env, USAGE_INTERVAL: '1s' } });
    try {
      const started = await on.proc.waitForLog((l) => l.json?.['message'] === 'usage walker started', 60_000);
      const ticks = clockTicksPerSecond();
      const cpuAtStart = sampleProcessGroup(on.proc.pid, ticks).cpuSeconds;
      let rssPeak = 0;
      const sampler = setInterval(() => {
        rssPeak = Math.max(rssPeak, sampleProcessGroup(on.proc.pid, ticks).rssMiB);
      }, 100);
      const fromMs = Date.now();
      if ((await probe(world, on, 'warm-on')) === null) throw new Error(`no PV within 60 s:\n${logTail(on.proc)}`);
      let first: Record<string, unknown>;
      let cpuAtEnd: number;
      let during: number[];
      try {
        const pass = passLine(on, started.at - 1, o.timeoutSeconds * 1000);
        during = await burst(world, on, names('on', o.usageBurst), o, errors);
        first = await pass;
        cpuAtEnd = sampleProcessGroup(on.proc.pid, ticks).cpuSeconds;
      } finally {
        clearInterval(sampler);
      }
      const firstAt = Number(first['at']);
      const second = await passLine(on, firstAt, o.timeoutSeconds * 1000);
      const patches = (from: number, to: number): number => provisionerRequests(world, from, to).byKey['patch persistentvolumes'] ?? 0;
      const passSeconds = typeof first['seconds'] === 'number' ? first['seconds'] : null;
      const offP = percentiles(walkerOff);
      const duringP = percentiles(during);
      const usage: UsageFigures = {
        volumes: Number(first['volumes']),
        files: Number(first['files']),
        passSeconds,
        filesPerSecond: typeof first['filesPerSecond'] === 'number' ? first['filesPerSecond'] : null,
        cpuSecondsDuringPass: round(cpuAtEnd - cpuAtStart, 2),
        cpuCoresDuringPass: passSeconds !== null && passSeconds > 0 ? round((cpuAtEnd - cpuAtStart) / passSeconds, 2) : null,
        rssPeakMiBDuringPass: round(rssPeak, 1),
        burstClaims: o.usageBurst,
        burstWalkerOffMs: offP,
        burstDuringPassMs: duringP,
        burstP99Ratio: offP !== null && duringP !== null && offP.p99 > 0 ? round(duringP.p99 / offP.p99, 2) : null,
        annotationPatchesFirstPass: patches(fromMs, firstAt + 1),
        annotationPatchesSecondPass: patches(firstAt + 1, Number(second['at']) + 1),
      };
      r.usage = usage;
      r.completed = during.length;
      r.seconds = passSeconds;
      r.latencyMs = duringP;
      if (usage.files !== files) r.notes.push(`the pass counted ${usage.files} files, ${files} were written (plus none elsewhere expected)`);
      say(`  usage: pass ${String(passSeconds)} s, ${String(usage.filesPerSecond)} files/s; burst p99 ${String(offP?.p99)} -> ${String(duringP?.p99)} ms`);
    } finally {
      await on.stop();
    }
  } finally {
    r.notes.push(...errors, ...world.notes);
    await world.stop();
  }
  return r;
}
