// Parsers of single configuration values, shared by config.ts (environment and flags) and
// export-config.ts (the exports file). Each throws a ConfigError naming the variable or field.
import { isIP } from 'node:net';

/** Bad configuration: the message names the variable (or path) and says what is wrong. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

const UNITS_MS: Readonly<Record<string, number>> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};

/** Parses a Go duration (`1h2m3.5s`, `500ms`, `0`) into milliseconds; undefined if malformed. */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([-+]?)(.*)$/u.exec(text.trim());
  const body = match?.[2] ?? '';
  if (body === '0') return 0;
  if (body === '') return undefined;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/uy;
  let total = 0;
  let index = 0;
  while (index < body.length) {
    part.lastIndex = index;
    const piece = part.exec(body);
    if (piece === null) return undefined;
    total += Number(piece[1]) * (UNITS_MS[piece[2] ?? ''] ?? Number.NaN);
    index = part.lastIndex;
  }
  if (!Number.isFinite(total)) return undefined;
  return match?.[1] === '-' ? -total : total;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/u;
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/u;

export function isDnsSubdomain(value: string): boolean {
  return value.length > 0 && value.length <= 253 && value.split('.').every((label) => label.length <= 63 && DNS_LABEL.test(label));
}

export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

/**
 * A provisioner name as Kubernetes validates StorageClass.provisioner: a qualified name, i.e. an
 * optional DNS-subdomain prefix and `/`, then a name of at most 63 characters (the check is on the
 * lower-cased value, so upper case is accepted).
 */
export function provisionerNameProblem(value: string): string | undefined {
  const lower = value.toLowerCase();
  const parts = lower.split('/');
  if (parts.length > 2) return 'at most one "/" is allowed (prefix/name)';
  const name = parts.at(-1) ?? '';
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (!isDnsSubdomain(prefix)) return `prefix "${prefix}" must be a DNS subdomain (lower-case letters, digits, "-" and ".")`;
  }
  if (name.length === 0 || name.length > 63) return 'the name part must have 1 to 63 characters';
  if (!QUALIFIED_NAME_PART.test(name)) {
    return 'the name part must consist of letters, digits, "-", "_" or ".", and start and end with a letter or digit';
  }
  return undefined;
}

export function isHostName(value: string): boolean {
  return isDnsSubdomain(value.toLowerCase());
}

export function nfsServerProblem(value: string): string | undefined {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(bare) !== 0) return undefined;
  if (/^[\d.]+$/u.test(value)) return `"${value}" is not a valid IPv4 address`;
  return isHostName(value) ? undefined : `"${value}" is neither a host name nor an IP address`;
}

/** strconv.ParseBool, as the Go project reads ENABLE_LEADER_ELECTION. */
export function parseBool(variable: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new ConfigError(variable, `"${value}" is not a boolean (true or false)`);
}

export function parseInteger(variable: string, value: string, min: number, max: number): number {
  const n = /^\d+$/u.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigError(variable, `"${value}" must be a whole number from ${min} to ${max}`);
  return n;
}

export function parsePositiveNumber(variable: string, value: string): number {
  const n = /^\d+(\.\d+)?$|^\.\d+$/u.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(variable, `"${value}" must be a positive number`);
  return n;
}

export function parseDuration(variable: string, value: string): number {
  const ms = parseGoDuration(value);
  if (ms === undefined) throw new ConfigError(variable, `"${value}" is not a duration (Go syntax, e.g. 15s, 500ms, 1m30s)`);
  if (ms <= 0) throw new ConfigError(variable, `"${value}" must be longer than zero`);
  return ms;
}

/** A duration where 0 means "off". */
export function parseDurationOrOff(variable: string, value: string): number {
  const ms = parseGoDuration(value);
  if (ms === undefined) throw new ConfigError(variable, `"${value}" is not a duration (Go syntax, e.g. 10m, 30s; 0 turns it off)`);
  if (ms < 0) throw new ConfigError(variable, `"${value}" must not be negative (0 turns it off)`);
  if (ms > 0 && ms < 1000) throw new ConfigError(variable, `"${value}" is shorter than 1s; a full pass over every volume that often would only load the export`);
  return ms;
}

export function absolutePath(variable: string, value: string): string {
  if (!value.startsWith('/')) throw new ConfigError(variable, `"${value}" must be an absolute path`);
  if (value.includes('\0')) throw new ConfigError(variable, 'must not contain NUL characters');
  return value;
}
