// One scenario's world: a cluster (the real control plane or the harness, as the suite chose), a
// base directory holding the export and a sentinel tree beside it, the suite's API client (every
// read is a list through the API, so both kinds answer alike), a record of every PV ever created,
// provisioner children run as the cluster's provisioner identity with the suite's settings, the
// marked volumes, and the observation the invariants run on.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCluster } from '../../harness/cluster.ts';
import type { Cluster, ClusterKind, ProvisionerIdentity } from '../../harness/cluster.ts';
import type { KubeObject } from '../../harness/apiserver/index.ts';
import { makeControllerClients } from '../../harness/controllers/kube-clients.ts';
import { startProvisioner } from '../../harness/provisioner-process.ts';
import type { ProvisionerProcess, StartProvisionerOptions } from '../../harness/provisioner-process.ts';
import { archivedSiblings, exportDirectories, isRealDirectory, plantSentinel, readMarker, snapshotTree, writeMarker } from './fs-tree.ts';
import { checkInvariants } from './invariants.ts';
import type { ClaimObs, Expectation, Observation, OnDelete, PvCreation, TrackedObs, TreeSnapshot, Violation, VolumeObs } from './invariants.ts';
import { KubeRest, SUITE_USER_AGENT } from './kube-rest.ts';
import { PROVISIONED_BY, startPvRecord } from './pv-record.ts';
import type { PvRecord } from './pv-record.ts';
import type { Rng } from './rng.ts';

export const PROVISIONER_NAME = 'faults.nfs-provisioner.dev/nfs';
const DIRECTORY = 'nfs-provisioner.dev/directory';
const ON_DELETE = 'nfs-provisioner.dev/on-delete';
const EXPORT = 'nfs-provisioner.dev/export';

/** Settings that keep retries and hand-overs short enough for a test run. */
export const FAST_ENV: Record<string, string> = {
  RETRY_BASE_DELAY: '200ms',
  RETRY_MAX_DELAY: '3s',
  FS_TIMEOUT: '2s',
  LEADER_ELECTION_LEASE_DURATION: '4s',
  LEADER_ELECTION_RENEW_DEADLINE: '3s',
  LEADER_ELECTION_RETRY_PERIOD: '500ms',
  RESYNC_PERIOD: '30s',
};

export interface WorldOptions {
  cluster: ClusterKind;
  rng: Rng;
  /** local only: watch events the harness keeps per resource. */
  historySize?: number;
  verbose?: boolean;
  /** Names of further directories beside the export that are exports too (excluded from the sentinel). */
  otherExports?: string[];
  /** Called with the fresh (empty) export directory, e.g. to mount a small file system on it. */
  prepareExport?: (dir: string) => void;
  /**
   * Names of more exports the provisioner serves beside `default` (world.exportDir), each a
   * directory `export-<name>` beside it (world.moreExports). A PV's directory is looked for on the
   * export its annotation names; in observations it reads `@<name>/<dir>`, so two exports never
   * mix in the invariants.
   */
  moreExports?: string[];
}

interface Marked {
  claimKey: string;
  claimUid: string;
  pvName: string;
  directory: string;
  onDelete: OnDelete;
  marker: string;
}

export type ProvisionerOverrides = Partial<Pick<StartProvisionerOptions, 'leaderElection' | 'podName' | 'exportDir' | 'logLevel'>> & { env?: Record<string, string> };

export class World {
  readonly cluster: Cluster;
  /** Who the provisioner runs as, and its namespace (where its Lease lives). */
  readonly identity: ProvisionerIdentity;
  readonly api: KubeRest;
  readonly base: string;
  /** The export as the suite (and, unless a mount sits in between, the provisioner) sees it. */
  readonly exportDir: string;
  /** Further exports by name (see WorldOptions.moreExports). */
  readonly moreExports = new Map<string, string>();
  readonly rng: Rng;
  /** Expectation per claim key; a claim not listed is expected Bound. */
  readonly expectations = new Map<string, Expectation>();
  /** Every claim the scenario created (key -> uid). */
  readonly created = new Map<string, string>();
  readonly recoveriesMs: number[] = [];
  readonly extra: Violation[] = [];
  readonly notes: string[] = [];
  readonly processes = new Set<ProvisionerProcess>();
  /** Run (last first) by stop() after the processes end and before the directories go (unmounts). */
  readonly cleanups: (() => Promise<void> | void)[] = [];
  private readonly marked = new Map<string, Marked>();
  private readonly sentinelBefore: TreeSnapshot;
  private readonly excluded: string[];
  private readonly verbose: boolean;
  private readonly pvRecord: PvRecord;

