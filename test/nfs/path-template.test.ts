import t from 'tap';
import type { TemplateValues } from '../../lib/nfs/path-template.ts';
import { defaultDirectoryName, expandPathPattern, parsePathPattern } from '../../lib/nfs/path-template.ts';

const values: TemplateValues = {
  namespace: 'team-a',
  name: 'data',
  pvName: 'pvc-1234',
  labels: { app: 'db', 'app.kubernetes.io/name': 'postgres', hostile: '../../etc', empty: '' },
  annotations: { 'nfs.io/storage-path': 'shared', abs: '/etc/passwd', dots: '..', dot: '.' },
};

function expand(source: string, overrides: Partial<TemplateValues> = {}): string {
  const parsed = parsePathPattern(source);
  if (!parsed.ok) throw new Error(parsed.message);
  return expandPathPattern(parsed.pattern, { ...values, ...overrides }).join('/');
}

void t.test('each variable expands', (t) => {
  t.equal(expand('${.PVC.namespace}'), 'team-a');
  t.equal(expand('${.PVC.name}'), 'data');
  t.equal(expand('${.PV.name}'), 'pvc-1234');
  t.equal(expand('${.PVC.labels.app}'), 'db');
  t.equal(expand('${.PVC.labels.app.kubernetes.io/name}'), 'postgres', 'keys with dots and slashes');
  t.equal(expand('${.PVC.annotations.nfs.io/storage-path}'), 'shared');
  t.equal(expand('${.PVC.labels.missing}'), '', 'a missing label is empty, as in the Go project');
  t.end();
});

void t.test('nested patterns and mixed text', (t) => {
  t.equal(expand('${.PVC.namespace}/${.PVC.name}'), 'team-a/data');
  t.equal(expand('vols/${.PVC.namespace}-${.PVC.labels.app}/x'), 'vols/team-a-db/x');
  t.equal(expand('/${.PVC.namespace}//${.PVC.name}/'), 'team-a/data', 'empty components dropped like filepath.Join');
  t.equal(expand('./${.PVC.name}'), 'data', 'literal . dropped');
  t.equal(expand('${.PVC.labels.missing}/${.PVC.name}'), '%empty/data', 'an empty value keeps its level');
  t.equal(expand('${.PVC.namespace}/${.PVC.annotations.missing}'), 'team-a/%empty', 'never the namespace directory itself (the Go project handed it out)');
  t.equal(expand('${.PVC.labels.missing}/${.PVC.annotations.missing}'), '', 'empty throughout: the caller falls back to the default');
  t.equal(expand('${.PVC.name}${.PVC.name}'), 'datadata', 'same variable twice');
  t.end();
});

void t.test('hostile values stay inside one component', (t) => {
  t.equal(expand('${.PVC.labels.hostile}'), '..%2F..%2Fetc');
  t.equal(expand('${.PVC.annotations.abs}'), '%2Fetc%2Fpasswd');
  t.equal(expand('${.PVC.annotations.dots}'), '%2E%2E');
  t.equal(expand('${.PVC.annotations.dot}'), '%2E');
  t.equal(expand('x/${.PVC.annotations.dots}/y'), 'x/%2E%2E/y');
  t.equal(expand('.${.PVC.annotations.dot}'), '%2E%2E', 'text plus value making ".." is neutralized');
  t.equal(expand('${.PVC.name}', { name: 'a\0b' }), 'a%00b');
  t.equal(expand('${.PVC.labels.u}', { labels: { u: 'équipe/データ' } }), 'équipe%2Fデータ');
  const long = expand('${.PVC.annotations.long}/${.PVC.name}', { annotations: { long: 'l'.repeat(1000) } });
  const [first, second] = long.split('/');
  t.ok(first !== undefined && Buffer.byteLength(first) <= 255, 'long value shortened');
  t.equal(second, 'data');
  t.equal(expand('${.PVC.labels.empty}'), '', 'empty result (caller falls back to the default)');
  t.end();
});

void t.test('bad patterns are refused with a message', (t) => {
  for (const [source, pattern] of [
    ['${.PVC.foo}', /unknown variable "\$\{\.PVC\.foo\}"/],
    ['${.PVC.labels.}', /unknown variable/],
    ['${ .PVC.name }', /unknown variable/],
    ['${.PVC.name', /unclosed/],
    ['../${.PVC.name}', /"\.\." component/],
    ['a/../b', /"\.\." component/],
    ['a\nb', /control character/],
  ] as const) {
    const parsed = parsePathPattern(source);
    t.notOk(parsed.ok, source);
    if (!parsed.ok) t.match(parsed.message, pattern, source);
  }
  t.ok(parsePathPattern('$HOME-${.PVC.name}').ok, 'a $ without { is literal text');
  t.end();
});

void t.test('default name is the Go project one, safe and bounded', (t) => {
  t.equal(defaultDirectoryName(values), 'team-a-data-pvc-1234');
  const long = defaultDirectoryName({ namespace: 'n'.repeat(63), name: 'c'.repeat(253), pvName: 'pvc-1234' });
  t.ok(Buffer.byteLength(long) <= 255, 'namespace + longest claim name + pv name fits NAME_MAX');
  t.equal(defaultDirectoryName({ namespace: 'n'.repeat(63), name: 'c'.repeat(253), pvName: 'pvc-1234' }), long, 'stable');
  t.end();
});
