// export-freeze: one provisioner serves two exports; export A (default, behind a bindfs
// pass-through) is frozen with SIGSTOP while claims of export B are created. Figures: B's
// claim-to-PV latency (p50 / p99) during the freeze against the same with no freeze, and how soon
// after the thaw A's claims, created during the freeze, are all Bound. Meanwhile /healthz stays
// 200, /readyz stays 200 (B is usable) and names A's state, the process stays up; and a
// provisioner started while A is frozen (kill -9, then a new one, as a Deployment would) starts and
// serves B: a hung export at start is not a reason to stay down.
//
// Violations: a B claim not Bound while A is frozen; B's p99 during the freeze above its
// baseline p99 plus one FS_TIMEOUT plus a second (the one window a hung export can cost the others:
// until its slots are known stuck, claims of A hold workers up to FS_TIMEOUT); A's claims not all
// Bound within 15 s of the thaw; /readyz not 200 or not naming the hung export.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { localApiServer } from '../../../harness/cluster.ts';
import { availability, startPassThroughMount } from '../../../harness/nfs/index.ts';
import { parseGoDuration } from '../../../lib/config.ts';
import { inParallel } from '../kube-rest.ts';
import { inWorld } from '../scenario.ts';
import type { Scenario } from '../scenario.ts';
import { FAST_ENV, PROVISIONER_NAME } from '../world.ts';
import type { World } from '../world.ts';
import { deleteAllClaims } from './common.ts';

const CLASS_A = 'freeze-a';
const CLASS_B = 'freeze-b';

/** The p-th percentile (0..1) of values, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

/** Claim-to-PV times: created (API answer) -> its PV appears in the API server's store. */
class Latencies {
  readonly #created = new Map<string, number>();
  readonly #pv = new Map<string, number>();
  readonly #unsubscribe: () => void;

  constructor(world: World) {
    const pvType = localApiServer(world.cluster).registry.get('', 'v1', 'persistentvolumes');
    if (!pvType) throw new Error('the harness has no persistentvolumes resource');
    this.#unsubscribe = localApiServer(world.cluster).store.subscribe(pvType, (ev) => {
      const uid = (ev.object as { spec?: { claimRef?: { uid?: string } } }).spec?.claimRef?.uid;
      if (ev.type === 'ADDED' && uid !== undefined && !this.#pv.has(uid)) this.#pv.set(uid, performance.now());
    });
  }

  async create(world: World, namespace: string, count: number, className: string, prefix: string): Promise<string[]> {
    await world.api.createNamespace(namespace);
    const uids: string[] = [];
    await inParallel(Array.from({ length: count }, (_, i) => `${prefix}-${i}`), 16, async (name) => {
      const answer = await world.createClaim({ namespace, name, className });
      if (answer.status !== 201) throw new Error(`creating claim ${namespace}/${name}: HTTP ${answer.status}`);
      const uid = (answer.body as { metadata?: { uid?: string } }).metadata?.uid ?? '';
      this.#created.set(uid, performance.now());
      uids.push(uid);
    });
    return uids;
  }

  /** Milliseconds from each claim's creation to its PV; claims without a PV yet are left out. */
  of(uids: readonly string[]): number[] {
    return uids.flatMap((uid) => {
      const created = this.#created.get(uid);
      const pv = this.#pv.get(uid);
      return created === undefined || pv === undefined ? [] : [pv - created];
    });
  }

  stop(): void {
    this.#unsubscribe();
  }
}

async function readyz(url: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
    return { status: res.status, body: await res.text() };
  } catch (error: unknown) {
    return { status: 0, body: error instanceof Error ? error.message : String(error) };
  }
}

