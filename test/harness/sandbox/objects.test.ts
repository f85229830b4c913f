import t from 'tap';
import { DEFAULT_PROVISIONER_NAME, provisionerOf, sandboxExamples, sandboxStorageClass } from '../../../harness/sandbox/objects.ts';

void t.test('the class comes from manifests/base and becomes the default class', (t) => {
  const sc = sandboxStorageClass();
  t.equal(sc.object.kind, 'StorageClass');
  t.equal(sc.object.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
  t.equal(provisionerOf(sc.object), DEFAULT_PROVISIONER_NAME);
  t.end();
});

void t.test('without manifests/: built-in nfs-client class and seed 002 examples', (t) => {
  const dir = `${t.testdir({})}/`;
  const sc = sandboxStorageClass(dir);
  t.equal(sc.source, 'built-in nfs-client class');
  t.match(sc.object, { metadata: { name: 'nfs-client' }, provisioner: DEFAULT_PROVISIONER_NAME, parameters: { archiveOnDelete: 'true' } });
  const ex = sandboxExamples(dir);
  t.same(ex.objects.map((o) => `${o.kind}/${o.metadata.name}`), ['PersistentVolumeClaim/test-claim', 'PersistentVolumeClaim/nfs-pv1', 'StatefulSet/web']);
  t.end();
});

void t.test('examples from manifests/examples: claims, the StatefulSet and its Service, no Pods', (t) => {
  const ex = sandboxExamples();
  const kinds = new Set(ex.objects.map((o) => o.kind));
  t.notOk(kinds.has('Pod'));
  t.ok(ex.objects.some((o) => o.kind === 'StatefulSet' && o.metadata.name === 'web'));
  t.ok(ex.objects.some((o) => o.kind === 'PersistentVolumeClaim'));
  t.end();
});
