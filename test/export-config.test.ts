import t from 'tap';
import { checkExportSet, exportFieldError, parseExportsFile } from '../lib/export-config.ts';
import type { ExportConfig } from '../lib/export-config.ts';

const base = (name: string, over: Partial<ExportConfig> = {}): ExportConfig => ({
  name,
  server: 's',
  path: `/srv/${name}`,
  mountPath: `/mnt/${name}`,
  provisionerNames: [],
  fsTimeoutMs: 1000,
  fsConcurrency: 2,
  ...over,
});

void t.test('errors name the variable of the default export, else file, export and field', (t) => {
  t.equal(exportFieldError('default', 'mountPath', '/x does not exist').message, 'NFS_MOUNT_PATH: /x does not exist');
  t.equal(exportFieldError('b', 'mountPath', '/y does not exist', '/etc/e.yaml').message, 'NFS_EXPORTS_FILE: /etc/e.yaml: export "b": mountPath: /y does not exist');
  t.end();
});

void t.test('sibling mount paths and paths on other servers are fine; nesting on one server is not', (t) => {
  t.doesNotThrow(() => checkExportSet([base('default', { mountPath: '/persistentvolumes' }), base('b', { mountPath: '/persistentvolumes-b' })]), 'a common prefix that is no parent');
  t.doesNotThrow(() => checkExportSet([base('default', { server: 'x', path: '/srv' }), base('b', { server: 'y', path: '/srv/b' })]), 'another server');
  t.throws(() => checkExportSet([base('default', { path: '/' }), base('b')]), { message: /export "b": path: s:\/srv\/b overlaps export "default"/ });
  t.end();
});

void t.test('numbers and strings are both accepted for fsConcurrency; names are deduplicated', (t) => {
  const [e] = parseExportsFile('exports:\n  - {name: b, server: s, path: /b, mountPath: /m, fsConcurrency: "3", provisionerNames: [a/b, a/b]}\n', '/e', { fsTimeoutMs: 5, fsConcurrency: 1 });
  t.equal(e?.fsConcurrency, 3);
  t.same(e?.provisionerNames, ['a/b']);
  t.end();
});
