import t from 'tap';
import { checkInvariants, diffTrees, findLeftovers } from './invariants.ts';
import type { Observation, TrackedObs } from './invariants.ts';

const base = (): Observation => ({
  claims: [{ key: 'ns/a', uid: 'u1', phase: 'Bound', volumeName: 'pvc-u1', expect: 'bound' }],
  volumes: [{ name: 'pvc-u1', claimUid: 'u1', claimKey: 'ns/a', directory: 'ns-a-pvc-u1', dirExists: true, phase: 'Bound' }],
  pvCreations: [{ pvName: 'pvc-u1', claimUid: 'u1' }, { pvName: 'pvc-u1', claimUid: 'u1' }],
  tracked: [],
  exportDirs: [{ path: 'ns-a-pvc-u1', hasFiles: true }],
  sentinelBefore: new Map([['sentinel/data.txt', 'file 0:0 644 3 bytes sha256 aa']]),
  sentinelAfter: new Map([['sentinel/data.txt', 'file 0:0 644 3 bytes sha256 aa']]),
  recoveriesMs: [100],
  recoveryLimitMs: 1000,
  extra: [],
});

const kinds = (o: Observation): string[] => checkInvariants(o).violations.map((v) => v.kind);

void t.test('a clean world passes (the same PV created twice is an AlreadyExists retry, fine)', (t) => {
  const r = checkInvariants(base());
  t.same(r.violations, []);
  t.equal(r.worstRecoveryMs, 100);
  t.end();
});

void t.test('claims that are not Bound to a PV of ours are lost volumes', (t) => {
  const o = base();
  o.claims.push({ key: 'ns/b', uid: 'u2', phase: 'Pending', expect: 'bound' });
  o.claims.push({ key: 'ns/c', uid: 'u3', phase: 'Bound', volumeName: 'pvc-other', expect: 'bound' });
  t.same(kinds(o), ['lost-volume', 'lost-volume']);
  const either = base();
  either.claims.push({ key: 'ns/b', uid: 'u2', phase: 'Pending', expect: 'either' });
  t.same(kinds(either), []);
  const refused = base();
  refused.claims[0] = { key: 'ns/a', uid: 'u1', phase: 'Bound', volumeName: 'pvc-u1', expect: 'refused' };
  t.same(kinds(refused), ['scenario']);
  t.end();
});

void t.test('two PVs for one claim, ever, is a double provision', (t) => {
  const o = base();
  o.pvCreations.push({ pvName: 'pvc-u1-again', claimUid: 'u1' });
  t.same(kinds(o), ['double-provision']);
  const live = base();
  live.volumes.push({ name: 'pvc-x', claimUid: 'u1', directory: 'ns-a-x', dirExists: true });
  live.exportDirs.push({ path: 'ns-a-x', hasFiles: false });
  t.same(kinds(live), ['double-provision']);
  t.end();
});

void t.test('shared and nested directories, missing and escaping directories', (t) => {
  const o = base();
  o.volumes.push({ name: 'pvc-u9', claimUid: 'u9', directory: 'ns-a-pvc-u1', dirExists: true });
  t.same(kinds(o), ['shared-directory']);
  const nested = base();
  nested.volumes.push({ name: 'pvc-p', claimUid: 'p', directory: 'ns', dirExists: true });
  nested.volumes.push({ name: 'pvc-q', claimUid: 'q', directory: 'ns/q', dirExists: true });
  nested.exportDirs.push({ path: 'ns', hasFiles: false }, { path: 'ns/q', hasFiles: false });
  t.same(kinds(nested), ['shared-directory']);
  const missing = base();
  missing.volumes[0] = { name: 'pvc-u1', claimUid: 'u1', directory: 'ns-a-pvc-u1', dirExists: false };
  t.same(kinds(missing), ['lost-volume']);
  const escaping = base();
  escaping.volumes[0] = { name: 'pvc-u1', claimUid: 'u1', directory: '../outside', dirExists: true };
  escaping.exportDirs = [];
  t.same(kinds(escaping), ['write-outside']);
  t.end();
});