async function allBound(world: World, uids: readonly string[], timeoutMs: number): Promise<boolean> {
  const wanted = new Set(uids);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let pending = 0;
    for (const c of (await world.claimsByKey()).values()) {
      if (wanted.has(c.metadata.uid ?? '') && (c as { status?: { phase?: string } }).status?.phase !== 'Bound') pending++;
    }
    if (pending === 0) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

const ms = (n: number): string => `${Math.round(n)} ms`;

export const exportFreeze: Scenario = async (ctx) => {
  const started = Date.now();
  const a = availability({ need: 'hung-mount' });
  if (!a.ok) {
    if (process.env.CI === 'true') throw new Error(`${a.message} (CI=true: the export-freeze scenario must run)`);
    return { runs: 0, claims: 0, report: { violations: [], lostVolumes: 0, doubleProvisions: 0, writesOutside: 0, dataLost: 0, leftovers: 0, worstRecoveryMs: 0 }, notes: [a.message], skipped: a.message, durationMs: 0 };
  }
  const full = ctx.mode === 'full';
  const freezeMs = full ? 60_000 : 12_000;
  const claimsB = full ? 200 : 40;
  const claimsA = full ? 20 : 5;
  const fsTimeoutMs = parseGoDuration(FAST_ENV['FS_TIMEOUT'] ?? '2s') ?? 2000;
  const recoveryLimitMs = 30_000;
  const thawLimitMs = 15_000;
  const run = await inWorld(ctx, { otherExports: ['mount'], moreExports: ['b'] }, async (world) => {
    const exportB = world.moreExports.get('b') ?? '';
    const target = join(world.base, 'mount');
    mkdirSync(target);
    const mount = await startPassThroughMount({ source: world.exportDir, target });
    world.cleanups.push(() => mount.stop());
    // The exports file lives outside the world's base, whose every byte is checked.
    const etc = mkdtempSync(join(tmpdir(), 'nfs-faults-exports-'));
    world.cleanups.push(() => rmSync(etc, { recursive: true, force: true }));
    const exportsFile = join(etc, 'exports.yaml');
    writeFileSync(exportsFile, `exports:\n  - name: b\n    server: 127.0.0.1\n    path: ${exportB}\n    mountPath: ${exportB}\n`);
    await world.api.createClass(CLASS_A, PROVISIONER_NAME, { archiveOnDelete: 'true' });
    await world.api.createClass(CLASS_B, PROVISIONER_NAME, { export: 'b', onDelete: 'delete' });
    const over = { exportDir: target, env: { NFS_EXPORTS_FILE: exportsFile } };
    const first = await world.provisioner(over);
    await first.waitReady(recoveryLimitMs);
    const latencies = new Latencies(world);
    world.cleanups.push(() => latencies.stop());

    ctx.log(`export-freeze: baseline, ${claimsB} claims of export b, nothing frozen`);
    const baselineUids = await latencies.create(world, 'baseline-b', claimsB, CLASS_B, 'b');
    if (!(await allBound(world, baselineUids, 60_000))) world.violation('baseline: claims of export b not all Bound within 60 s');
    const baseline = latencies.of(baselineUids);

    ctx.log(`export-freeze: export a (default) frozen for ${freezeMs / 1000} s; ${claimsA} claims of a, then ${claimsB} of b`);
    mount.hang();
    const frozenAt = Date.now();
    const uidsA = await latencies.create(world, 'frozen-a', claimsA, CLASS_A, 'a');
    const uidsB = await latencies.create(world, 'frozen-b', claimsB, CLASS_B, 'b');
    const bBound = await allBound(world, uidsB, Math.max(5000, freezeMs - (Date.now() - frozenAt) - 1000));
    if (!bBound) world.violation(`claims of export b not all Bound while export a was frozen (${latencies.of(uidsB).length} of ${claimsB} got a PV)`);
    const during = latencies.of(uidsB);

    // Restart while A is still frozen: the new process must start, be ready, and serve B.
    first.kill();
    await first.exited;
    const restartedAt = Date.now();
    const p = await world.provisioner(over);
    const readyAfterMs = await world.measureRecovery(p, restartedAt, recoveryLimitMs);
    if (readyAfterMs < 0) world.violation('a provisioner started while export a was frozen did not become ready');
    const afterRestart = await latencies.create(world, 'restarted-b', 10, CLASS_B, 'r');
    if (!(await allBound(world, afterRestart, 20_000))) world.violation('claims of export b not Bound by the provisioner started while export a was frozen');
    let notReady = 0;
    let named = false;
    let healthzBad = 0;
    while (Date.now() - frozenAt < freezeMs) {
      const r = await readyz(p.httpUrl);
      if (r.status !== 200) notReady++;
      if (/\[!\]export:default degraded: hung/u.test(r.body)) named = true;
      const h = await fetch(`${p.httpUrl}/healthz`, { signal: AbortSignal.timeout(3000) }).then((res) => res.status, () => 0);
      if (h !== 200) healthzBad++;
      await sleep(500);
    }
    if (notReady > 0) world.violation(`/readyz was not 200 ${notReady} times while only export a was frozen`);
    if (!named) world.violation('/readyz never named export "default" as hung while it was frozen');
    if (healthzBad > 0) world.violation(`/healthz did not answer 200 ${healthzBad} times`);
    const pendingA = uidsA.length - latencies.of(uidsA).length;
    if (pendingA !== uidsA.length) world.violation(`${uidsA.length - pendingA} claims of the frozen export got a PV while it was frozen`);

    mount.resume();
    const thawedAt = Date.now();
    const aBound = await allBound(world, uidsA, thawLimitMs);
    const thawToBound = Date.now() - thawedAt;
    if (!aBound) world.violation(`claims of export a not all Bound within ${thawLimitMs} ms of the thaw`);
    if (!world.processes.has(p)) world.violation('the provisioner exited during the freeze');

    const [b50, b99, d50, d99] = [percentile(baseline, 0.5), percentile(baseline, 0.99), percentile(during, 0.5), percentile(during, 0.99)];
    const limit = b99 + fsTimeoutMs + 1000;
    if (!(d99 <= limit)) world.violation(`export b's p99 claim-to-PV during the freeze is ${ms(d99)}, over its baseline p99 ${ms(b99)} + FS_TIMEOUT ${ms(fsTimeoutMs)} + 1 s`);
    world.notes.push(
      `export b claim-to-PV, ${claimsB} claims: no freeze p50 ${ms(b50)} / p99 ${ms(b99)}; export a frozen p50 ${ms(d50)} / p99 ${ms(d99)} (FS_TIMEOUT ${FAST_ENV['FS_TIMEOUT'] ?? '?'})`,
      `export a: ${claimsA} claims made during the ${freezeMs / 1000} s freeze, all Bound ${ms(thawToBound)} after the thaw`,
    );
    ctx.log(world.notes.slice(-2).join('\n'));

    await world.measureRecovery(p, thawedAt, recoveryLimitMs);
    await world.markBoundVolumes();
    await world.checkpoint('after thaw', recoveryLimitMs);
    await deleteAllClaims(world);
    await world.waitReclaimed(60_000);
    world.notes.push(`restarted (kill -9) during the freeze: ready after ${readyAfterMs} ms, export b served`);
    return { claims: 2 * claimsB + claimsA + 10, recoveryLimitMs };
  });
  return { runs: 1, claims: run.claims, report: run.report, notes: run.notes, durationMs: Date.now() - started };
};
