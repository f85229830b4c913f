import t from 'tap';
import { usageAnnotationPatch, USAGE_UPDATED_ANNOTATION, USED_BYTES_ANNOTATION, USED_FILES_ANNOTATION } from '../../lib/controller/usage-annotations.ts';

const HOUR = 3_600_000;
const t0 = Date.parse('2026-01-01T00:00:00Z');
const written = (bytes: number, files: number, at = t0): Record<string, string> => ({
  [USED_BYTES_ANNOTATION]: String(bytes),
  [USED_FILES_ANNOTATION]: String(files),
  [USAGE_UPDATED_ANNOTATION]: new Date(at).toISOString(),
});

void t.test('the first measurement is written at once', (t) => {
  t.same(usageAnnotationPatch(undefined, { bytes: 4096, files: 1 }, t0), {
    metadata: { annotations: { [USED_BYTES_ANNOTATION]: '4096', [USED_FILES_ANNOTATION]: '1', [USAGE_UPDATED_ANNOTATION]: '2026-01-01T00:00:00Z' } },
  });
  t.ok(usageAnnotationPatch({ [USED_BYTES_ANNOTATION]: 'garbage' }, { bytes: 1, files: 1 }, t0), 'unreadable annotations are rewritten');
  t.end();
});

void t.test('at most once an hour, and only for a change of more than 1 %', (t) => {
  const before = written(1_000_000, 1000);
  t.equal(usageAnnotationPatch(before, { bytes: 2_000_000, files: 1000 }, t0 + HOUR - 1), undefined, 'a big change within the hour waits');
  t.ok(usageAnnotationPatch(before, { bytes: 2_000_000, files: 1000 }, t0 + HOUR), 'and is written after it');
  t.equal(usageAnnotationPatch(before, { bytes: 1_010_000, files: 1010 }, t0 + 5 * HOUR), undefined, 'exactly 1 % is not more than 1 %');
  t.ok(usageAnnotationPatch(before, { bytes: 1_000_000, files: 1011 }, t0 + HOUR), 'files alone count');
  t.ok(usageAnnotationPatch(before, { bytes: 989_000, files: 1000 }, t0 + HOUR), 'shrinking counts');
  t.ok(usageAnnotationPatch(written(0, 0), { bytes: 4096, files: 0 }, t0 + HOUR), 'anything is more than 1 % of nothing');
  t.equal(usageAnnotationPatch(written(0, 0), { bytes: 0, files: 0 }, t0 + HOUR), undefined);
  t.equal(usageAnnotationPatch(written(1, 1, t0 + HOUR), { bytes: 100, files: 100 }, t0), undefined, 'a write from the future counts as recent');
  t.end();
});
