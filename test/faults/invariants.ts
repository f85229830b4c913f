// The invariants every scenario ends with, as one pure function over what was observed (claims,
// PVs, every PV ever created, the marked volumes, the export's directories, the sentinel tree
// before and after, recovery times). The observing is done elsewhere (observe.ts), so this part is
// unit-tested with plain objects.
import { posix } from 'node:path';

export type Expectation = 'bound' | 'refused' | 'either';
export type OnDelete = 'archive' | 'delete' | 'retain';

export interface ClaimObs {
  /** namespace/name */
  key: string;
  uid: string;
  phase?: string;
  volumeName?: string;
  expect: Expectation;
}

/** A PV provisioned by us (pv.kubernetes.io/provisioned-by = our name). */
export interface VolumeObs {
  name: string;
  claimUid?: string;
  claimKey?: string;
  /** Directory relative to the export, from the nfs-provisioner.dev/directory annotation. */
  directory?: string;
  dirExists: boolean;
  phase?: string;
}

export interface PvCreation {
  pvName: string;
  claimUid: string;
}

/** A volume whose directory got a marker file after it was bound. */
export interface TrackedObs {
  claimKey: string;
  pvName: string;
  directory: string;
  onDelete: OnDelete;
  claimDeleted: boolean;
  /** The directory itself: present, and the marker in it intact. */
  dir: { exists: boolean; markerIntact: boolean };
  /** archived-* siblings of the directory that hold this volume's marker intact. */
  archivesWithMarker: number;
}

/** path -> one-line description (type, mode, size, hash or link target). */
export type TreeSnapshot = ReadonlyMap<string, string>;

export interface Observation {
  claims: ClaimObs[];
  volumes: VolumeObs[];
  pvCreations: PvCreation[];
  tracked: TrackedObs[];
  /** Every directory in the export, relative, with whether it holds anything that is not a directory. */
  exportDirs: { path: string; hasFiles: boolean }[];
  sentinelBefore: TreeSnapshot;
  sentinelAfter: TreeSnapshot;
  /** Milliseconds from the end of each disruption until /readyz answered 200 again (-1: never). */
  recoveriesMs: number[];
  recoveryLimitMs: number;
  /** Violations the scenario found itself (events, health endpoints, lease). */
  extra: Violation[];
}

export type ViolationKind =
  | 'lost-volume'
  | 'double-provision'
  | 'shared-directory'
  | 'write-outside'
  | 'data-lost'
  | 'leftover'
  | 'not-recovered'
  | 'scenario';

export interface Violation {
  kind: ViolationKind;
  message: string;
}

export interface InvariantReport {
  violations: Violation[];
  lostVolumes: number;
  doubleProvisions: number;
  writesOutside: number;
  dataLost: number;
  leftovers: number;
  worstRecoveryMs: number;
}

const norm = (p: string): string => posix.normalize(p).replace(/\/+$/, '');
const isWithin = (inner: string, outer: string): boolean => inner === outer || inner.startsWith(`${outer}/`);

export function diffTrees(before: TreeSnapshot, after: TreeSnapshot): string[] {
  const out: string[] = [];
  for (const [path, desc] of before) {
    const now = after.get(path);
    if (now === undefined) out.push(`removed ${path} (${desc})`);
    else if (now !== desc) out.push(`changed ${path}: ${desc} -> ${now}`);
  }
  for (const [path, desc] of after) if (!before.has(path)) out.push(`created ${path} (${desc})`);
  return out;
}

/**
 * Directories in the export that no live PV, no retained or archived volume and no ancestor of
 * one accounts for. Empty directories that only ever held volumes (the parents a nested
 * pathPattern made) are tolerated: the Go project leaves them too and they hold no data.
 */
