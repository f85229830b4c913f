// A crash in the middle of a burst: 200 claims arrive, the provisioner is SIGKILLed once some PVs
// exist (no graceful shutdown: in-flight directories and PV creates are cut off), and a new
// process takes over. In the end every claim is bound to exactly one PV (pvc-<its uid>), no PV is
// duplicated or orphaned, and the export holds one directory per claim and nothing else.
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { DIRECTORY_ANNOTATION, PROVISIONER_UA, eventually, setupE2E } from './helpers/e2e.ts';

const CLAIMS = 200;

void t.test(`restart in the middle of a burst of ${CLAIMS} claims`, async (t) => {
  if (!requireClusterOrSkip(t)) return;
  const e2e = await setupE2E(t);
  const { core, cluster } = e2e;
  await e2e.createClass('burst');
  const first = await e2e.provisioner({ logLevel: 'warn' });

  const createdPvs = (): number => cluster.requests.count({ verb: 'create', resource: 'persistentvolumes', userAgent: PROVISIONER_UA, code: 201 });
  const names = Array.from({ length: CLAIMS }, (_, i) => `burst-${String(i).padStart(3, '0')}`);
  const creating = (async () => {
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map((name) => e2e.createClaim(name, { storageClassName: 'burst' })));
    }
  })();

  // Kill as soon as some PVs exist: the process dies with work in flight.
  await eventually('the first PVs', () => createdPvs() >= 20, 30_000, 2);
  first.kill();
  const killedAt = createdPvs();
  const status = await first.exited;
  t.equal(status.signal, 'SIGKILL', 'the first provisioner was killed');
  t.ok(killedAt < CLAIMS, `killed in the middle: ${killedAt} of ${CLAIMS} PVs existed`);
  await creating;

  await e2e.provisioner({ logLevel: 'warn' });
  const claims: V1PersistentVolumeClaim[] = await eventually(
    `all ${CLAIMS} claims to be Bound`,
    async () => {
      const list = await core.listNamespacedPersistentVolumeClaim({ namespace: 'default' });
      return list.items.length === CLAIMS && list.items.every((c) => c.status?.phase === 'Bound') ? list.items : undefined;
    },
    45_000,
    200,
  );

  const pvs = (await core.listPersistentVolume()).items;
  t.equal(pvs.length, CLAIMS, 'exactly one PV per claim');
  const pvByName = new Map(pvs.map((pv) => [pv.metadata?.name ?? '', pv]));
  const expectedDirs: string[] = [];
  let wellBound = 0;
  for (const claim of claims) {
    const uid = claim.metadata?.uid ?? '';
    const pv = pvByName.get(`pvc-${uid}`);
    if (claim.spec?.volumeName === `pvc-${uid}` && pv?.spec?.claimRef?.uid === uid && pv.status?.phase === 'Bound') wellBound++;
    const dir = `default-${claim.metadata?.name ?? ''}-pvc-${uid}`;
    if (pv?.metadata?.annotations?.[DIRECTORY_ANNOTATION] === dir) expectedDirs.push(dir);
  }
  t.equal(wellBound, CLAIMS, 'every claim is bound to pvc-<its uid>, which points back at it');
  t.equal(new Set(pvs.map((pv) => pv.spec?.claimRef?.uid)).size, CLAIMS, 'no two PVs for one claim');
  t.equal(expectedDirs.length, CLAIMS, 'every PV records its claim\'s default directory');
  t.same(await e2e.exportTree(), expectedDirs.sort(), 'one directory per claim, no stray directories');
  // At most one successful create per claim: a retried create after the crash is AlreadyExists,
  // not a duplicate. (Not exactly CLAIMS: the real API server may store a create whose client was
  // killed mid-request yet log it as failed, its request context being gone.)
  const created = createdPvs();
  t.ok(created <= CLAIMS && created >= CLAIMS - 16, `${created} successful PV creates for ${CLAIMS} claims (at most one each; up to WORKERS=16 in flight at the kill)`);
  await e2e.checkSentinel(t);
});