  private constructor(cluster: Cluster, identity: ProvisionerIdentity, base: string, opts: WorldOptions) {
    this.cluster = cluster;
    this.identity = identity;
    this.api = new KubeRest(cluster.kubeconfigPath);
    this.base = base;
    this.exportDir = join(base, 'export');
    this.rng = opts.rng;
    this.verbose = opts.verbose ?? false;
    mkdirSync(this.exportDir);
    opts.prepareExport?.(this.exportDir);
    for (const name of opts.moreExports ?? []) {
      const dir = join(base, `export-${name}`);
      mkdirSync(dir);
      this.moreExports.set(name, dir);
    }
    plantSentinel(join(base, 'sentinel'));
    mkdirSync(join(base, 'etc'));
    this.excluded = ['export', ...(opts.otherExports ?? []), ...(opts.moreExports ?? []).map((name) => `export-${name}`)];
    this.sentinelBefore = snapshotTree(base, this.excluded);
    const { watch } = makeControllerClients(cluster.kubeconfigPath, SUITE_USER_AGENT);
    this.pvRecord = startPvRecord(this.api, watch, PROVISIONER_NAME, (err) => {
      if (this.verbose) process.stderr.write(`  [pv record] ${err instanceof Error ? err.message : String(err)}\n`);
    });
  }

  static async start(opts: WorldOptions): Promise<World> {
    // The shipped RBAC on both kinds: the provisioner's namespace (its Lease) is then the same.
    const cluster = await startCluster({ kind: opts.cluster, installRbac: true, ...(opts.cluster === 'local' ? { historySize: opts.historySize ?? 100_000 } : {}) });
    let base: string | undefined;
    try {
      const identity = await cluster.provisionerIdentity();
      base = mkdtempSync(join(tmpdir(), 'nfs-faults-'));
      const world = new World(cluster, identity, base, opts);
      // No provisioner runs before the record has listed: from then on its watch sees every PV.
      await world.pvRecord.started;
      return world;
    } catch (err: unknown) {
      await cluster.stop();
      if (base !== undefined) rmSync(base, { recursive: true, force: true });
      throw err;
    }
  }

  /** Every PV creation the record saw (see pv-record.ts). */
  get pvCreations(): readonly PvCreation[] {
    return this.pvRecord.creations;
  }

