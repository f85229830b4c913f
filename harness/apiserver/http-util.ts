// Small HTTP helpers: JSON responses, Status failures, request bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './status-errors.ts';

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const apiErr = err instanceof ApiError ? err : new ApiError(500, 'InternalError', `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`);
  const headers: Record<string, string> = {};
  if (apiErr.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(apiErr.details.retryAfterSeconds);
  sendJson(res, apiErr.code, apiErr.toStatus(), headers);
}

const MAX_BODY = 8 * 1024 * 1024;

// The raw bytes: a protobuf body is not text.
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 8388608'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
