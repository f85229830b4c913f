// The admission chain the server runs by default, in the real server's order.
import { defaultStorageClass } from './default-storage-class.ts';
import { storageObjectInUseProtection } from './storage-object-in-use-protection.ts';
import type { AdmissionPlugin } from './types.ts';

export type { AdmissionPlugin, AdmissionRequest } from './types.ts';
export const defaultAdmissionPlugins: readonly AdmissionPlugin[] = [defaultStorageClass, storageObjectInUseProtection];
