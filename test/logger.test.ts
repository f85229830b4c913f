import t from 'tap';
import { claimLogger, volumeLogger } from '../lib/logger.ts';
import { memoryLogger } from './kube/silent-logger.ts';

void t.test('JSON lines with level, and the claim on every claim line', async (t) => {
  const { logger, lines } = memoryLogger('info');
  const log = claimLogger(logger, 'default', 'data');
  log.info('provisioning', { pv: 'pvc-1' });
  log.warn('failed');
  log.debug('hidden below the level');
  volumeLogger(logger, 'pvc-1', 'default/data').info('reclaimed');
  logger.info('plain');
  await new Promise((r) => setImmediate(r));
  t.equal(lines.length, 4);
  t.match(lines[0], { level: 'info', message: 'provisioning', claim: 'default/data', pv: 'pvc-1' });
  t.match(lines[1], { level: 'warn', claim: 'default/data' });
  t.match(lines[2], { pv: 'pvc-1', claim: 'default/data' });
  t.notOk('claim' in (lines[3] ?? {}));
  t.type(lines[0]?.['timestamp'], 'string');
});
