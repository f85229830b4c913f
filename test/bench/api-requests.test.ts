import t from 'tap';
import type { RequestEntry } from '../../harness/apiserver/index.ts';
import { perClaim, requestKey, summarize } from '../../bench/api-requests.ts';

const entry = (verb: string, resource: string | undefined, userAgent: string, time: number, subresource?: string): RequestEntry => ({
  verb,
  method: 'GET',
  path: resource ? `/api/v1/${resource}?watch=true` : '/version?timeout=32s',
  ...(resource ? { resource } : {}),
  ...(subresource ? { subresource } : {}),
  userAgent,
  code: 200,
  durationMs: 1,
  time,
});

void t.test('only the provisioner\'s requests in the window are counted, by verb and resource', (t) => {
  const log = [
    entry('create', 'persistentvolumes', 'nfs-provisioner-ts/0.1.0', 100),
    entry('create', 'events', 'nfs-provisioner-ts/0.1.0', 101),
    entry('get', 'persistentvolumeclaims', 'nfs-subdir-external-provisioner/v0.0.0 (linux/amd64) kubernetes/$Format', 102),
    entry('update', 'persistentvolumes', 'harness-controller-manager', 103, 'status'),
    entry('create', 'persistentvolumeclaims', 'nfs-bench', 104),
    entry('create', 'persistentvolumes', 'nfs-provisioner-ts/0.1.0', 200),
    entry('get', undefined, 'nfs-provisioner-ts/0.1.0', 150),
  ];
  const s = summarize(log, 100, 200);
  t.equal(s.total, 4);
  t.equal(s.gets, 2);
  t.same(s.byKey, { 'create events': 1, 'create persistentvolumes': 1, 'get /version': 1, 'get persistentvolumeclaims': 1 });
  t.same(s.userAgents, ['nfs-provisioner-ts/0.1.0', 'nfs-subdir-external-provisioner/v0.0.0 (linux/amd64) kubernetes/$Format']);
  t.equal(requestKey(log[3] as RequestEntry), 'update persistentvolumes/status');
  t.same(perClaim({ 'create persistentvolumes': 1000, 'create events': 2001 }, 1000), { 'create persistentvolumes': 1, 'create events': 2.001 });
  t.end();
});
