import t from 'tap';
import { parsePathPattern } from '../../lib/nfs/path-template.ts';
import { requireVolumeDirectory, volumeDirectory } from '../../lib/nfs/volume-directory.ts';

const values = { namespace: 'ns', name: 'claim', pvName: 'pvc-1', labels: {}, annotations: { long: 'z'.repeat(250) } };
function pattern(source: string) {
  const parsed = parsePathPattern(source);
  if (!parsed.ok) throw new Error(parsed.message);
  return { pathPattern: parsed.pattern };
}

void t.test('no pattern: the default name', (t) => {
  t.same(volumeDirectory({}, values, '/persistentvolumes'), { ok: true, components: ['ns-claim-pvc-1'], directory: 'ns-claim-pvc-1' });
  t.end();
});

void t.test('a pattern that expands to nothing falls back to the default name', (t) => {
  t.same(volumeDirectory(pattern('${.PVC.labels.none}/${.PVC.annotations.none}'), values, '/persistentvolumes'), {
    ok: true,
    components: ['ns-claim-pvc-1'],
    directory: 'ns-claim-pvc-1',
  });
  t.end();
});

void t.test('a pattern result beyond PATH_MAX is refused with a message', (t) => {
  const deep = pattern(Array.from({ length: 20 }, () => '${.PVC.annotations.long}').join('/'));
  const result = volumeDirectory(deep, values, '/persistentvolumes');
  t.notOk(result.ok);
  if (!result.ok) t.match(result.message, /makes a directory of 5019 bytes; at most \d+ fit in PATH_MAX/);
  t.throws(() => requireVolumeDirectory(deep, values, '/persistentvolumes'), { name: 'PermanentError' });
  const fine = pattern(Array.from({ length: 10 }, () => '${.PVC.annotations.long}').join('/'));
  t.ok(volumeDirectory(fine, values, '/persistentvolumes').ok);
  t.end();
});