  /** The current objects of a resource (v1 of its group), from a list through the API. */
  async list(plural: string, namespace?: string, group = ''): Promise<KubeObject[]> {
    const prefix = group === '' ? '/api/v1' : `/apis/${group}/v1`;
    const path = namespace === undefined ? `${prefix}/${plural}` : `${prefix}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
    return (await this.api.list<KubeObject>(path)).items;
  }

  async claimsByKey(): Promise<Map<string, KubeObject>> {
    const m = new Map<string, KubeObject>();
    for (const c of await this.list('persistentvolumeclaims')) m.set(`${c.metadata.namespace ?? ''}/${c.metadata.name ?? ''}`, c);
    return m;
  }

  async ourVolumes(): Promise<KubeObject[]> {
    return (await this.list('persistentvolumes')).filter((pv) => pv.metadata.annotations?.[PROVISIONED_BY] === PROVISIONER_NAME);
  }

  /** The Leases in the provisioner's namespace (where leader election keeps its one). */
  leases(): Promise<KubeObject[]> {
    return this.list('leases', this.identity.namespace, 'coordination.k8s.io');
  }

  async provisioner(over: ProvisionerOverrides = {}): Promise<ProvisionerProcess> {
    const p = await startProvisioner({
      kubeconfigPath: this.identity.kubeconfigPath,
      exportDir: over.exportDir ?? this.exportDir,
      provisionerName: PROVISIONER_NAME,
      leaderElection: over.leaderElection ?? false,
      logLevel: over.logLevel ?? 'info',
      ...(over.podName === undefined ? {} : { podName: over.podName }),
      env: { ...FAST_ENV, POD_NAMESPACE: this.identity.namespace, ...over.env },
      maxLogLines: 20_000,
      ...(this.verbose ? { onLine: (l) => process.stderr.write(`  [provisioner] ${l.text}\n`) } : {}),
    });
    this.processes.add(p);
    void p.exited.then(() => this.processes.delete(p));
    return p;
  }

  /** Milliseconds until /readyz answers 200 (recorded as a recovery), -1 if not within limitMs. */
  async measureRecovery(p: ProvisionerProcess, since: number, limitMs: number): Promise<number> {
    try {
      await p.waitReady(limitMs);
      const ms = Date.now() - since;
      this.recoveriesMs.push(ms);
      return ms;
    } catch (err: unknown) {
      this.recoveriesMs.push(-1);
      this.notes.push(`not ready: ${err instanceof Error ? err.message.split('\n')[0] ?? '' : String(err)}`);
      return -1;
    }
  }

  /** Creates claims (answers other than 201 are returned, not thrown). */
  async createClaim(spec: Parameters<KubeRest['createClaim']>[0], expect: Expectation = 'bound'): Promise<{ status: number; body: unknown }> {
    const a = await this.api.createClaim(spec);
    if (a.status === 201) {
      const uid = (a.body as KubeObject).metadata.uid ?? '';
      const key = `${spec.namespace}/${spec.name}`;
      this.created.set(key, uid);
      this.expectations.set(key, expect);
    }
    return a;
  }

  async deleteClaim(namespace: string, name: string): Promise<void> {
    await this.api.deleteClaim(namespace, name);
  }

  /** Waits until every expected-Bound claim that exists is Bound (true) or the time is up (false). */
  async waitAllBound(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const claims = await this.claimsByKey();
      let pending = 0;
      for (const [key, uid] of this.created) {
        const c = claims.get(key);
        if (!c || c.metadata.uid !== uid) continue;
        if (this.expectations.get(key) !== 'bound') continue;
        if (phaseOf(c) !== 'Bound') pending++;
      }
      if (pending === 0) return true;
      if (Date.now() > deadline) {
        this.notes.push(`${pending} claims still not Bound after ${timeoutMs} ms`);
        return false;
      }
      await sleep(200);
    }
  }

  /**
   * Waits until no deleted claim is still terminating and none of our PVs points at a claim that
   * is gone. A deleted claim lingers with a deletionTimestamp until kube-controller-manager's
   * pvc-protection controller drops its kubernetes.io/pvc-protection finalizer; only then is its
   * PV released and reclaimed, so a claim merely still listed does not mean its PV may stay.
   */
  async waitReclaimed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const claims = [...(await this.claimsByKey()).values()];
      const terminating = claims.filter((c) => c.metadata.deletionTimestamp !== undefined).length;
      const live = new Set(claims.filter((c) => c.metadata.deletionTimestamp === undefined).map((c) => c.metadata.uid));
      const left = (await this.ourVolumes()).filter((pv) => !live.has(claimRefOf(pv)?.uid)).length;
      if (left === 0 && terminating === 0) return true;
      if (Date.now() > deadline) {
        this.notes.push(`${left} PVs of deleted claims and ${terminating} terminating claims still there after ${timeoutMs} ms`);
        return false;
      }
      await sleep(200);
    }
  }

  /** Writes a marker into the directory of every Bound claim not marked yet. */
  async markBoundVolumes(): Promise<number> {
    const claims = await this.claimsByKey();
    const volumes = new Map((await this.ourVolumes()).map((pv) => [pv.metadata.name, pv]));
    let n = 0;
    for (const [key, c] of claims) {
      if (this.marked.has(key) || phaseOf(c) !== 'Bound') continue;
      const pv = volumes.get(volumeNameOf(c));
      const dir = pv === undefined ? undefined : this.directoryOf(pv);
      const onDelete = pv?.metadata.annotations?.[ON_DELETE];
      if (!pv || dir === undefined || (onDelete !== 'archive' && onDelete !== 'delete' && onDelete !== 'retain')) continue;
      if (!isRealDirectory(this.absolute(dir))) continue; // reported by the invariants
      const marker = `${c.metadata.uid ?? ''} ${this.rng.next().toString(36)}\n`;
      writeMarker(this.absolute(dir), marker);
      this.marked.set(key, { claimKey: key, claimUid: c.metadata.uid ?? '', pvName: pv.metadata.name ?? '', directory: dir, onDelete, marker });
      n++;
    }
    return n;
  }

  /** A PV's directory as observations name it: `<dir>` on default, `@<export>/<dir>` on the others. */
  directoryOf(pv: KubeObject): string | undefined {
    const dir = pv.metadata.annotations?.[DIRECTORY];
    const exportName = pv.metadata.annotations?.[EXPORT] ?? 'default';
    if (dir === undefined) return undefined;
    return exportName === 'default' || !this.moreExports.has(exportName) ? dir : `@${exportName}/${dir}`;
  }

  /** The real path of an observed directory name. */
  absolute(directory: string): string {
    const match = /^@([^/]+)\/(.*)$/u.exec(directory);
    const base = match === null ? undefined : this.moreExports.get(match[1] ?? '');
    return base === undefined || match === null ? join(this.exportDir, directory) : join(base, match[2] ?? '');
  }

  async observe(recoveryLimitMs: number): Promise<Observation> {
    // Claims first: a claim Bound in this list has its PV in the next one.
    const claimsNow = await this.claimsByKey();
    const ourVolumes = await this.ourVolumes();
    const claims: ClaimObs[] = [];
    for (const [key, uid] of this.created) {
      const c = claimsNow.get(key);
      if (!c || c.metadata.uid !== uid) continue;
      const phase = phaseOf(c);
      const volumeName = volumeNameOf(c);
      claims.push({ key, uid, expect: this.expectations.get(key) ?? 'bound', ...(phase ? { phase } : {}), ...(volumeName ? { volumeName } : {}) });
    }
    const volumes: VolumeObs[] = ourVolumes.map((pv) => {
      const ref = claimRefOf(pv);
      const dir = this.directoryOf(pv);
      const phase = (pv as { status?: { phase?: string } }).status?.phase;
      return {
        name: pv.metadata.name ?? '',
        dirExists: dir !== undefined && isRealDirectory(this.absolute(dir)),
        ...(ref?.uid ? { claimUid: ref.uid } : {}),
        ...(ref ? { claimKey: `${ref.namespace ?? ''}/${ref.name ?? ''}` } : {}),
        ...(dir === undefined ? {} : { directory: dir }),
        ...(phase ? { phase } : {}),
      };
    });
    const liveUids = new Set([...claimsNow.values()].map((c) => c.metadata.uid));
    const tracked: TrackedObs[] = [...this.marked.values()].map((m) => {
      const abs = this.absolute(m.directory);
      const exists = isRealDirectory(abs);
      return {
        claimKey: m.claimKey,
        pvName: m.pvName,
        directory: m.directory,
        onDelete: m.onDelete,
        claimDeleted: !liveUids.has(m.claimUid),
        dir: { exists, markerIntact: exists && readMarker(abs) === m.marker },
        archivesWithMarker: archivedSiblings(abs).filter((a) => readMarker(a) === m.marker).length,
      };
    });
    return {
      claims,
      volumes,
      pvCreations: [...this.pvCreations],
      tracked,
      exportDirs: [
        ...exportDirectories(this.exportDir),
        ...[...this.moreExports].flatMap(([name, dir]) => exportDirectories(dir).map((d) => ({ ...d, path: `@${name}/${d.path}` }))),
      ],
      sentinelBefore: this.sentinelBefore,
      sentinelAfter: snapshotTree(this.base, this.excluded),
      recoveriesMs: [...this.recoveriesMs],
      recoveryLimitMs,
      extra: [...this.extra],
    };
  }

  /**
   * Checks the invariants now (e.g. while every claim is Bound, before the mass delete) and keeps
   * what they find: some states (two live PVs sharing a directory) are gone by the end.
   */
  async checkpoint(label: string, recoveryLimitMs: number): Promise<void> {
    const report = checkInvariants(await this.observe(recoveryLimitMs));
    const seen = new Set(this.extra.map((v) => v.message));
    for (const v of report.violations) {
      if (v.kind === 'scenario' || v.kind === 'not-recovered') continue; // already in extra / counted at the end
      const message = `[at ${label}] ${v.message}`;
      if (!seen.has(message)) this.extra.push({ kind: v.kind, message });
    }
  }

  violation(message: string): void {
    this.extra.push({ kind: 'scenario', message });
  }

  /** The record's relists after its first list, each a possible gap (see pv-record.ts). */
  pvRecordRelists(): number {
    return this.pvRecord.relists();
  }

  async stop(): Promise<void> {
    this.pvRecord.stop();
    await Promise.all([...this.processes].map((p) => p.stop('SIGKILL', 2000)));
    this.api.close();
    await this.cluster.stop();
    for (const c of this.cleanups.reverse()) await c();
    rmSync(this.base, { recursive: true, force: true });
  }
}

export function phaseOf(o: KubeObject): string | undefined {
  return (o as { status?: { phase?: string } }).status?.phase;
}

export function volumeNameOf(o: KubeObject): string {
  return (o as { spec?: { volumeName?: string } }).spec?.volumeName ?? '';
}

export function claimRefOf(o: KubeObject): { uid?: string; namespace?: string; name?: string } | undefined {
  return (o as { spec?: { claimRef?: { uid?: string; namespace?: string; name?: string } } }).spec?.claimRef;
}

/** Events on one object (by kind and name) in a namespace (cluster-scoped objects': "default"). */
export async function eventsFor(world: World, namespace: string, kind: string, name: string): Promise<{ reason: string; message: string; type: string }[]> {
  return eventsAbout(await world.list('events', namespace), kind, name);
}

/** The events of a list that are about one object (by kind and name). */
export function eventsAbout(events: readonly KubeObject[], kind: string, name: string): { reason: string; message: string; type: string }[] {
  return events
    .map((e) => e as { reason?: string; message?: string; type?: string; involvedObject?: { kind?: string; name?: string } })
    .filter((e) => e.involvedObject?.kind === kind && e.involvedObject.name === name)
    .map((e) => ({ reason: e.reason ?? '', message: e.message ?? '', type: e.type ?? '' }));
}
