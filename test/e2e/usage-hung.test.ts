// A frozen export (bindfs under SIGSTOP between the export and the provisioner's mount path): the
// usage walker stops walking (its calls wait at the pause gate, or queued behind the hung calls
// that hold the export's slots, never more than those), /metrics keeps answering, no measurement
// fails for it, and after the thaw the walker goes on and a full pass counts every file again.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { availability, startPassThroughMount } from '../../harness/nfs/index.ts';
import { DIRECTORY_ANNOTATION, eventually, setupE2E } from './helpers/e2e.ts';

/** The sum of a metric's samples (every label set). */
function metric(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

void t.test('a frozen export pauses the walker; it resumes after the thaw', async (t) => {
  const can = availability({ need: 'hung-mount' });
  if (!can.ok) {
    t.pass('walker pause on a frozen export', { skip: can.message });
    return;
  }
  const e2e = await setupE2E(t);
  const target = join(e2e.root, 'mount');
  mkdirSync(target);
  const mount = await startPassThroughMount({ source: e2e.exportDir, target });
  t.teardown(() => mount.stop());
  await e2e.createClass('nfs-hung');
  const proc = await e2e.provisioner({ exportDir: target, env: { USAGE_INTERVAL: '1s', FS_TIMEOUT: '2s' } });
  await e2e.createClaim('data', { storageClassName: 'nfs-hung' });
  const { pv } = await e2e.waitBound('data');
  const dir = join(e2e.exportDir, pv.metadata?.annotations?.[DIRECTORY_ANNOTATION] ?? '');
  for (let i = 0; i < 200; i++) writeFileSync(join(dir, `f${i}`), 'x');
  const finished = (after: number) => (l: { at: number; json?: Record<string, unknown> }): boolean =>
    l.at > after && l.json?.['message'] === 'usage pass finished' && l.json['files'] === 200;
  await proc.waitForLog(finished(0), 20_000);
  const metrics = async (): Promise<string> => (await fetch(`${proc.httpUrl}/metrics`, { signal: AbortSignal.timeout(3000) })).text();

  mount.hang();
  await eventually('readyz to say not ready', async () => (await fetch(`${proc.httpUrl}/readyz`, { signal: AbortSignal.timeout(3000) })).status === 503, 30_000);
  const passes = metric(await metrics(), 'nfs_provisioner_usage_passes_total');
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const frozen = await metrics();
  t.ok(metric(frozen, 'nfs_provisioner_usage_passes_total') <= passes + 1, 'no pass goes round while the export is frozen (at most the one in flight ends)');
  t.notOk(proc.logs.some((l) => l.json?.['message'] === 'could not measure volume usage'), 'the volume is waited for, not given up');

  const thawedAt = Date.now();
  mount.resume();
  const line = await proc.waitForLog(finished(thawedAt), 40_000);
  t.equal(line.json?.['files'], 200, 'a full pass after the thaw counts every file');
  t.equal(metric(await metrics(), 'nfs_provisioner_usage_errors_total'), 0, 'no measurement failed or was partial');
});
