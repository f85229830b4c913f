import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { AuditRequestLog } from '../../../harness/control-plane/audit-log.ts';

function event(fields: Record<string, unknown>): string {
  return `${JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', ...fields })}\n`;
}

void t.test('audit events become request entries; a watch counts once, from its start', (t) => {
  const file = join(t.testdir(), 'audit.log');
  writeFileSync(file, '');
  const log = new AuditRequestLog(file);
  t.equal(log.count(), 0, 'empty log');
  appendFileSync(
    file,
    event({
      auditID: 'a',
      stage: 'ResponseComplete',
      verb: 'create',
      requestURI: '/api/v1/persistentvolumes',
      userAgent: 'nfs-provisioner-ts/0.1.0',
      user: { username: 'system:serviceaccount:nfs-provisioner:nfs-provisioner', groups: ['system:serviceaccounts'] },
      objectRef: { resource: 'persistentvolumes', apiVersion: 'v1', name: 'pvc-1' },
      responseStatus: { code: 201 },
      requestReceivedTimestamp: '2026-12-01T10:00:00.000000Z',
      stageTimestamp: '2026-12-01T10:00:00.012000Z',
    }) +
      event({
        auditID: 'w',
        stage: 'ResponseStarted',
        verb: 'watch',
        requestURI: '/api/v1/persistentvolumeclaims?watch=true',
        userAgent: 'nfs-provisioner-ts/0.1.0',
        objectRef: { resource: 'persistentvolumeclaims', apiVersion: 'v1' },
        responseStatus: { code: 200 },
        requestReceivedTimestamp: '2026-12-01T10:00:01.000000Z',
        stageTimestamp: '2026-12-01T10:00:01.001000Z',
      }),
  );
  t.equal(log.count({ verb: 'create', resource: 'persistentvolumes', code: 201 }), 1);
  t.equal(log.entries({ verb: 'create' })[0]?.durationMs, 12, 'duration from the two timestamps');
  t.equal(log.entries({ verb: 'create' })[0]?.apiGroup, '', 'core group is ""');
  t.equal(log.entries({ verb: 'create' })[0]?.user, 'system:serviceaccount:nfs-provisioner:nfs-provisioner', 'the authenticated user');
  t.notOk('user' in (log.entries({ verb: 'watch' })[0] ?? {}), 'no user field when the event names none');
  t.equal(log.count({ verb: 'watch', userAgent: 'nfs-provisioner-ts' }), 1);
  t.equal(log.entries({ verb: 'watch' })[0]?.durationMs, -1, 'open watch');
  // A half-written line is not read until its newline arrives.
  const complete = event({
    auditID: 'w',
    stage: 'ResponseComplete',
    verb: 'watch',
    requestURI: '/api/v1/persistentvolumeclaims?watch=true',
    responseStatus: { code: 200 },
    requestReceivedTimestamp: '2026-12-01T10:00:01.000000Z',
    stageTimestamp: '2026-12-01T10:00:31.000000Z',
  });
  appendFileSync(file, complete.slice(0, 40));
  t.equal(log.count({ verb: 'watch' }), 1);
  appendFileSync(file, complete.slice(40));
  t.equal(log.count({ verb: 'watch' }), 1, 'the watch still counts once');
  t.equal(log.entries({ verb: 'watch' })[0]?.durationMs, 30_000, 'closed watch: its duration');
  log.reset();
  t.equal(log.count(), 0, 'reset forgets what was read');
  t.end();
});
