// Which claims get a volume and which are refused. WaitForFirstConsumer: no PV until the scheduler
// picks a node (markScheduled), then bound. Refused, each with a ProvisioningFailed event naming
// the problem, no PV, no directory and no hot retry loop: volumeMode Block, spec.selector, a
// dataSource, and classes with bad parameter values (archiveOnDelete "maybe", mode "999", an export
// that is not configured). An unknown key is no refusal: test/e2e/multi-export.test.ts.
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import { markScheduled } from '../../harness/controllers/index.ts';
import { PROVISIONER_UA, eventCount, eventually, setupE2E } from './helpers/e2e.ts';
import type { ClaimSpecOptions } from './helpers/e2e.ts';
import { counterValue } from './helpers/metrics.ts';

void t.test('claim rules', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  const e2e = await setupE2E(t);
  const { core, cluster } = e2e;
  // Short retry delays: a hot loop, if there were one, would show within the observation window.
  const provisioner = await e2e.provisioner({ env: { RETRY_BASE_DELAY: '100ms', RETRY_MAX_DELAY: '300s' } });
  await Promise.all([
    e2e.createClass('nfs'),
    e2e.createClass('wffc', {}, { volumeBindingMode: 'WaitForFirstConsumer' }),
    e2e.createClass('bad-archive', { archiveOnDelete: 'maybe' }),
    e2e.createClass('bad-mode', { mode: '999' }),
    e2e.createClass('bad-export', { export: 'nowhere' }),
  ]);

  await t.test('WaitForFirstConsumer: no PV until a node is selected, then bound', async (t) => {
    await e2e.createClaim('late', { storageClassName: 'wffc' });
    // Kubernetes assigns a delayed claim to its provisioner only once a node is selected; this one
    // carries the assignment early, so the provisioner's own WaitForFirstConsumer rule is what holds it.
    await e2e.createClaim('late-assigned', {
      storageClassName: 'wffc',
      annotations: { 'volume.kubernetes.io/storage-provisioner': e2e.provisionerName },
    });
    // Barrier: a later Immediate claim is provisioned, so the provisioner has processed both.
    await e2e.createClaim('barrier', { storageClassName: 'nfs' });
    await e2e.waitBound('barrier');
    const pvs = await core.listPersistentVolume();
    for (const name of ['late', 'late-assigned']) {
      const pending = await core.readNamespacedPersistentVolumeClaim({ name, namespace: 'default' });
      t.equal(pending.status?.phase, 'Pending', `${name}: still Pending`);
      t.notOk(pending.spec?.volumeName, `${name}: no volume`);
      t.notOk(pvs.items.some((pv) => pv.spec?.claimRef?.name === name), `${name}: no PV`);
      t.same(await e2e.events({ name, reason: 'ProvisioningFailed' }), [], `${name}: waiting is not a failure`);
      t.same(await e2e.events({ name, reason: 'Provisioning' }), [], `${name}: not started`);
    }

    await markScheduled(core, 'default', 'late', 'node-1');
    await markScheduled(core, 'default', 'late-assigned', 'node-1');
    t.equal((await e2e.waitBound('late-assigned')).pv.spec?.claimRef?.name, 'late-assigned', 'late-assigned bound after scheduling');
    const { pv } = await e2e.waitBound('late');
    t.equal(pv.spec?.claimRef?.name, 'late', 'bound after scheduling');
  });

  const refusals: { name: string; claim: ClaimSpecOptions; expect: RegExp; what: string }[] = [
    { name: 'block', what: 'volumeMode Block', claim: { storageClassName: 'nfs', extraSpec: { volumeMode: 'Block' } }, expect: /volumeMode Block/ },
    {
      name: 'selector',
      what: 'spec.selector',
      claim: { storageClassName: 'nfs', extraSpec: { selector: { matchLabels: { disk: 'fast' } } } },
      expect: /[Ss]elector/,
    },
    {
      name: 'clone',
      what: 'dataSource',
      claim: { storageClassName: 'nfs', extraSpec: { dataSource: { kind: 'PersistentVolumeClaim', name: 'barrier' } } },
      expect: /data source|dataSource/,
    },
    { name: 'maybe', what: 'archiveOnDelete "maybe"', claim: { storageClassName: 'bad-archive' }, expect: /archiveOnDelete.*maybe/ },
    { name: 'mode999', what: 'mode "999"', claim: { storageClassName: 'bad-mode' }, expect: /mode.*999/ },
    { name: 'nowhere', what: 'export "nowhere"', claim: { storageClassName: 'bad-export' }, expect: /export: "nowhere" is not an export of this provisioner \(known: "default"\)/ },
  ];

  await t.test('refused with a clear event, no PV, no hot loop', async (t) => {
    const refusedBefore = await counterValue(provisioner.httpUrl, 'nfs_provisioner_provisions_total', { result: 'refused' });
    for (const r of refusals) await e2e.createClaim(r.name, r.claim);
    for (const r of refusals) {
      const event = await e2e.waitEvent({ name: r.name, reason: 'ProvisioningFailed' });
      t.equal(event.type, 'Warning', `${r.what}: a Warning`);
      t.match(event.message, r.expect, `${r.what}: the event names the problem: ${event.message ?? ''}`);
      t.equal(event.source?.component, e2e.provisionerName, `${r.what}: from the provisioner`);
    }
    const attempts = await counterValue(provisioner.httpUrl, 'nfs_provisioner_provisions_total', { result: 'refused' });
    // The control plane's own update of a new claim (provisioner annotation) is a change and may
    // earn a second look; what must not happen is retrying while nothing changes.
    t.ok(attempts - refusedBefore >= refusals.length && attempts - refusedBefore <= refusals.length * 2, `${attempts - refusedBefore} refusals for ${refusals.length} claims so far`);

    // Observe for a while (each check polls; the window is what a hot loop needs to show itself).
    const requestsBefore = cluster.requests.count({ userAgent: PROVISIONER_UA });
    const windowEnd = Date.now() + 3000;
    await eventually('the observation window to pass', () => Date.now() >= windowEnd, 5000, 100);
    const attemptsAfter = await counterValue(provisioner.httpUrl, 'nfs_provisioner_provisions_total', { result: 'refused' });
    const requestsAfter = cluster.requests.count({ userAgent: PROVISIONER_UA });
    t.ok(attemptsAfter - attempts <= 1, `no retry loop while nothing changes: ${attemptsAfter - attempts} more attempts in 3 s`);
    t.ok(requestsAfter - requestsBefore <= 10, `bounded API requests in 3 s: ${requestsAfter - requestsBefore}`);
    for (const r of refusals) {
      const failed = await e2e.events({ name: r.name, reason: 'ProvisioningFailed' });
      t.ok(eventCount(failed) <= 2, `${r.what}: ${eventCount(failed)} ProvisioningFailed event(s)`);
      t.same(await e2e.events({ name: r.name, reason: 'Provisioning' }), [], `${r.what}: never started provisioning`);
    }
    const pvs = await core.listPersistentVolume();
    const names = new Set(refusals.map((r) => r.name));
    t.notOk(pvs.items.some((pv) => names.has(pv.spec?.claimRef?.name ?? '')), 'no PV for a refused claim');
    const dirs = await e2e.exportTree();
    t.notOk(dirs.some((d) => [...names].some((n) => d.startsWith(`default-${n}-`))), 'no directory for a refused claim');
  });

  await t.test('a fixed class is picked up without restart', async (t) => {
    // Class parameters are immutable: an operator deletes the class and creates it again.
    await e2e.storage.deleteStorageClass({ name: 'bad-archive' });
    await eventually('the bad class to be gone', async () => !(await e2e.storage.listStorageClass()).items.some((c) => c.metadata?.name === 'bad-archive'));
    await e2e.createClass('bad-archive', { archiveOnDelete: 'false' });
    const { pv } = await e2e.waitBound('maybe');
    t.equal(pv.spec?.claimRef?.name, 'maybe', 'the refused claim is provisioned once its class is fixed, without a restart');
  });

  t.equal((await fetch(`${provisioner.httpUrl}/readyz`)).status, 200, 'provisioner still ready');
  await e2e.checkSentinel(t);
});
