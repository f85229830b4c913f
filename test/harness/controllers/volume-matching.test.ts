import t from 'tap';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { claimClassName, findBestMatch, isVolumeBoundToClaim, volumeMismatchReason } from '../../../harness/controllers/volume-matching.ts';
import { parseQuantity } from '../../../harness/controllers/quantity.ts';
import { selectorMatches } from '../../../harness/controllers/label-selector.ts';

const pv = (name: string, size: string, over: { modes?: string[]; cls?: string; labels?: Record<string, string>; phase?: string; claimRef?: V1PersistentVolume['spec'] extends infer S ? S extends { claimRef?: infer R } ? R : never : never; mode?: string } = {}): V1PersistentVolume => ({
  metadata: { name, ...(over.labels ? { labels: over.labels } : {}) },
  spec: {
    capacity: { storage: size },
    accessModes: over.modes ?? ['ReadWriteOnce'],
    storageClassName: over.cls ?? 'nfs',
    ...(over.claimRef ? { claimRef: over.claimRef } : {}),
    ...(over.mode ? { volumeMode: over.mode } : {}),
  },
  status: { phase: over.phase ?? 'Available' },
});

const claim = (size: string, over: { modes?: string[]; cls?: string | null; selector?: V1PersistentVolumeClaim['spec'] extends infer S ? S extends { selector?: infer X } ? X : never : never } = {}): V1PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'default', uid: 'uid-1' },
  spec: {
    accessModes: over.modes ?? ['ReadWriteOnce'],
    resources: { requests: { storage: size } },
    ...(over.cls === null ? {} : { storageClassName: over.cls ?? 'nfs' }),
    ...(over.selector ? { selector: over.selector } : {}),
  },
});

void t.test('quantities', (t) => {
  t.equal(parseQuantity('1Gi'), 2 ** 30);
  t.equal(parseQuantity('100Mi'), 100 * 2 ** 20);
  t.equal(parseQuantity('1G'), 1e9);
  t.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30);
  t.equal(parseQuantity('2e3'), 2000);
  t.equal(parseQuantity('500m'), 0.5);
  t.equal(parseQuantity('12'), 12);
  t.equal(parseQuantity('1GB'), undefined);
  t.ok((parseQuantity('1Gi') ?? 0) > (parseQuantity('1G') ?? 0));
  t.end();
});

void t.test('label selectors', (t) => {
  const labels = { app: 'db', tier: 'gold' };
  t.ok(selectorMatches(undefined, labels));
  t.ok(selectorMatches({ matchLabels: { app: 'db' } }, labels));
  t.notOk(selectorMatches({ matchLabels: { app: 'web' } }, labels));
  t.ok(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }] }, labels));
  t.notOk(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] }, labels));
  t.ok(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels));
  t.notOk(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels));
  t.notOk(selectorMatches({ matchLabels: { app: 'db' } }, undefined));
  t.end();
});

void t.test('the class of a claim: beta annotation first, then spec, else ""', (t) => {
  t.equal(claimClassName(claim('1Gi')), 'nfs');
  t.equal(claimClassName(claim('1Gi', { cls: null })), '');
  const legacy = claim('1Gi', { cls: null });
  legacy.metadata = { ...legacy.metadata, annotations: { 'volume.beta.kubernetes.io/storage-class': 'managed-nfs-storage' } };
  t.equal(claimClassName(legacy), 'managed-nfs-storage');
  t.end();
});

void t.test('static volumes: smallest that fits, class, access modes, selector, mode', (t) => {
  const vols = [pv('big', '10Gi'), pv('small', '1Gi'), pv('tiny', '500Mi'), pv('other-class', '1Gi', { cls: 'slow' })];
  t.equal(findBestMatch(claim('800Mi'), vols, { delayBinding: false })?.metadata?.name, 'small', 'smallest volume >= request');
  t.equal(findBestMatch(claim('20Gi'), vols, { delayBinding: false }), undefined, 'nothing big enough');
  t.equal(findBestMatch(claim('1Gi', { cls: 'slow' }), vols, { delayBinding: false })?.metadata?.name, 'other-class', 'class must be equal');
  t.equal(findBestMatch(claim('1Gi', { cls: '' }), [...vols, pv('no-class', '5Gi', { cls: '' })], { delayBinding: false })?.metadata?.name, 'no-class', '"" matches ""');
  t.equal(findBestMatch(claim('1Gi', { modes: ['ReadWriteMany'] }), vols, { delayBinding: false }), undefined, 'access modes must be a superset');
  const rwx = [pv('rwo-rwx', '1Gi', { modes: ['ReadWriteOnce', 'ReadWriteMany'] }), pv('rwo', '2Gi')];
  t.equal(findBestMatch(claim('1Gi'), rwx, { delayBinding: false })?.metadata?.name, 'rwo', 'fewest access modes first');
  const labelled = [pv('gold', '5Gi', { labels: { tier: 'gold' } }), pv('plain', '1Gi')];
  t.equal(findBestMatch(claim('1Gi', { selector: { matchLabels: { tier: 'gold' } } }), labelled, { delayBinding: false })?.metadata?.name, 'gold', 'selector');
  t.equal(findBestMatch(claim('1Gi'), [pv('block', '1Gi', { mode: 'Block' })], { delayBinding: false }), undefined, 'volumeMode must match');
  t.equal(findBestMatch(claim('1Gi'), [pv('pending', '1Gi', { phase: 'Pending' })], { delayBinding: false }), undefined, 'only Available volumes');
  t.equal(findBestMatch(claim('1Gi'), vols, { delayBinding: false, reserved: new Set(['small']) })?.metadata?.name, 'big', 'reserved volumes are skipped');
  t.equal(findBestMatch(claim('1Gi'), vols, { delayBinding: true }), undefined, 'WaitForFirstConsumer: no static binding by the controller');
  t.end();
});

void t.test('pre-bound volumes', (t) => {
  const c = claim('1Gi');
  const prebound = pv('mine', '1Gi', { claimRef: { name: 'data', namespace: 'default' }, phase: 'Available' });
  t.ok(isVolumeBoundToClaim(prebound, c), 'empty uid counts');
  t.notOk(isVolumeBoundToClaim(pv('x', '1Gi', { claimRef: { name: 'data', namespace: 'default', uid: 'other' } }), c));
  t.equal(findBestMatch(c, [pv('smaller-free', '1Gi'), prebound], { delayBinding: true })?.metadata?.name, 'mine', 'pre-bound wins, even when delayed');
  t.equal(volumeMismatchReason(claim('2Gi'), pv('v', '1Gi')), 'requested PV is too small');
  t.equal(volumeMismatchReason(claim('1Gi', { cls: 'x' }), pv('v', '1Gi')), 'storageClassName does not match');
  t.equal(volumeMismatchReason(claim('1Gi'), pv('v', '1Gi')), undefined);
  t.end();
});
