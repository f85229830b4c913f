// hostile-input: names at their maximum length; pathPattern values with `..`, `/`, absolute
// paths, very long values, unicode; symlinks planted in the export (and inside volumes) pointing
// outside; bad class parameters; a claim without a size; a read-only and a full export (small
// tmpfs). Each refused claim must get a clear Warning event and a log line, the process must stay
// up, and nothing outside the export may change (the sentinel tree beside it).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProvisionerProcess } from '../../../harness/provisioner-process.ts';
import { mergeReports } from '../scenario.ts';
import type { Scenario, ScenarioContext } from '../scenario.ts';
import { inWorld } from '../scenario.ts';
import { eventsAbout, eventsFor, phaseOf, PROVISIONER_NAME } from '../world.ts';
import type { KubeObject } from '../../../harness/apiserver/index.ts';
import type { World } from '../world.ts';
import type { InvariantReport } from '../invariants.ts';
import { deleteAllClaims } from './common.ts';

const NS_MAX = `ns-${'x'.repeat(57)}-63`; // 63 characters, the DNS label limit
const NAME_MAX = `c${'.abcdefghi'.repeat(25)}.z`.slice(0, 252) + 'z'; // 253, the DNS subdomain limit

interface Refusal {
  namespace: string;
  name: string;
  /** Words the event message must contain (any of them). */
  mentions: string[];
}

