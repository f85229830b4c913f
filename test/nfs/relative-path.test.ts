import t from 'tap';
import { parseRelativePath } from '../../lib/nfs/relative-path.ts';

void t.test('plain relative paths are split', (t) => {
  t.same(parseRelativePath('a'), { ok: true, components: ['a'] });
  t.same(parseRelativePath('ns/claim/x'), { ok: true, components: ['ns', 'claim', 'x'] });
  t.same(parseRelativePath('archived-x/.hidden/...'), { ok: true, components: ['archived-x', '.hidden', '...'] });
  t.end();
});

void t.test('anything that could leave or be the root is refused', (t) => {
  for (const [path, message] of [
    ['', /export root/],
    ['/etc', /absolute/],
    ['..', /"\.\."/],
    ['a/../../etc', /"\.\."/],
    ['./a', /"\."/],
    ['a//b', /empty/],
    ['a/', /empty/],
    ['a\0b', /NUL/],
    ['x'.repeat(256), /longer than 255/],
    [Array.from({ length: 20 }, () => 'y'.repeat(250)).join('/'), /longer than 4096/],
  ] as const) {
    const result = parseRelativePath(path);
    t.notOk(result.ok, JSON.stringify(path.slice(0, 20)));
    if (!result.ok) t.match(result.message, message);
  }
  t.end();
});
