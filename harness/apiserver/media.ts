// Content negotiation for resource requests, as the real server does it for built-in kinds
// (apiserver's endpoints/handlers/negotiation): request bodies in JSON, YAML or protobuf (no
// Content-Type means JSON, the first supported type), anything else 415; responses in JSON
// when the Accept header allows it, else 406. The real server would answer a protobuf Accept
// in protobuf; this one never encodes protobuf, which client-go takes when its Accept lists
// application/json as well (typed clients send "application/vnd.kubernetes.protobuf,
// application/json", the same header with which a real server answers CRDs in JSON).
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { readBody } from './http-util.ts';
import { PROTOBUF, decodeProtobuf } from './protobuf/index.ts';
import type { Expected } from './protobuf/index.ts';
import { ApiError, badRequest } from './status-errors.ts';

const JSON_TYPE = 'application/json';
const YAML_TYPE = 'application/yaml';
export const BODY_TYPES = [JSON_TYPE, YAML_TYPE, PROTOBUF];

// "Application/JSON; charset=utf-8" -> "application/json"; '' when absent.
export const mediaType = (header: string | undefined): string => (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

export const unsupportedMediaType = (accepted: readonly string[]): ApiError =>
  new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);

function parseText(text: string, yaml: boolean): unknown {
  if (text.trim() === '') return undefined;
  try {
    return yaml ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// The body of a create, update or delete: an object (or DeleteOptions) in any body type.
export async function objectBody(req: IncomingMessage, expected: Expected): Promise<unknown> {
  const type = mediaType(req.headers['content-type']) || JSON_TYPE;
  if (!BODY_TYPES.includes(type)) throw unsupportedMediaType(BODY_TYPES);
  const raw = await readBody(req);
  if (type === PROTOBUF) return raw.length === 0 ? undefined : decodeProtobuf(raw, expected);
  return parseText(raw.toString('utf8'), type === YAML_TYPE);
}

// The body of a PATCH: JSON, or YAML for apply patches; the patch type itself is checked by
// the patch dispatcher.
export async function patchBody(req: IncomingMessage, yaml: boolean): Promise<unknown> {
  return parseText((await readBody(req)).toString('utf8'), yaml);
}

// One media range of an Accept header matches JSON: application/json with any parameters
// (as=Table, stream=watch), application/*, */*.
function rangeAcceptsJson(range: string): boolean {
  const t = mediaType(range);
  return t === JSON_TYPE || t === 'application/*' || t === '*/*';
}

export function checkAccept(header: string | undefined): void {
  if (header === undefined || header.trim() === '') return;
  const ranges = header.split(',');
  if (ranges.some(rangeAcceptsJson)) return;
  const asked = ranges.map((r) => mediaType(r));
  if (asked.some((t) => BODY_TYPES.includes(t))) {
    throw new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${JSON_TYPE} (a real API server would answer ${asked.join(', ')}; the harness API server encodes JSON only)`);
  }
  throw new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${BODY_TYPES.join(', ')}`);
}
