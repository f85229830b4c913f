// metav1.Status failures as the API server returns them (reason, code, details), thrown by the
// request handlers and turned into the response body by the router.
import type { JsonObject } from './json.ts';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): JsonObject {
    const body: JsonObject = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) body['details'] = JSON.parse(JSON.stringify(this.details)) as JsonObject;
    return body;
  }
}

export interface ResourceRef {
  group: string;
  plural: string;
}

const qualified = (r: ResourceRef): string => (r.group ? `${r.plural}.${r.group}` : r.plural);

export const notFound = (r: ResourceRef, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${qualified(r)} "${name}" not found`, { name, group: r.group, kind: r.plural });

export const alreadyExists = (r: ResourceRef, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, { name, group: r.group, kind: r.plural });

export const conflict = (r: ResourceRef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, {
    name,
    group: r.group,
    kind: r.plural,
  });

export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): ApiError {
  const list = causes.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`).join(', ');
  const what = group ? `${kind}.${group}` : kind;
  return new ApiError(422, 'Invalid', `${what} "${name}" is invalid: ${causes.length > 1 ? `[${list}]` : list}`, {
    name,
    group,
    kind,
    causes,
  });
}

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);

export const methodNotAllowed = (message = 'the server does not allow this method on the requested resource'): ApiError =>
  new ApiError(405, 'MethodNotAllowed', message);

export const expired = (message: string): ApiError => new ApiError(410, 'Expired', message);

export const gone = (message: string): ApiError => new ApiError(410, 'Gone', message);
