// Content negotiation over HTTP: which request body types the server reads (JSON, YAML,
// protobuf, none = JSON) and refuses (415 with the real server's list), and which Accept
// headers it answers (JSON, also for client-go's protobuf-then-JSON header) or refuses (406).
import t from 'tap';
import { startApiServer } from '../../../harness/apiserver/index.ts';
import { client } from './client.ts';
import { envelope, msg, str } from './protobuf/write.ts';

const server = await startApiServer();
t.teardown(() => server.stop());
const api = client(server);
const cms = '/api/v1/namespaces/default/configmaps';
const PB = 'application/vnd.kubernetes.protobuf';

const post = (path: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Response> =>
  fetch(server.url + path, { method: 'POST', body, headers });

void t.test('request bodies', async (t) => {
  const yaml = await api.req('POST', cms, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-yaml}\ndata: {a: b}\n', { 'Content-Type': 'application/yaml' });
  t.equal(yaml.status, 201, 'YAML');
  t.same(yaml.body['data'], { a: 'b' });
  const bare = await fetch(server.url + cms, { method: 'POST', body: new Blob(['{"metadata":{"name":"no-type"}}']) });
  t.equal(bare.status, 201, 'no Content-Type is JSON');
  // ConfigMap "from-pb" with data {k: v}, as kubectl encodes it.
  const pb = await post(cms, envelope('v1', 'ConfigMap', msg(1, str(1, 'from-pb')), msg(2, str(1, 'k'), str(2, 'v'))), { 'Content-Type': PB, Accept: `${PB},application/json` });
  t.equal(pb.status, 201, 'protobuf');
  t.equal(pb.headers.get('content-type'), 'application/json', 'answered in JSON, which the Accept allows');
  t.match(await pb.json(), { kind: 'ConfigMap', metadata: { name: 'from-pb', uid: /./ }, data: { k: 'v' } });
  t.same((await api.req('GET', `${cms}/from-pb`)).body['data'], { k: 'v' }, 'stored');
  const wrongKind = await post(cms, envelope('v1', 'Secret', msg(1, str(1, 'x'))), { 'Content-Type': PB });
  t.equal(wrongKind.status, 400, 'a Secret posted to configmaps');
  for (const type of ['text/plain', 'application/cbor', 'application/xml']) {
    const r = await post(cms, '{"metadata":{"name":"refused"}}', { 'Content-Type': type });
    t.equal(r.status, 415, type);
    t.match(await r.json(), {
      kind: 'Status',
      reason: 'UnsupportedMediaType',
      code: 415,
      message: 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    });
  }
  t.equal((await api.req('GET', `${cms}/refused`)).status, 404, 'nothing stored');
  const patch = await api.req('PATCH', `${cms}/from-pb`, '{"data":{}}', { 'Content-Type': PB });
  t.equal(patch.status, 415, 'protobuf is no patch type');
  t.match(patch.body['message'], /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json/);
});

void t.test('Accept', async (t) => {
  const get = (accept: string): Promise<Response> => fetch(server.url + cms, { headers: { Accept: accept } });
  for (const accept of ['application/json', `${PB},application/json`, 'application/json, */*', '*/*', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json']) {
    const r = await get(accept);
    t.equal(r.status, 200, accept);
    t.equal(r.headers.get('content-type'), 'application/json');
    await r.arrayBuffer();
  }
  const pbOnly = await get(PB);
  t.equal(pbOnly.status, 406, 'protobuf only: a real server answers protobuf, this one cannot, so it says so');
  t.match(await pbOnly.json(), { reason: 'NotAcceptable', message: /encodes JSON only/ });
  const html = await get('text/html');
  t.equal(html.status, 406);
  t.match(await html.json(), { message: 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf' });
});
