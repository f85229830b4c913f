// Bodies captured from the real kubectl 1.32 (`-v=9` prints them) decode to what its
// `--dry-run=client -o json` shows, minus the zero values Go's JSON omits; and the failures a
// client can meet: a body without the envelope (400, as the real server), a kind or a set field
// this harness does not decode (415 naming it).
import t from 'tap';
import { decodeProtobuf } from '../../../../harness/apiserver/protobuf/index.ts';
import { ApiError } from '../../../../harness/apiserver/status-errors.ts';
import { envelope, msg, str } from './write.ts';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const none = { apiVersion: '', kind: '' };

// kubectl create namespace demo
const NS = '6b3873000a0f0a02763112094e616d657370616365121c0a140a0464656d6f12001a0022002a0032003800420012001a020a001a002200';
// kubectl create configmap x --from-literal=a=b --from-literal=c=d
const CM = '6b3873000a0f0a0276311209436f6e6669674d617012230a110a017812001a0022002a0032003800420012060a016112016212060a01631201641a002200';
// kubectl create secret generic s --from-literal=a=b
const SECRET = '6b3873000a0c0a0276311206536563726574121d0a110a017312001a0022002a0032003800420012060a01611201621a001a002200';
// kubectl create serviceaccount sa1
const SA = '6b3873000a140a027631120e536572766963654163636f756e7412150a130a0373613112001a0022002a003200380042001a002200';
// kubectl create deployment web --image=nginx --port=80 --replicas=2 -- sleep 10
const DEPLOY =
  '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c3010a1f0a0377656212001a0022002a003200380042005a0a0a0361707012037765621291010802120c0a0a0a0361707012037765621a770a1c0a0012001a0022002a003200380042005a0a0a036170701203776562125712390a056e67696e7812056e67696e781a05736c6565701a0231302a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200';
// kubectl auth can-i create persistentvolumes
const SSAR =
  '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577124c0a100a0012001a0022002a00320038004200122e0a2c0a0764656661756c7412066372656174651a0022002a1170657273697374656e74766f6c756d657332003a001a08080012001a0020001a002200';
// kubectl create role r --verb=get --resource=pods --resource-name=x
const ROLE = '6b3873000a240a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311204526f6c6512250a110a017212001a0022002a0032003800420012100a0367657412001a04706f64732201781a002200';
// kubectl create service nodeport s1 --tcp=80:8080
const SVC =
  '6b3873000a0d0a02763112075365727669636512650a1d0a02733112001a0022002a003200380042005a090a036170701202733112400a1b0a0738302d38303830120354435018502207080010903f1a00280012090a03617070120273311a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200';
// kubectl create clusterrolebinding b --clusterrole=view --user=u --serviceaccount=default:sa
const CRB =
  '6b3873000a320a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f76311212436c7573746572526f6c6542696e64696e67128c010a110a016212001a0022002a0032003800420012260a04557365721219726261632e617574686f72697a6174696f6e2e6b38732e696f1a01752200121f0a0e536572766963654163636f756e7412001a027361220764656661756c741a2e0a19726261632e617574686f72697a6174696f6e2e6b38732e696f120b436c7573746572526f6c651a04766965771a002200';

void t.test('what kubectl create sends', (t) => {
  t.same(decodeProtobuf(hex(NS), none), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' }, spec: {}, status: {} });
  t.same(decodeProtobuf(hex(CM), none), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b', c: 'd' } });
  t.same(decodeProtobuf(hex(SECRET), none), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'Yg==' } }, 'data as base64; the empty type is left to defaulting');
  t.same(decodeProtobuf(hex(SA), none), { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa1' } });
  t.same(decodeProtobuf(hex(DEPLOY), none), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx', command: ['sleep', '10'], ports: [{ containerPort: 80 }], resources: {} }] },
      },
      strategy: {},
    },
    status: {},
  });
  t.same(decodeProtobuf(hex(ROLE), none), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'r' },
    rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] }],
  });
  t.same(decodeProtobuf(hex(SVC), none), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's1', labels: { app: 's1' } },
    spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 's1' }, type: 'NodePort' },
    status: { loadBalancer: {} },
  });
  t.same(decodeProtobuf(hex(CRB), none), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'b' },
    subjects: [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'u' },
      { kind: 'ServiceAccount', name: 'sa', namespace: 'default' },
    ],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
  });
  t.end();
});

void t.test('what kubectl auth can-i sends', (t) => {
  t.same(decodeProtobuf(hex(SSAR), none), {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: {},
    spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'persistentvolumes' } },
    status: { allowed: false },
  });
  t.end();
});

void t.test('the envelope', (t) => {
  const plain = envelope('', '', msg(1, str(1, 'n')));
  t.same(decodeProtobuf(plain, { apiVersion: 'v1', kind: 'ConfigMap' }), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n' } }, 'no typeMeta: the endpoint kind');
  t.same(decodeProtobuf(envelope('apps/v1', 'DeleteOptions', str(4, 'Foreground')), none), { apiVersion: 'apps/v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground' });
  const noMagic = (): unknown => decodeProtobuf(hex(NS).subarray(4), none);
  t.throws(noMagic, { code: 400, reason: 'BadRequest', message: /expected prefix \[107 56 115 0\]/ });
  t.ok((() => {
    try {
      noMagic();
    } catch (err) {
      return err instanceof ApiError;
    }
    return false;
  })(), 'an ApiError, which the router answers as a Status');
  t.end();
});

void t.test('what this harness does not decode is refused, not stored in part', (t) => {
  t.throws(() => decodeProtobuf(envelope('v1', 'Pod', msg(1, str(1, 'p'))), none), { code: 415, reason: 'UnsupportedMediaType', message: /cannot decode Pod in version "v1"/ });
  // spec.template.spec.volumes (PodSpec field 1) is outside the schema.
  const withVolume = envelope('apps/v1', 'Deployment', msg(2, msg(3, msg(2, msg(1, str(1, 'data'))))));
  t.throws(() => decodeProtobuf(withVolume, none), { code: 415, message: /field 1 of k8s\.io\.api\.core\.v1\.PodSpec at spec\.template\.spec/ });
  t.end();
});
