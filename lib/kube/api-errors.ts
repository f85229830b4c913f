// Narrowing of errors from the API: our StatusError (rest-client.ts, watch ERROR events) and
// client-node's ApiException carry `code`, some errors `statusCode`; all become one number here.

export function statusCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as { code?: unknown; statusCode?: unknown };
  if (typeof record.code === 'number') return record.code;
  if (typeof record.statusCode === 'number') return record.statusCode;
  return undefined;
}

export const isNotFound = (error: unknown): boolean => statusCode(error) === 404;
export const isConflict = (error: unknown): boolean => statusCode(error) === 409;
/** 409 on create is AlreadyExists; callers that only create use this name for clarity. */
export const isAlreadyExists = (error: unknown): boolean => statusCode(error) === 409;
export const isGone = (error: unknown): boolean => statusCode(error) === 410;

/** An error carrying an HTTP status: a non-2xx answer (its Status as `body`) or a watch ERROR event. */
export class StatusError extends Error {
  readonly code: number;
  /** The Status reason (AlreadyExists, Conflict, Expired, ...), when the server gave one. */
  readonly reason: string | undefined;
  readonly body: unknown;
  constructor(code: number, message: string, details: { reason?: string; body?: unknown } = {}) {
    super(message);
    this.name = 'StatusError';
    this.code = code;
    this.reason = details.reason;
    this.body = details.body;
  }
}

/** The API server's message from an error's body (a Status), else the error's own message. */
export function apiErrorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const body = (error as { body?: unknown }).body;
    if (typeof body === 'string') {
      try {
        const parsed: unknown = JSON.parse(body);
        if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string') {
          return `${(parsed as { message: string }).message} (HTTP ${statusCode(error) ?? '?'})`;
        }
      } catch {
        // not JSON: fall through
      }
    }
    if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
      return `${(body as { message: string }).message} (HTTP ${statusCode(error) ?? '?'})`;
    }
  }
  if (error instanceof Error) {
    const code = statusCode(error);
    const first = error.message.split('\n')[0] ?? error.message;
    return code === undefined ? first : `${first.slice(0, 300)} (HTTP ${code})`;
  }
  return String(error);
}
