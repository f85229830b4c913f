import type { V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import t from 'tap';
import { claimClassName, decideClaim } from '../../lib/controller/claim-decision.ts';
import type { ClaimDecision } from '../../lib/controller/claim-decision.ts';
import { claim, OURS, storageClass } from './fixtures.ts';

interface Case {
  name: string;
  claim: V1PersistentVolumeClaim;
  classes?: V1StorageClass[];
  volumes?: string[];
  validate?: string;
  action: ClaimDecision['action'];
  reason?: RegExp;
}

function legacyClaim(): V1PersistentVolumeClaim {
  const c = claim('d', { annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' } });
  delete c.spec?.storageClassName;
  return c;
}

const wffc = storageClass('nfs', { volumeBindingMode: 'WaitForFirstConsumer' });
const CASES: Case[] = [
  { name: 'plain claim of our class', claim: claim(), action: 'provision' },
  { name: 'beta storage-provisioner annotation', claim: { ...claim(), metadata: { ...claim().metadata, annotations: { 'volume.beta.kubernetes.io/storage-provisioner': OURS } } }, action: 'provision' },
  { name: 'no storage-provisioner annotation yet', claim: { ...claim(), metadata: { ...claim().metadata, annotations: {} } }, action: 'ignore', reason: /no provisioner assigned/ },
  { name: 'assigned to another provisioner', claim: claim('d', { annotations: { 'volume.kubernetes.io/storage-provisioner': 'other.io/x' } }), action: 'ignore', reason: /other\.io\/x/ },
  { name: 'class of another provisioner', claim: claim(), classes: [{ ...storageClass(), provisioner: 'other.io/x' }], action: 'ignore', reason: /belongs to provisioner/ },
  { name: 'legacy class annotation', claim: legacyClaim(), classes: [storageClass('legacy')], action: 'provision' },
  { name: 'legacy annotation wins over spec', claim: claim('d', { annotations: { 'volume.beta.kubernetes.io/storage-class': 'other' } }), classes: [storageClass('nfs')], action: 'wait', reason: /"other" not found/ },
  { name: 'no class at all', claim: claim('d', { spec: { storageClassName: '' } }), action: 'ignore', reason: /no storage class/ },
  { name: 'class not in cache', claim: claim(), classes: [], action: 'wait', reason: /not found/ },
  { name: 'bound claim', claim: claim('d', { spec: { volumeName: 'pv-x' } }), action: 'ignore', reason: /bound/ },
  { name: 'claim being deleted', claim: { ...claim(), metadata: { ...claim().metadata, deletionTimestamp: new Date() } }, action: 'ignore', reason: /deleted/ },
  { name: 'claim without uid', claim: { ...claim(), metadata: { ...claim().metadata, uid: '' } }, action: 'ignore' },
  { name: 'volume exists', claim: claim(), volumes: ['pvc-uid-data'], action: 'done' },
  { name: 'WaitForFirstConsumer without node', claim: claim(), classes: [wffc], action: 'wait', reason: /first consumer/ },
  { name: 'WaitForFirstConsumer with node', claim: claim('d', { annotations: { 'volume.kubernetes.io/selected-node': 'node-1' } }), classes: [wffc], action: 'provision' },
  { name: 'Block volume mode', claim: claim('d', { spec: { volumeMode: 'Block' } }), action: 'refuse', reason: /Block/ },
  { name: 'selector', claim: claim('d', { spec: { selector: { matchLabels: { a: 'b' } } } }), action: 'refuse', reason: /Selector/ },
  { name: 'dataSource', claim: claim('d', { spec: { dataSource: { kind: 'VolumeSnapshot', name: 's', apiGroup: 'snapshot.storage.k8s.io' } } }), action: 'refuse', reason: /VolumeSnapshot\/s/ },
  { name: 'dataSourceRef', claim: claim('d', { spec: { dataSourceRef: { kind: 'PersistentVolumeClaim', name: 'src' } } }), action: 'refuse', reason: /PersistentVolumeClaim\/src/ },
  { name: 'no storage request', claim: claim('d', { spec: { resources: {} } }), action: 'refuse', reason: /storage request/ },
  { name: 'backend refuses', claim: claim(), validate: 'mode: "999" is not an octal permission', action: 'refuse', reason: /mode: "999"/ },
  { name: 'volume exists wins over a refusal', claim: claim('d', { spec: { volumeMode: 'Block' } }), volumes: ['pvc-uid-d'], action: 'done' },
];

void t.test('decision table', (t) => {
  for (const c of CASES) {
    const classes = c.classes ?? [storageClass()];
    const decision = decideClaim({
      claim: c.claim,
      provisionerName: OURS,
      getStorageClass: (name) => classes.find((sc) => sc.metadata?.name === name),
      volumeExists: (name) => (c.volumes ?? []).includes(name),
      validate: () => c.validate,
    });
    t.equal(decision.action, c.action, c.name);
    if (c.reason !== undefined) t.match('reason' in decision ? decision.reason : '', c.reason, `${c.name}: reason`);
  }
  t.end();
});

void t.test('the provision request carries name, class and selected node', (t) => {
  const decision = decideClaim({
    claim: claim('d', { annotations: { 'volume.kubernetes.io/selected-node': 'n1' } }),
    provisionerName: OURS,
    getStorageClass: () => storageClass(),
    volumeExists: () => false,
    validate: () => undefined,
  });
  t.equal(decision.action, 'provision');
  if (decision.action === 'provision') {
    t.equal(decision.request.pvName, 'pvc-uid-d');
    t.equal(decision.request.selectedNode, 'n1');
    t.equal(decision.request.storageClass.metadata?.name, 'nfs');
  }
  t.equal(claimClassName(claim()), 'nfs');
  t.end();
});