export function findLeftovers(exportDirs: Observation['exportDirs'], volumeDirs: readonly string[], ancestorsOf: readonly string[]): string[] {
  const volumes = volumeDirs.map(norm);
  const ancestors = new Set<string>();
  for (const d of [...volumes, ...ancestorsOf.map(norm)]) {
    let p = posix.dirname(d);
    while (p !== '.' && p !== '/' && p !== '') {
      ancestors.add(p);
      p = posix.dirname(p);
    }
  }
  const out: string[] = [];
  const reported: string[] = [];
  const sorted = [...exportDirs].map((d) => ({ p: norm(d.path), hasFiles: d.hasFiles })).sort((a, b) => (a.p < b.p ? -1 : a.p > b.p ? 1 : 0));
  for (const { p, hasFiles } of sorted) {
    if (volumes.some((v) => isWithin(p, v))) continue;
    if (ancestors.has(p)) {
      if (hasFiles) out.push(`${p} (a parent of volumes, holding files)`);
      continue;
    }
    // A directory below an unaccounted one is reported with its parent only.
    if (reported.some((r) => isWithin(p, r))) continue;
    reported.push(p);
    out.push(p);
  }
  return out;
}

export function checkInvariants(obs: Observation): InvariantReport {
  const v: Violation[] = [...obs.extra];
  const add = (kind: ViolationKind, message: string): void => {
    v.push({ kind, message });
  };
  const volumesByName = new Map(obs.volumes.map((pv) => [pv.name, pv]));
  const volumesByClaim = new Map<string, VolumeObs[]>();
  for (const pv of obs.volumes) {
    if (pv.claimUid === undefined) continue;
    const list = volumesByClaim.get(pv.claimUid) ?? [];
    list.push(pv);
    volumesByClaim.set(pv.claimUid, list);
  }

  // Every claim that still exists is Bound to exactly one PV of ours (or refused, when it should be).
  for (const c of obs.claims) {
    const mine = volumesByClaim.get(c.uid) ?? [];
    if (mine.length > 1) add('double-provision', `claim ${c.key} has ${mine.length} PVs: ${mine.map((p) => p.name).join(', ')}`);
    if (c.expect === 'refused') {
      if (c.phase === 'Bound' || mine.length > 0) add('scenario', `claim ${c.key} should have been refused but got PV ${mine[0]?.name ?? c.volumeName ?? '?'}`);
      continue;
    }
    const bound = c.phase === 'Bound' && c.volumeName !== undefined;
    if (!bound) {
      if (c.expect === 'bound') add('lost-volume', `claim ${c.key} is ${c.phase ?? 'without phase'}, not Bound`);
      continue;
    }
    const pv = c.volumeName === undefined ? undefined : volumesByName.get(c.volumeName);
    if (!pv) add('lost-volume', `claim ${c.key} is Bound to ${c.volumeName ?? '?'}, which is not a PV of ours`);
    else if (pv.claimUid !== c.uid) add('lost-volume', `claim ${c.key} is Bound to ${pv.name}, whose claimRef is ${pv.claimKey ?? '?'} (uid ${pv.claimUid ?? '?'})`);
  }

  // Every PV's directory exists; no two PVs share (or nest in) a directory.
  const dirs: { dir: string; pv: string }[] = [];
  for (const pv of obs.volumes) {
    if (pv.directory === undefined) {
      add('lost-volume', `PV ${pv.name} records no directory`);
      continue;
    }
    const d = norm(pv.directory);
    if (d === '' || d === '.' || d.startsWith('/') || d === '..' || d.startsWith('../')) {
      add('write-outside', `PV ${pv.name} records directory "${pv.directory}", which is not inside the export`);
      continue;
    }
    if (!pv.dirExists) add('lost-volume', `PV ${pv.name} (${pv.phase ?? '?'}): directory ${pv.directory} does not exist`);
    dirs.push({ dir: norm(pv.directory), pv: pv.name });
  }
  const byDir = new Map<string, string[]>();
  for (const { dir, pv } of dirs) byDir.set(dir, [...(byDir.get(dir) ?? []), pv]);
  for (const [dir, pvs] of byDir) {
    if (pvs.length > 1) add('shared-directory', `PVs ${pvs.join(', ')} share directory ${dir}`);
    for (let up = posix.dirname(dir); up !== '.' && up !== '/' && up !== ''; up = posix.dirname(up)) {
      const outer = byDir.get(up);
      if (outer) add('shared-directory', `PV ${pvs.join(', ')} (directory ${dir}) nests inside PV ${outer.join(', ')} (directory ${up})`);
    }
  }

  // No claim ever got two different PVs (an AlreadyExists retry of the same PV is fine).
  const created = new Map<string, Set<string>>();
  for (const { pvName, claimUid } of obs.pvCreations) {
    const s = created.get(claimUid) ?? new Set<string>();
    s.add(pvName);
    created.set(claimUid, s);
  }
  for (const [uid, names] of created) {
    if (names.size > 1) add('double-provision', `claim uid ${uid} was provisioned ${names.size} times: ${[...names].join(', ')}`);
  }

  // Marked volumes: data intact while bound; after delete, exactly what the class says.
  for (const t of obs.tracked) {
    const where = `${t.claimKey} (${t.pvName}, ${t.directory}, onDelete ${t.onDelete})`;
    if (!t.claimDeleted) {
      if (!t.dir.exists) add('lost-volume', `${where}: directory gone while the claim exists`);
      else if (!t.dir.markerIntact) add('data-lost', `${where}: marker file missing or changed`);
      continue;
    }
    if (volumesByName.has(t.pvName)) add('leftover', `${where}: PV still exists after the claim was deleted`);
    if (t.onDelete === 'retain') {
      if (!t.dir.exists || !t.dir.markerIntact) add('data-lost', `${where}: retained directory ${t.dir.exists ? 'lost its marker' : 'is gone'}`);
      if (t.archivesWithMarker > 0) add('scenario', `${where}: retained volume was also archived`);
    } else if (t.onDelete === 'archive') {
      if (t.archivesWithMarker === 0 && t.dir.exists && t.dir.markerIntact) add('leftover', `${where}: not archived, directory left in place`);
      else if (t.archivesWithMarker === 0) add('data-lost', `${where}: no archived-* directory (nor the original) holds the marker intact`);
      else if (t.dir.exists) add('leftover', `${where}: directory still there beside its archive`);
      if (t.archivesWithMarker > 1) add('scenario', `${where}: archived ${t.archivesWithMarker} times`);
    } else {
      if (t.dir.exists) add('leftover', `${where}: directory still there after delete`);
      if (t.archivesWithMarker > 0) add('scenario', `${where}: deleted volume was archived instead`);
    }
  }

  // Nothing left behind in the export that nothing accounts for.
  const kept: string[] = obs.volumes.flatMap((pv) => (pv.directory === undefined ? [] : [pv.directory]));
  for (const t of obs.tracked) {
    if (t.claimDeleted && t.onDelete === 'retain') kept.push(t.directory);
    if (t.claimDeleted && t.onDelete === 'archive') {
      // archived-* siblings are what the class asked for.
      const parent = posix.dirname(norm(t.directory));
      for (const d of obs.exportDirs) {
        const p = norm(d.path);
        if (posix.dirname(p) === parent && posix.basename(p).startsWith('archived-')) kept.push(p);
      }
    }
  }
  const deletedParents = obs.tracked.filter((t) => t.claimDeleted).map((t) => t.directory);
  for (const l of findLeftovers(obs.exportDirs, kept, deletedParents)) add('leftover', `export directory nobody accounts for: ${l}`);

  for (const d of diffTrees(obs.sentinelBefore, obs.sentinelAfter)) add('write-outside', `outside the export: ${d}`);

  let worst = 0;
  for (const ms of obs.recoveriesMs) {
    if (ms < 0) {
      add('not-recovered', `provisioner not ready again within ${obs.recoveryLimitMs} ms`);
      worst = Math.max(worst, obs.recoveryLimitMs);
    } else {
      worst = Math.max(worst, ms);
      if (ms > obs.recoveryLimitMs) add('not-recovered', `ready again only after ${ms} ms (limit ${obs.recoveryLimitMs} ms)`);
    }
  }

  const count = (...kinds: ViolationKind[]): number => v.filter((x) => kinds.includes(x.kind)).length;
  return {
    violations: v,
    lostVolumes: count('lost-volume'),
    doubleProvisions: count('double-provision', 'shared-directory'),
    writesOutside: count('write-outside'),
    dataLost: count('data-lost'),
    leftovers: count('leftover'),
    worstRecoveryMs: worst,
  };
}
