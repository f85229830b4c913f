// Checks rendered objects against the Kubernetes API schemas, two ways:
// - kubernetes-models' JSON-schema validators: types, required fields, enums, formats;
// - @kubernetes/client-node's generated model metadata: every field must exist in the API
//   (the JSON schemas allow unknown fields, and a misspelt `readinessprobe` is silently ignored
//   by a real API server that is not in strict mode).
import * as k8s from '@kubernetes/client-node';
import { ConfigMap, Namespace, PersistentVolumeClaim, Pod, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1';
import type { KubeObject } from './render.ts';

interface Validatable {
  validate(): void;
}
// `never`: each model's constructor takes its own kind's shape; the rendered object is handed over
// unchecked, which is the point of validating it.
type ModelClass = new (data: never) => Validatable;

/** The kinds our manifests may contain; anything else is a test failure, not a silent pass. */
const models: Readonly<Record<string, ModelClass>> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Pod': Pod,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'storage.k8s.io/v1/StorageClass': StorageClass,
};

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}
interface ModelMetadata {
  getAttributeTypeMap(): Attribute[];
}

function modelMetadata(typeName: string): ModelMetadata | undefined {
  const candidate = (k8s as unknown as Record<string, unknown>)[typeName];
  if (typeof candidate !== 'function') return undefined;
  const getter = (candidate as unknown as Record<string, unknown>)['getAttributeTypeMap'];
  return typeof getter === 'function' ? (candidate as unknown as ModelMetadata) : undefined;
}

/** client-node's name for a top-level type: apps/v1 Deployment -> V1Deployment. */
function topLevelTypeName(o: KubeObject): string {
  const version = o.apiVersion.split('/').at(-1) ?? '';
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${o.kind}`;
}

/** Unknown fields and wrongly typed scalars under `value`, as JSON paths with a reason. */
function fieldProblems(value: unknown, type: string, path: string): string[] {
  const array = /^Array<(.+)>$/.exec(type);
  if (array?.[1] !== undefined) {
    if (!Array.isArray(value)) return [`${path}: expected a list`];
    const itemType = array[1];
    return value.flatMap((item, i) => fieldProblems(item, itemType, `${path}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map?.[1] !== undefined) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected a map`];
    const valueType = map[1];
    return Object.entries(value).flatMap(([k, v]) => fieldProblems(v, valueType, `${path}.${k}`));
  }
  switch (type) {
    case 'any':
      return [];
    case 'string':
    case 'Date':
      return typeof value === 'string' ? [] : [`${path}: expected a string`];
    case 'number':
      return typeof value === 'number' ? [] : [`${path}: expected a number`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
    case 'IntOrString':
      return typeof value === 'string' || typeof value === 'number' ? [] : [`${path}: expected an int or string`];
  }
  const model = modelMetadata(type);
  if (model === undefined) return [`${path}: no model metadata for type ${type}`];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected an object`];
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([k, v]) => {
    const fieldType = attributes.get(k);
    return fieldType === undefined ? [`${path}.${k}: unknown field`] : fieldProblems(v, fieldType, `${path}.${k}`);
  });
}

/** Every schema problem of one object, as readable lines; empty when the object is valid. */
export function schemaProblems(o: KubeObject): string[] {
  const where = `${o.kind}/${o.metadata.name}`;
  const Model = models[`${o.apiVersion}/${o.kind}`];
  if (Model === undefined) return [`${where}: no schema registered for ${o.apiVersion} ${o.kind}`];
  const problems: string[] = [];
  try {
    new (Model as unknown as new (data: KubeObject) => Validatable)(o).validate();
  } catch (err: unknown) {
    problems.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const typeName = topLevelTypeName(o);
  if (modelMetadata(typeName) === undefined) return [...problems, `${where}: no model metadata for ${typeName}`];
  return [...problems, ...fieldProblems(o, typeName, where)];
}
