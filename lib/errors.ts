// Typed errors decide what the controller does with a failure:
// - TransientError: retry with capped exponential backoff (API hiccup, fs timeout, NFS busy).
// - PermanentError: the input is wrong (bad class parameter, unsafe path, unsupported claim):
//   report it as an event and wait for the claim or class to change; no hot retry loop.
// - IgnoredError: not ours or nothing to do; drop quietly.
// Anything else that is thrown is treated as transient.

export type ErrorKind = 'transient' | 'permanent' | 'ignored';

export class ProvisionerError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
    this.name = new.target.name;
  }
}

export class TransientError extends ProvisionerError {
  constructor(message: string, options?: ErrorOptions) {
    super('transient', message, options);
  }
}

export class PermanentError extends ProvisionerError {
  constructor(message: string, options?: ErrorOptions) {
    super('permanent', message, options);
  }
}

export class IgnoredError extends ProvisionerError {
  constructor(message: string, options?: ErrorOptions) {
    super('ignored', message, options);
  }
}

/** A file-system call on the export that did not finish within its timeout (a hung NFS server). */
export class FsTimeoutError extends TransientError {
  readonly operation: string;
  constructor(operation: string, timeoutMs: number) {
    super(`${operation} did not finish within ${timeoutMs} ms (is the NFS server answering?)`);
    this.operation = operation;
  }
}

/** Narrows an unknown thrown value to the decision it implies. */
export function errorKind(err: unknown): ErrorKind {
  return err instanceof ProvisionerError ? err.kind : 'transient';
}

/** A message for an unknown thrown value, never "[object Object]". */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
