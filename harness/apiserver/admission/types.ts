// Admission: mutating plugins run synchronously on writes, before validation, like the real
// server's admission chain (only the plugins the storage flows need).
import type { KubeObject } from '../json.ts';
import type { ResourceType } from '../resource-type.ts';
import type { Store } from '../store.ts';
import type { Registry } from '../resources.ts';

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE';
  resource: ResourceType;
  object: KubeObject;
  old: KubeObject | undefined;
  store: Store;
  registry: Registry;
}

export interface AdmissionPlugin {
  name: string;
  admit(req: AdmissionRequest): void;
}
