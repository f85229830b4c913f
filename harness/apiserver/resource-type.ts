// What the server knows about one kind: its names, scope, subresources, selectable fields and
// validation. The registry (resources.ts) is a table of these.
import type { KubeObject } from './json.ts';
import type { StatusCause } from './status-errors.ts';

export type NameRule = 'subdomain' | 'label' | 'path-segment';

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  // What discovery lists and the router serves; the rest is 405 MethodNotAllowed.
  verbs: string[];
  // Has a /status subresource: the main resource ignores status changes, /status ignores the rest.
  hasStatus: boolean;
  nameRule: NameRule;
  // metadata.generation is set and bumped when anything outside metadata and status changes;
  // only the kinds whose real strategy does so (workloads, Pods), not ConfigMaps, claims...
  generation: boolean;
  // Field selectors beyond metadata.name / metadata.namespace, as Kubernetes supports per kind.
  fields: Record<string, (o: KubeObject) => string>;
  // Applied on create (and before validation on update, like defaulting in the real server).
  defaults?: (o: KubeObject) => void;
  // Required fields and value checks; `old` on update for immutability rules.
  validate?: (o: KubeObject, old: KubeObject | undefined) => StatusCause[];
  // Create-only kinds that are answered, not stored (reviews.ts).
  review?: (body: KubeObject) => KubeObject;
}

export const apiVersionOf = (r: Pick<ResourceType, 'group' | 'version'>): string =>
  r.group ? `${r.group}/${r.version}` : r.version;

export const resourceKey = (group: string, plural: string): string => `${group}/${plural}`;
