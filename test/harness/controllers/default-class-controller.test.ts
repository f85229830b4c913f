import t from 'tap';
import { needsDefaultClass, pickDefaultClass } from '../../../harness/controllers/default-class-controller.ts';
import { clusterFixture, eventually, settle } from './fixture.ts';

const NS = 'default';

void t.test('which claims need a default class, and which class is it', (t) => {
  t.ok(needsDefaultClass({ metadata: {}, spec: {} }));
  t.notOk(needsDefaultClass({ metadata: {}, spec: { storageClassName: '' } }), '"" means no class, not "default"');
  t.notOk(needsDefaultClass({ metadata: { annotations: { 'volume.beta.kubernetes.io/storage-class': 'x' } }, spec: {} }), 'legacy annotation names a class');
  t.notOk(needsDefaultClass({ metadata: {}, spec: { volumeName: 'pv' } }), 'bound or pre-bound claims keep theirs');
  const older = { metadata: { name: 'old', creationTimestamp: new Date('2024-01-01'), annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'a' };
  const newer = { metadata: { name: 'new', creationTimestamp: new Date('2025-01-01'), annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'a' };
  const plain = { metadata: { name: 'plain' }, provisioner: 'a' };
  t.equal(pickDefaultClass([older, newer, plain])?.metadata?.name, 'new', 'the newest default wins');
  t.equal(pickDefaultClass([plain]), undefined);
  t.end();
});

void t.test('retroactive default class: a class-less claim gets the default once one exists', async (t) => {
  const f = await clusterFixture(t);
  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: { metadata: { name: 'early' }, spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Mi' } } } } });
  await f.api.core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: { metadata: { name: 'explicit-none' }, spec: { storageClassName: '', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Mi' } } } } });
  await settle(f);
  t.equal((await f.api.core.readNamespacedPersistentVolumeClaim({ name: 'early', namespace: NS })).spec?.storageClassName, undefined, 'no default class yet');
  await f.api.storage.createStorageClass({
    body: { metadata: { name: 'nfs-client', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'example.com/nfs' },
  });
  const c = await eventually('default class assigned', async () => {
    const c = await f.api.core.readNamespacedPersistentVolumeClaim({ name: 'early', namespace: NS });
    return c.spec?.storageClassName === 'nfs-client' && c;
  });
  t.equal(c.spec?.storageClassName, 'nfs-client');
  await eventually('then handed to the provisioner', async () =>
    (await f.api.core.readNamespacedPersistentVolumeClaim({ name: 'early', namespace: NS })).metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'] === 'example.com/nfs',
  );
  await settle(f);
  t.equal((await f.api.core.readNamespacedPersistentVolumeClaim({ name: 'explicit-none', namespace: NS })).spec?.storageClassName, '', '"" is left alone');
});
