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

void t.test('a predicate picks the subject (the real server: by user); failures are counted by code', (t) => {
  const log: RequestEntry[] = [
    { ...entry('get', 'persistentvolumes', 'Go-http-client/2.0', 100), user: 'system:serviceaccount:default:go', code: 404 },
    { ...entry('get', 'storageclasses', 'Go-http-client/2.0', 101), user: 'system:serviceaccount:default:go', code: 403 },
    { ...entry('create', 'persistentvolumes', 'Go-http-client/2.0', 102), user: 'system:serviceaccount:default:go', code: 201 },
    { ...entry('update', 'persistentvolumes', 'kube-controller-manager/v1.37.2', 103), user: 'system:serviceaccount:kube-system:persistent-volume-binder' },
  ];
  const s = summarize(log, 0, 1000, (e) => e.user === 'system:serviceaccount:default:go');
  t.equal(s.total, 3);
  t.same(s.errors, { 'get persistentvolumes 404': 1, 'get storageclasses 403': 1 });
  t.end();
});
