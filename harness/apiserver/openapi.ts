// OpenAPI v3 documents, just enough for kubectl: `kubectl apply` (validate=strict by default) looks
// up the PATCH operation of the object's kind and its `fieldValidation` query parameter; when found
// it leaves validation to the server instead of validating client-side against schemas. Without
// a request body schema kubectl computes apply patches from its built-in types. /openapi/v2 is not
// served (404), which kubectl treats as "no v2 schema" and falls back likewise.
import { createHash } from 'node:crypto';
import type { Registry } from './resources.ts';
import type { ResourceType } from './resource-type.ts';

const gvPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);

const queryParam = (name: string, type = 'string'): Record<string, unknown> => ({
  name,
  in: 'query',
  description: name,
  schema: { type, uniqueItems: true },
});

function operations(r: ResourceType): Record<string, unknown> {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const op = (action: string, params: Record<string, unknown>[]): Record<string, unknown> => ({
    operationId: `${action}${r.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    parameters: params,
    responses: { '200': { description: 'OK' } },
  });
  const writeParams = [queryParam('dryRun'), queryParam('fieldManager'), queryParam('fieldValidation')];
  return {
    get: op('get', []),
    put: op('put', writeParams),
    patch: op('patch', [...writeParams, queryParam('force', 'boolean')]),
    delete: op('delete', [queryParam('dryRun')]),
  };
}

export function openApiV3Doc(registry: Registry, group: string, version: string): Record<string, unknown> | undefined {
  const rs = registry.all.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const r of rs) {
    // Create-only kinds (reviews) have no object path.
    if (!r.verbs.includes('get')) continue;
    const base = `/${gvPath(group, version)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
    paths[`${base}/{name}`] = {
      ...operations(r),
      parameters: [
        { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        ...(r.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }] : []),
      ],
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-harness' },
    paths,
    components: { schemas: {} },
  };
}

export function openApiV3Index(registry: Registry): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const { group, version } of registry.groupVersions()) {
    const doc = JSON.stringify(openApiV3Doc(registry, group, version));
    const hash = createHash('sha512').update(doc).digest('hex').slice(0, 128).toUpperCase();
    paths[gvPath(group, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}` };
  }
  return { paths };
}
