// A nested pathPattern (`${.PVC.namespace}/${.PVC.labels.app}/${.PVC.name}`): the directory is
// nested on the export, the PV path is NFS_PATH joined with it (no double slash when NFS_PATH
// ends in `/`), and archive happens in place (archived-<name> next to the original, not flattened
// into the export root as the Go project did), with a collision-free name the second time.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { DIRECTORY_ANNOTATION, setupE2E } from './helpers/e2e.ts';

void t.test('nested pathPattern with NFS_PATH ending in /', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  const e2e = await setupE2E(t);
  const { exportDir, core } = e2e;
  const provisioner = await e2e.provisioner({ nfsPath: '/srv/nfs/exports/' });
  await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
  await e2e.createClass('nested', { pathPattern: '${.PVC.namespace}/${.PVC.labels.app}/${.PVC.name}' });

  const claimOpts = { namespace: 'team-a', storageClassName: 'nested', labels: { app: 'web' } };
  await e2e.createClaim('data', claimOpts);
  const { pv } = await e2e.waitBound('data', 'team-a');
  const directory = 'team-a/web/data';
  t.equal(pv.metadata?.annotations?.[DIRECTORY_ANNOTATION], directory, 'nested directory recorded');
  t.equal(pv.spec?.nfs?.path, `/srv/nfs/exports/${directory}`, 'PV path: NFS_PATH joined, no double slash');
  t.notMatch(pv.spec?.nfs?.path ?? '', /\/\//, 'no // anywhere');
  const stats = statSync(join(exportDir, directory));
  t.ok(stats.isDirectory(), 'nested directory exists');
  t.equal(stats.mode & 0o7777, 0o777, 'mode 0777');
  writeFileSync(join(exportDir, directory, 'first.txt'), 'first\n');

  await e2e.deleteClaim('data', 'team-a');
  await e2e.waitPvGone(pv.metadata?.name ?? '');
  t.notOk(existsSync(join(exportDir, directory)), 'original gone');
  t.equal(readFileSync(join(exportDir, 'team-a/web/archived-data/first.txt'), 'utf8'), 'first\n', 'archived in place as team-a/web/archived-data');
  t.same(readdirSync(exportDir).filter((n) => !n.startsWith('.nfs-provisioner-probe-')), ['team-a'], 'nothing flattened into the export root');

  // The same claim again: same directory, and its archive must not collide with the first.
  await e2e.createClaim('data', claimOpts);
  const second = await e2e.waitBound('data', 'team-a');
  t.not(second.pv.metadata?.name, pv.metadata?.name, 'a new PV');
  t.equal(second.pv.metadata?.annotations?.[DIRECTORY_ANNOTATION], directory, 'the same directory');
  writeFileSync(join(exportDir, directory, 'second.txt'), 'second\n');
  await e2e.deleteClaim('data', 'team-a');
  await e2e.waitPvGone(second.pv.metadata?.name ?? '');
  const archives = readdirSync(join(exportDir, 'team-a/web')).sort();
  t.equal(archives.length, 2, 'two archives side by side');
  t.equal(archives[0], 'archived-data', 'first archive untouched');
  t.match(archives[1], /^archived-data-\d{8}T\d{6}Z$/, 'second archive gets a timestamped name');
  t.equal(readFileSync(join(exportDir, 'team-a/web/archived-data/first.txt'), 'utf8'), 'first\n', 'first archive data intact');
  t.equal(readFileSync(join(exportDir, 'team-a/web', archives[1] ?? '', 'second.txt'), 'utf8'), 'second\n', 'second archive data intact');

  t.equal((await fetch(`${provisioner.httpUrl}/readyz`)).status, 200, 'provisioner still ready');
  await e2e.checkSentinel(t);
});
