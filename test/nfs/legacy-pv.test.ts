import t from 'tap';
import { directoryFromNfsPath, volumeSourcePath } from '../../lib/nfs/legacy-pv.ts';

void t.test('source path joins without double slashes', (t) => {
  t.equal(volumeSourcePath('/exports', 'a-b-c'), '/exports/a-b-c');
  t.equal(volumeSourcePath('/exports/', 'a-b-c'), '/exports/a-b-c');
  t.equal(volumeSourcePath('/', 'a-b-c'), '/a-b-c');
  t.equal(volumeSourcePath('/exports/', 'ns/claim'), '/exports/ns/claim');
  t.end();
});

void t.test('directory derived from a Go-project PV path', (t) => {
  t.same(directoryFromNfsPath('/exports', '/exports/default-pvc-pv'), { ok: true, components: ['default-pvc-pv'] });
  t.same(directoryFromNfsPath('/exports/', '/exports/default-pvc-pv'), { ok: true, components: ['default-pvc-pv'] }, 'NFS_PATH with trailing slash');
  t.same(directoryFromNfsPath('/exports', '/exports//ns/claim/'), { ok: true, components: ['ns', 'claim'] }, 'nested, sloppy slashes');
  t.same(directoryFromNfsPath('/', '/default-pvc-pv'), { ok: true, components: ['default-pvc-pv'] }, 'export of /');
  t.same(directoryFromNfsPath('/srv/nfs/k8s', '/srv/nfs/k8s/a'), { ok: true, components: ['a'] });
  t.end();
});

void t.test('paths that are not strictly below NFS_PATH are refused', (t) => {
  for (const [base, path] of [
    ['/exports', '/exports'],
    ['/exports', '/exports/'],
    ['/exports', '/exportsX/a'],
    ['/exports', '/other/exports/a'],
    ['/exports', '/exports/../etc'],
    ['/exports', 'exports/a'],
    ['/', '/'],
  ] as const) {
    t.notOk(directoryFromNfsPath(base, path).ok, `${base} vs ${path}`);
  }
  const result = directoryFromNfsPath('/exports', '/elsewhere/a');
  if (!result.ok) t.match(result.message, /not a directory below NFS_PATH/);
  t.end();
});
