import type { V1PersistentVolume } from '@kubernetes/client-node';
import t from 'tap';
import { EXPORT_ANNOTATION } from '../../lib/nfs/annotations.ts';
import { exportForClass, exportForVolume } from '../../lib/nfs/export-routing.ts';
import { NfsExport } from '../../lib/nfs/nfs-export.ts';

const make = (name: string, server: string, path: string, provisionerNames: string[] = []): NfsExport =>
  new NfsExport({ name, server, path, mountPath: `/mnt/${name}`, provisionerNames, fsTimeoutMs: 1000, fsConcurrency: 1 });
const exports = [make('default', 'nfs-a', '/srv/a'), make('b', 'nfs-b', '/srv/b', ['cluster.local/nfs-b']), make('c', 'nfs-a', '/srv/c')];

function pv(server: string, path: string, exportName?: string): V1PersistentVolume {
  return { metadata: { name: 'pv-1', ...(exportName === undefined ? {} : { annotations: { [EXPORT_ANNOTATION]: exportName } }) }, spec: { nfs: { server, path } } };
}

void t.test('a class: parameter, then provisioner name, then default', (t) => {
  t.match(exportForClass(exports, 'cluster.local/nfs-a', 'c'), { ok: true, via: 'parameter', export: { name: 'c' } });
  t.match(exportForClass(exports, 'cluster.local/nfs-b', undefined), { ok: true, via: 'provisioner', export: { name: 'b' } });
  t.match(exportForClass(exports, 'cluster.local/nfs-b', 'default'), { ok: true, via: 'parameter', export: { name: 'default' } });
  t.match(exportForClass(exports, 'cluster.local/nfs-a', undefined), { ok: true, via: 'default', export: { name: 'default' } });
  t.same(exportForClass(exports, 'x', 'nope'), { ok: false, message: 'export: "nope" is not an export of this provisioner (known: "default", "b", "c")' });
  t.end();
});

void t.test('a PV: its annotation if that export holds it, else the export that holds its source', (t) => {
  t.match(exportForVolume(exports, pv('nfs-b', '/srv/b/x', 'b')), { ok: true, via: 'annotation', export: { name: 'b' } });
  t.match(exportForVolume(exports, pv('nfs-a', '/srv/c/x')), { ok: true, via: 'source', export: { name: 'c' } }, 'Go-shaped: same server, the path decides');
  t.match(exportForVolume(exports, pv('nfs-a', '/srv/a/x')), { ok: true, via: 'source', export: { name: 'default' } });
  t.match(exportForVolume(exports, pv('nfs-b', '/srv/b/x', 'renamed')), { ok: true, via: 'source', export: { name: 'b' } }, 'an export renamed since');
  t.match(exportForVolume(exports, pv('nfs-b', '/srv/b/x', 'default')), { ok: false, message: /annotation nfs-provisioner.dev\/export "default" names an export \(nfs-a:\/srv\/a\) that does not hold its NFS source nfs-b:\/srv\/b\/x/ });
  t.match(exportForVolume(exports, pv('nfs-z', '/srv/b/x', 'gone')), { ok: false, message: /its annotation names export "gone", which is not configured, and no export holds its NFS source nfs-z:\/srv\/b\/x \(exports: default = nfs-a:\/srv\/a, b = nfs-b:\/srv\/b, c = nfs-a:\/srv\/c\)/ });
  t.match(exportForVolume(exports, { metadata: { name: 'x' }, spec: {} }), { ok: false, message: 'PV x has no NFS source' });
  t.end();
});
