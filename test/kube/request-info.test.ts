import t from 'tap';
import { requestInfo } from '../../lib/kube/request-info.ts';

void t.test('verbs and resources as the API server names them', (t) => {
  t.same(requestInfo('GET', 'http://h/api/v1/persistentvolumes?limit=500'), { verb: 'list', resource: 'persistentvolumes' });
  t.same(requestInfo('GET', 'http://h/api/v1/persistentvolumes?watch=true&resourceVersion=5'), { verb: 'watch', resource: 'persistentvolumes' });
  t.same(requestInfo('GET', 'http://h/apis/coordination.k8s.io/v1/namespaces/ns/leases/l'), { verb: 'get', resource: 'leases' });
  t.same(requestInfo('PUT', 'http://h/apis/coordination.k8s.io/v1/namespaces/ns/leases/l'), { verb: 'update', resource: 'leases' });
  t.same(requestInfo('POST', 'http://h/api/v1/namespaces/default/events'), { verb: 'create', resource: 'events' });
  t.same(requestInfo('PATCH', 'http://h/api/v1/persistentvolumes/pvc-1'), { verb: 'patch', resource: 'persistentvolumes' });
  t.same(requestInfo('DELETE', 'http://h/api/v1/persistentvolumes/pvc-1'), { verb: 'delete', resource: 'persistentvolumes' });
  t.same(requestInfo('PUT', 'http://h/api/v1/namespaces/a/persistentvolumeclaims/c/status'), { verb: 'update', resource: 'persistentvolumeclaims/status' });
  t.same(requestInfo('GET', 'http://h/api/v1/namespaces/default'), { verb: 'get', resource: 'namespaces' });
  t.end();
});