/** Waits for a Warning ProvisioningFailed event and a warn/error log line about each claim. */
async function checkRefusals(world: World, p: ProvisionerProcess, refusals: readonly Refusal[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(refusals);
  while (pending.size > 0 && Date.now() < deadline) {
    // One list per round, not one per claim: these are API calls now.
    const claims = await world.claimsByKey();
    const eventLists = new Map<string, Promise<KubeObject[]>>();
    const eventsOf = async (r: Refusal): Promise<{ reason: string; message: string; type: string }[]> => {
      let list = eventLists.get(r.namespace);
      if (list === undefined) eventLists.set(r.namespace, (list = world.list('events', r.namespace)));
      return eventsAbout(await list, 'PersistentVolumeClaim', r.name);
    };
    for (const r of pending) {
      const claim = claims.get(`${r.namespace}/${r.name}`);
      if (claim && phaseOf(claim) === 'Bound') {
        pending.delete(r); // provisioned after all (an 'either' case); the invariants check it
        continue;
      }
      const ev = (await eventsOf(r)).find((e) => e.reason === 'ProvisioningFailed' && e.type === 'Warning');
      const logged = p.logs.some((l) => l.text.includes(r.name) && /"level":"(warn|error)"/.test(l.text));
      if (ev && logged) {
        if (r.mentions.length > 0 && !r.mentions.some((m) => ev.message.toLowerCase().includes(m.toLowerCase()))) {
          world.violation(`claim ${r.namespace}/${r.name}: event does not say why (wanted one of ${r.mentions.join(', ')}): "${ev.message}"`);
        }
        pending.delete(r);
      }
    }
    await sleep(250);
  }
  for (const r of pending) {
    const ev = (await eventsFor(world, r.namespace, 'PersistentVolumeClaim', r.name)).some((e) => e.reason === 'ProvisioningFailed');
    world.violation(`claim ${r.namespace}/${r.name}: ${ev ? 'no warn/error log line' : 'no ProvisioningFailed event'} within ${timeoutMs} ms`);
  }
}

function alive(world: World, p: ProvisionerProcess, what: string): void {
  if (!world.processes.has(p)) world.violation(`the provisioner exited (${what}): ${p.logs.slice(-3).map((l) => l.text).join(' | ')}`);
}

async function hostileNames(ctx: ScenarioContext): Promise<{ claims: number; report: InvariantReport; notes: string[] }> {
  return inWorld(ctx, {}, async (world) => {
    const api = world.api;
    await api.createClass('plain', PROVISIONER_NAME, { onDelete: 'delete' });
    await api.createClass('by-annotation', PROVISIONER_NAME, { pathPattern: '${.PVC.namespace}/${.PVC.annotations.path}', archiveOnDelete: 'true' });
    await api.createClass('by-label', PROVISIONER_NAME, { pathPattern: '${.PVC.labels.team}/${.PVC.name}', onDelete: 'delete' });
    await api.createClass('bad-archive', PROVISIONER_NAME, { archiveOnDelete: 'maybe' });
    await api.createClass('bad-mode', PROVISIONER_NAME, { mode: '999' });
    await api.createClass('bad-key', PROVISIONER_NAME, { colour: 'blue', archiveOnDelete: 'true' });
    for (const ns of ['hostile', NS_MAX, 'linked']) await api.createNamespace(ns);
    // Planted links: the export entry for namespace "linked" and one named like a pattern value.
    symlinkSync('../sentinel/sub', join(world.exportDir, 'linked'));
    mkdirSync(join(world.exportDir, 'hostile'));
    symlinkSync('../../sentinel', join(world.exportDir, 'hostile', 'evil-link'));
    symlinkSync('/etc', join(world.exportDir, 'hostile', 'abs-link'));

    const p = await world.provisioner();
    await p.waitReady(30_000);
    const refusals: Refusal[] = [];
    const either = async (namespace: string, name: string, className: string, extra: { labels?: Record<string, string>; annotations?: Record<string, string>; size?: string | null } = {}): Promise<void> => {
      const a = await world.createClaim({ namespace, name, className, ...extra }, 'either');
      if (a.status === 201) refusals.push({ namespace, name, mentions: [] });
      else world.notes.push(`API answered ${a.status} to ${namespace}/${name.slice(0, 40)}${name.length > 40 ? '…' : ''} (${describe(extra)})`);
    };

    // Maximum-length names: must be provisioned.
    for (const [ns, name] of [[NS_MAX, NAME_MAX], ['hostile', NAME_MAX], [NS_MAX, 'short']] as const) {
      const a = await world.createClaim({ namespace: ns, name, className: 'plain' });
      if (a.status !== 201) world.violation(`creating ${ns}/${name.slice(0, 20)}…: HTTP ${a.status}`);
    }
    const pathValues = ['..', '../..', '../sentinel', '../../etc', '/etc', '/tmp/escape', 'a/../../..', 'x'.repeat(5000), 'données/数据/🚀', '.', '', ' ', 'sub/./../..', 'evil-link', 'evil-link/inner', 'abs-link/x', 'ok/../../../sentinel/data.txt', '\u0000nul', 'line\nbreak'];
    for (const [i, v] of pathValues.entries()) await either('hostile', `ann-${i}`, 'by-annotation', { annotations: { path: v } });
    for (const [i, v] of ['a..b', 'y'.repeat(63), '..', 'a/b', '-x-'].entries()) await either('hostile', `label-${i}`, 'by-label', { labels: { team: v } });
    await either('linked', 'through-link', 'by-annotation', { annotations: { path: 'x' } });
    await either('hostile', 'no-size', 'plain', { size: null });
    for (const [cls, word] of [['bad-archive', 'archiveOnDelete'], ['bad-mode', 'mode'], ['bad-key', 'colour']] as const) {
      const a = await world.createClaim({ namespace: 'hostile', name: `param-${cls}`, className: cls }, 'refused');
      if (a.status === 201) refusals.push({ namespace: 'hostile', name: `param-${cls}`, mentions: [word] });
    }
    await world.waitAllBound(30_000);
    await checkRefusals(world, p, refusals, 20_000);
    alive(world, p, 'hostile names');

    // A tenant plants links to the outside inside its own volumes; reclaim must not follow them.
    await world.markBoundVolumes();
    await world.checkpoint('all Bound', 30_000);
    for (const pv of await world.ourVolumes()) {
      const dir = pv.metadata.annotations?.['nfs-provisioner.dev/directory'];
      if (dir === undefined) continue;
      try {
        symlinkSync(join(world.base, 'sentinel'), join(world.exportDir, dir, 'escape'));
        symlinkSync('../../../sentinel/data.txt', join(world.exportDir, dir, 'escape-file'));
      } catch {
        // the volume directory is not a plain directory: the invariants report it
      }
    }
    await deleteAllClaims(world);
    await world.waitReclaimed(30_000);
    alive(world, p, 'reclaim');
    const bound = [...world.expectations.entries()].filter(([, e]) => e === 'either').length;
    world.notes.push(`${refusals.length} hostile claims created, ${bound} of them allowed either outcome`);
    return { claims: world.created.size, recoveryLimitMs: 30_000 };
  });
}

function describe(extra: { labels?: Record<string, string>; annotations?: Record<string, string>; size?: string | null }): string {
  if (extra.size === null) return 'no size';
  return JSON.stringify(extra.labels ?? extra.annotations ?? {}).slice(0, 60);
}

function mountTmpfs(dir: string, options: string): void {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount -t tmpfs -o ${options}: ${r.stderr.trim()}`);
}

function remount(dir: string, mode: 'ro' | 'rw'): void {
  const r = spawnSync('mount', ['-o', `remount,${mode}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount -o remount,${mode}: ${r.stderr.trim()}`);
}

function unmount(dir: string): void {
  spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
}

/** The export turns read-only (or full) while the provisioner runs, then recovers. */
async function brokenExport(ctx: ScenarioContext, kind: 'read-only' | 'full'): Promise<{ claims: number; report: InvariantReport; notes: string[] }> {
  return inWorld(
    ctx,
    {
      prepareExport: (dir) => mountTmpfs(dir, kind === 'full' ? 'size=1m,nr_inodes=200' : 'size=4m'),
    },
    async (world) => {
      world.cleanups.push(() => unmount(world.exportDir));
      await world.api.createClass('plain', PROVISIONER_NAME, { onDelete: 'delete' });
      await world.api.createClass('archive', PROVISIONER_NAME, { archiveOnDelete: 'true' });
      await world.api.createNamespace('broken');
      const p = await world.provisioner();
      await p.waitReady(30_000);
      await world.createClaim({ namespace: 'broken', name: 'before', className: 'archive' });
      await world.waitAllBound(20_000);
      await world.markBoundVolumes();

      const fillers: string[] = [];
      if (kind === 'read-only') remount(world.exportDir, 'ro');
      else {
        // Fill the blocks, then the inodes.
        const big = join(world.exportDir, 'filler-blocks');
        const fd = openSync(big, 'w');
        const chunk = Buffer.alloc(64 * 1024, 1);
        try {
          for (;;) writeSync(fd, chunk);
        } catch {
          // ENOSPC: full
        } finally {
          closeSync(fd);
        }
        fillers.push(big);
        for (let i = 0; ; i++) {
          try {
            mkdirSync(join(world.exportDir, `.filler-${i}`));
            fillers.push(join(world.exportDir, `.filler-${i}`));
          } catch {
            break;
          }
        }
      }
      const brokenAt = Date.now();
      await world.createClaim({ namespace: 'broken', name: 'during', className: 'plain' }, 'either');
      await world.deleteClaim('broken', 'before');
      await checkRefusals(world, p, [{ namespace: 'broken', name: 'during', mentions: kind === 'read-only' ? ['read-only', 'EROFS'] : ['space', 'ENOSPC'] }], 20_000);
      if (kind === 'read-only') {
        // Reclaim of the archived volume cannot work either: a VolumeFailedDelete event on the PV
        // (cluster-scoped objects' events live in "default", as Kubernetes puts them).
        const pvName = (await world.ourVolumes()).find((pv) => (pv as { spec?: { claimRef?: { name?: string } } }).spec?.claimRef?.name === 'before')?.metadata.name;
        const failedDelete = async (): Promise<boolean> =>
          pvName !== undefined && (await eventsFor(world, 'default', 'PersistentVolume', pvName)).some((e) => e.reason === 'VolumeFailedDelete' && e.type === 'Warning');
        const deadline = Date.now() + 10_000;
        while (!(await failedDelete()) && Date.now() < deadline) await sleep(200);
        if (!(await failedDelete())) world.violation(`read-only export: no VolumeFailedDelete event on the released PV ${pvName ?? '(not found)'} within 10 s`);
      }
      alive(world, p, kind);
      if (kind === 'read-only') remount(world.exportDir, 'rw');
      else for (const f of fillers) rmSync(f, { recursive: true, force: true });
      const fixedAt = Date.now();
      world.expectations.set('broken/during', 'bound');
      await world.measureRecovery(p, fixedAt, 30_000);
      await world.waitAllBound(30_000);
      await world.waitReclaimed(30_000);
      world.notes.push(`${kind} export: broken for ${fixedAt - brokenAt} ms; claim Bound ${Date.now() - fixedAt} ms after the export was fixed`);
      await world.markBoundVolumes();
      await deleteAllClaims(world);
      await world.waitReclaimed(30_000);
      return { claims: 2, recoveryLimitMs: 30_000 };
    },
  );
}

export const hostileInput: Scenario = async (ctx) => {
  const started = Date.now();
  const parts = [await hostileNames(ctx)];
  let skipped: string | undefined;
  if (process.getuid?.() === 0) {
    parts.push(await brokenExport(ctx, 'read-only'));
    parts.push(await brokenExport(ctx, 'full'));
  } else {
    skipped = 'read-only/full export parts need root (mount -t tmpfs)';
  }
  return {
    runs: parts.length,
    claims: parts.reduce((n, p) => n + p.claims, 0),
    report: mergeReports(parts.map((p) => p.report)),
    notes: parts.flatMap((p) => p.notes),
    ...(skipped === undefined ? {} : { skipped }),
    durationMs: Date.now() - started,
  };
};