const tracked = (over: Partial<TrackedObs>): TrackedObs => ({
  claimKey: 'ns/d',
  pvName: 'pvc-d',
  directory: 'ns-d',
  onDelete: 'archive',
  claimDeleted: true,
  dir: { exists: false, markerIntact: false },
  archivesWithMarker: 1,
  ...over,
});

void t.test('deleted claims: what the class says happens to the data, nothing else', (t) => {
  const run = (tr: TrackedObs, dirs: Observation['exportDirs'] = []): string[] => {
    const o = base();
    o.tracked.push(tr);
    o.exportDirs.push(...dirs);
    return kinds(o);
  };
  t.same(run(tracked({}), [{ path: 'archived-ns-d', hasFiles: true }]), [], 'archived with its marker');
  t.same(run(tracked({ archivesWithMarker: 0 })), ['data-lost'], 'archive lost the data');
  t.same(run(tracked({ archivesWithMarker: 0, dir: { exists: true, markerIntact: true } }), [{ path: 'ns-d', hasFiles: true }]), ['leftover', 'leftover'], 'not archived');
  t.same(run(tracked({ onDelete: 'retain', dir: { exists: true, markerIntact: true }, archivesWithMarker: 0 }), [{ path: 'ns-d', hasFiles: true }]), [], 'retained');
  t.same(run(tracked({ onDelete: 'retain', dir: { exists: true, markerIntact: false }, archivesWithMarker: 0 }), [{ path: 'ns-d', hasFiles: true }]), ['data-lost'], 'retained but changed');
  t.same(run(tracked({ onDelete: 'delete', archivesWithMarker: 0 })), [], 'deleted');
  t.same(run(tracked({ onDelete: 'delete', archivesWithMarker: 0, dir: { exists: true, markerIntact: true } }), [{ path: 'ns-d', hasFiles: true }]), ['leftover', 'leftover'], 'not deleted');
  const stillPv = base();
  stillPv.tracked.push(tracked({ pvName: 'pvc-u1', directory: 'ns-a-pvc-u1' }));
  stillPv.exportDirs.push({ path: 'archived-ns-a-pvc-u1', hasFiles: true });
  t.ok(kinds(stillPv).includes('leftover'), 'PV of a deleted claim still there');
  const live = base();
  live.tracked.push(tracked({ claimDeleted: false, dir: { exists: true, markerIntact: false } }));
  t.same(kinds(live), ['data-lost'], 'live volume lost its marker');
  t.end();
});

void t.test('the sentinel beside the export: created, changed, removed entries', (t) => {
  const before = new Map([
    ['a', 'dir 0:0 755'],
    ['a/f', 'file 0:0 644 1 bytes sha256 x'],
  ]);
  t.same(diffTrees(before, new Map(before)), []);
  const after = new Map([
    ['a', 'dir 0:0 777'],
    ['b', 'dir 0:0 755'],
  ]);
  t.same(diffTrees(before, after), ['changed a: dir 0:0 755 -> dir 0:0 777', 'removed a/f (file 0:0 644 1 bytes sha256 x)', 'created b (dir 0:0 755)']);
  const o = base();
  o.sentinelAfter = new Map();
  t.same(kinds(o), ['write-outside']);
  t.end();
});

void t.test('leftovers: unaccounted directories, tolerated empty parents', (t) => {
  t.same(findLeftovers([{ path: 'ns', hasFiles: false }, { path: 'ns/v', hasFiles: true }, { path: 'ns/v/inner', hasFiles: true }], ['ns/v'], []), []);
  t.same(findLeftovers([{ path: 'ns', hasFiles: false }], [], ['ns/gone']), [], 'empty parent of a deleted volume');
  t.same(findLeftovers([{ path: 'ns', hasFiles: true }], [], ['ns/gone']), ['ns (a parent of volumes, holding files)']);
  t.same(findLeftovers([{ path: 'orphan', hasFiles: false }, { path: 'orphan/x', hasFiles: true }], [], []), ['orphan'], 'reported once, with its parent');
  t.end();
});

void t.test('recovery: slower than the limit or never is a violation', (t) => {
  const o = base();
  o.recoveriesMs = [10, 2000, -1];
  const r = checkInvariants(o);
  t.same(r.violations.map((v) => v.kind), ['not-recovered', 'not-recovered']);
  t.equal(r.worstRecoveryMs, 2000);
  t.end();
});
