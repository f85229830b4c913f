import t from 'tap';
import { ExportStateError, NfsExport } from '../../lib/nfs/nfs-export.ts';
import { ExportHealth, exportReadinessChecks } from '../../lib/nfs/export-health.ts';
import type { ExportState } from '../../lib/nfs/nfs-export.ts';
import { FakeClock, flush } from '../kube/fake-clock.ts';
import { memoryLogger } from '../kube/silent-logger.ts';

type Mode = 'ok' | 'read-only' | 'hang';

/** An export whose probe the test steers (the real one is tested in nfs-export.test.ts). */
function steeredExport(name: string): { exported: NfsExport; set(mode: Mode): void; release(): void } {
  const exported = new NfsExport({ name, server: 's', path: `/srv/${name}`, mountPath: `/mnt/${name}`, fsTimeoutMs: 1000, fsConcurrency: 1 });
  let mode: Mode = 'ok';
  let release: () => void = () => undefined;
  exported.probe = () => {
    if (mode === 'ok') return Promise.resolve();
    if (mode === 'read-only') return Promise.reject(new ExportStateError('read-only', `the export "${name}" is read-only: EROFS`));
    return new Promise<void>((resolve) => (release = resolve));
  };
  return { exported, set: (m) => (mode = m), release: () => release() };
}

function healthOf(clock: FakeClock, steered: ReturnType<typeof steeredExport>, changes: ExportState[] = []): ExportHealth {
  return new ExportHealth({
    export: steered.exported,
    clock,
    logger: memoryLogger().logger,
    timeoutMs: 1000,
    intervalMs: 5000,
    onChange: (state) => changes.push(state),
  });
}

void t.test('the state follows the probe: ok, read-only, hung while a probe is overdue, ok again', async (t) => {
  const clock = new FakeClock();
  const steered = steeredExport('a');
  const changes: ExportState[] = [];
  const health = healthOf(clock, steered, changes);
  t.same(health.condition().state, 'unknown', 'not probed yet');
  health.start();
  await flush();
  t.same(health.condition(), { state: 'ok' });
  steered.set('read-only');
  await clock.advance(5000);
  t.match(health.condition(), { state: 'read-only', reason: /EROFS/ });
  steered.set('hang');
  await clock.advance(5000);
  await clock.advance(1001);
  t.match(health.condition(), { state: 'hung' });
  steered.set('ok');
  steered.release();
  await flush();
  await clock.advance(5000);
  t.same(health.condition(), { state: 'ok' });
  t.same(changes, ['ok', 'read-only', 'hung', 'ok'], 'each change reported once');
  health.stop();
});

void t.test('readiness: each export named; not ready only when none is usable (one export: when it is not)', async (t) => {
  const clock = new FakeClock();
  const a = steeredExport('a');
  const b = steeredExport('b');
  const healths = [healthOf(clock, a), healthOf(clock, b)];
  for (const h of healths) h.start();
  await flush();
  const checks = exportReadinessChecks(healths);
  t.same(checks.map((c) => [c.name, c.informational === true]), [['export:a', true], ['export:b', true], ['exports', false]]);
  t.same(checks.map((c) => c.problem()), [undefined, undefined, undefined]);
  b.set('read-only');
  await clock.advance(5000);
  t.match(checks.map((c) => c.problem()), [undefined, /^read-only: /, undefined], 'one bad export is named, the process stays ready');
  a.set('read-only');
  await clock.advance(5000);
  t.match(checks[2]?.problem(), 'none of the 2 exports is usable');
  const single = exportReadinessChecks([healths[0] as ExportHealth]);
  t.equal(single.length, 1);
  t.notOk(single[0]?.informational, 'a single export decides readiness itself');
  t.match(single[0]?.problem(), /^read-only/);
  for (const h of healths) h.stop();
});
