// Environment (and optional --flag equivalents) -> one typed, validated, frozen Config.
// The variable names are a shared contract (CONVENTIONS.md) and match nfs-subdir-external-provisioner
// where that project has them. Every problem becomes a ConfigError whose message names the variable,
// so main.ts can print one line and exit 2 instead of a stack trace.
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface LeaderElectionConfig {
  readonly enabled: boolean;
  readonly namespace: string;
  readonly name: string;
  /** The lease holder identity (POD_NAME). */
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export interface Config {
  readonly nfsServer: string;
  readonly nfsPath: string;
  readonly provisionerName: string;
  readonly nfsMountPath: string;
  /** KUBECONFIG; absent = in-cluster service account. */
  readonly kubeconfig?: string;
  readonly logLevel: LogLevel;
  readonly httpListen: ListenAddress;
  readonly kubeApiQps: number;
  readonly kubeApiBurst: number;
  readonly workers: number;
  readonly leaderElection: LeaderElectionConfig;
  readonly fsTimeoutMs: number;
  readonly fsConcurrency: number;
  readonly resyncPeriodMs: number;
  /** First retry delay of a failing claim or volume (flag --retry-base-delay, default 1s). */
  readonly retryBaseDelayMs: number;
  /** Cap of the per-key exponential backoff (flag --retry-max-delay, default 5m). */
  readonly retryMaxDelayMs: number;
  /** USAGE_INTERVAL: a full usage pass this often (default 10m); 0 turns the walker off. */
  readonly usageIntervalMs: number;
}

/** Bad configuration: the message names the variable (or path) and says what is wrong. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** Every variable read, with its flag name (`--nfs-server` for NFS_SERVER). */
export const CONFIG_VARIABLES = [
  'NFS_SERVER', 'NFS_PATH', 'PROVISIONER_NAME', 'ENABLE_LEADER_ELECTION', 'NFS_MOUNT_PATH', 'KUBECONFIG',
  'LOG_LEVEL', 'HTTP_LISTEN', 'KUBE_API_QPS', 'KUBE_API_BURST', 'WORKERS', 'LEADER_ELECTION_NAMESPACE',
  'POD_NAMESPACE', 'LEADER_ELECTION_NAME', 'LEADER_ELECTION_LEASE_DURATION', 'LEADER_ELECTION_RENEW_DEADLINE',
  'LEADER_ELECTION_RETRY_PERIOD', 'FS_TIMEOUT', 'FS_CONCURRENCY', 'POD_NAME', 'RESYNC_PERIOD',
  // Flag-or-env extras of ours, beyond the shared list:
  'RETRY_BASE_DELAY', 'RETRY_MAX_DELAY', 'USAGE_INTERVAL',
] as const;
export type ConfigVariable = (typeof CONFIG_VARIABLES)[number];

export function flagName(variable: ConfigVariable): string {
  return variable.toLowerCase().replaceAll('_', '-');
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

/** A DNS-subdomain lease name from a provisioner name (`example.com/nfs` -> `example.com-nfs`). */
export function leaseNameFor(provisionerName: string): string {
  const name = provisionerName
    .toLowerCase()
    .replaceAll(/[^a-z0-9.-]+/gu, '-')
    .replaceAll(/\.{2,}/gu, '.')
    .replaceAll(/-*\.-*/gu, '.')
    .slice(0, 253)
    .replace(/^[^a-z0-9]+/u, '')
    .replace(/[^a-z0-9]+$/u, '');
  return name === '' ? 'nfs-provisioner' : name;
}

function isHostName(value: string): boolean {
  return isDnsSubdomain(value.toLowerCase());
}

function nfsServerProblem(value: string): string | undefined {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(bare) !== 0) return undefined;
  if (/^[\d.]+$/u.test(value)) return `"${value}" is not a valid IPv4 address`;
  return isHostName(value) ? undefined : `"${value}" is neither a host name nor an IP address`;
}

function parseListen(variable: string, value: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/u.exec(value);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) throw new ConfigError(variable, `"${value}" is not host:port (e.g. 0.0.0.0:8080 or [::]:8080)`);
  const host = match[1] ?? match[2] ?? '';
  if (host !== '' && isIP(host) === 0 && !isHostName(host)) throw new ConfigError(variable, `"${host}" is not a host name or IP address`);
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** strconv.ParseBool, as the Go project reads ENABLE_LEADER_ELECTION. */
function parseBool(variable: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new ConfigError(variable, `"${value}" is not a boolean (true or false)`);
}

function parseInteger(variable: string, value: string, min: number, max: number): number {
  const n = /^\d+$/u.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigError(variable, `"${value}" must be a whole number from ${min} to ${max}`);
  return n;
}

function parsePositiveNumber(variable: string, value: string): number {
  const n = /^\d+(\.\d+)?$|^\.\d+$/u.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(variable, `"${value}" must be a positive number`);
  return n;
}

function parseDuration(variable: string, value: string): number {
  const ms = parseGoDuration(value);
  if (ms === undefined) throw new ConfigError(variable, `"${value}" is not a duration (Go syntax, e.g. 15s, 500ms, 1m30s)`);
  if (ms <= 0) throw new ConfigError(variable, `"${value}" must be longer than zero`);
  return ms;
}

/** A duration where 0 means "off". */
function parseDurationOrOff(variable: string, value: string): number {
  const ms = parseGoDuration(value);
  if (ms === undefined) throw new ConfigError(variable, `"${value}" is not a duration (Go syntax, e.g. 10m, 30s; 0 turns it off)`);
  if (ms < 0) throw new ConfigError(variable, `"${value}" must not be negative (0 turns it off)`);
  if (ms > 0 && ms < 1000) throw new ConfigError(variable, `"${value}" is shorter than 1s; a full pass over every volume that often would only load the export`);
  return ms;
}

function absolutePath(variable: string, value: string): string {
  if (!value.startsWith('/')) throw new ConfigError(variable, `"${value}" must be an absolute path`);
  if (value.includes('\0')) throw new ConfigError(variable, 'must not contain NUL characters');
  return value;
}

type Source = Readonly<Record<string, string | undefined>>;

/** Turns `--nfs-server x` style flags into a variable map; unknown flags are a ConfigError. */
export function flagsToVariables(argv: readonly string[]): Record<string, string> {
  const options = Object.fromEntries(CONFIG_VARIABLES.map((v) => [flagName(v), { type: 'string' as const }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  } catch (error: unknown) {
    throw new ConfigError('command line', error instanceof Error ? error.message : String(error));
  }
  const out: Record<string, string> = {};
  for (const variable of CONFIG_VARIABLES) {
    const value = parsed.values[flagName(variable)];
    if (typeof value === 'string') out[variable] = value;
  }
  return out;
}

/**
 * Reads the configuration: flags win over environment variables. Throws ConfigError.
 * `defaults.hostname` and `defaults.pid` make the default lease identity testable.
 */
export function loadConfig(
  env: Source,
  argv: readonly string[] = [],
  defaults: { hostname?: string; pid?: number } = {},
): Config {
  const source: Source = { ...env, ...flagsToVariables(argv) };
  const raw = (variable: ConfigVariable): string | undefined => {
    const value = source[variable]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const required = (variable: ConfigVariable): string => {
    const value = raw(variable);
    if (value === undefined) throw new ConfigError(variable, `is required (flag --${flagName(variable)})`);
    return value;
  };
  const withDefault = <T>(variable: ConfigVariable, fallback: T, parse: (name: string, value: string) => T): T => {
    const value = raw(variable);
    return value === undefined ? fallback : parse(variable, value);
  };

  const provisionerName = required('PROVISIONER_NAME');
  const nameProblem = provisionerNameProblem(provisionerName);
  if (nameProblem !== undefined) throw new ConfigError('PROVISIONER_NAME', `"${provisionerName}" is not a valid provisioner name: ${nameProblem}`);

  const nfsServer = required('NFS_SERVER');
  const serverProblem = nfsServerProblem(nfsServer);
  if (serverProblem !== undefined) throw new ConfigError('NFS_SERVER', serverProblem);

  const nfsPath = absolutePath('NFS_PATH', required('NFS_PATH'));
  const nfsMountPath = withDefault('NFS_MOUNT_PATH', '/persistentvolumes', absolutePath);
  const kubeconfig = raw('KUBECONFIG');

  const logLevel = withDefault<LogLevel>('LOG_LEVEL', 'info', (name, value) => {
    const lower = value.toLowerCase();
    if (lower === 'error' || lower === 'warn' || lower === 'info' || lower === 'debug') return lower;
    throw new ConfigError(name, `"${value}" must be one of error, warn, info, debug`);
  });

  const httpListen = withDefault('HTTP_LISTEN', { host: '0.0.0.0', port: 8080 }, parseListen);
  // A client-side ceiling against a runaway loop, not a throttle: the Go provisioner's 5/s made a
  // 1000-claim burst take minutes. A burst of 1000 lets that many PV creates through at once (events
  // wait in a lower-priority lane); the API server's own priority and fairness is the real guard.
  const kubeApiQps = withDefault('KUBE_API_QPS', 200, parsePositiveNumber);
  const kubeApiBurst = withDefault('KUBE_API_BURST', 1000, (n, v) => parseInteger(n, v, 1, 1_000_000));
  const workers = withDefault('WORKERS', 16, (n, v) => parseInteger(n, v, 1, 1000));
  const fsTimeoutMs = withDefault('FS_TIMEOUT', 10_000, parseDuration);
  const fsConcurrency = withDefault('FS_CONCURRENCY', 2, (n, v) => parseInteger(n, v, 1, 64));
  const resyncPeriodMs = withDefault('RESYNC_PERIOD', 600_000, parseDuration);
  const retryBaseDelayMs = withDefault('RETRY_BASE_DELAY', 1000, parseDuration);
  const retryMaxDelayMs = withDefault('RETRY_MAX_DELAY', 300_000, parseDuration);
  if (retryMaxDelayMs < retryBaseDelayMs) throw new ConfigError('RETRY_MAX_DELAY', 'must not be shorter than RETRY_BASE_DELAY');
  const usageIntervalMs = withDefault('USAGE_INTERVAL', 600_000, parseDurationOrOff);

  const enabled = withDefault('ENABLE_LEADER_ELECTION', true, parseBool);
  const namespace = raw('LEADER_ELECTION_NAMESPACE') ?? raw('POD_NAMESPACE') ?? 'default';
  const namespaceVariable = raw('LEADER_ELECTION_NAMESPACE') === undefined ? 'POD_NAMESPACE' : 'LEADER_ELECTION_NAMESPACE';
  if (!isDnsLabel(namespace)) throw new ConfigError(namespaceVariable, `"${namespace}" is not a valid namespace name (DNS label)`);
  const leaseName = raw('LEADER_ELECTION_NAME') ?? leaseNameFor(provisionerName);
  if (!isDnsSubdomain(leaseName)) throw new ConfigError('LEADER_ELECTION_NAME', `"${leaseName}" is not a valid Lease name (DNS subdomain)`);
  const identity = raw('POD_NAME') ?? `${defaults.hostname ?? hostname()}-${defaults.pid ?? process.pid}`;
  if (identity.length > 253) throw new ConfigError('POD_NAME', 'must have at most 253 characters');
  const leaseDurationMs = withDefault('LEADER_ELECTION_LEASE_DURATION', 15_000, parseDuration);
  const renewDeadlineMs = withDefault('LEADER_ELECTION_RENEW_DEADLINE', 10_000, parseDuration);
  const retryPeriodMs = withDefault('LEADER_ELECTION_RETRY_PERIOD', 2_000, parseDuration);
  if (leaseDurationMs < 1000) throw new ConfigError('LEADER_ELECTION_LEASE_DURATION', 'must be at least 1s (Leases count whole seconds)');
  if (renewDeadlineMs >= leaseDurationMs) throw new ConfigError('LEADER_ELECTION_RENEW_DEADLINE', 'must be shorter than LEADER_ELECTION_LEASE_DURATION');
  if (retryPeriodMs >= renewDeadlineMs) throw new ConfigError('LEADER_ELECTION_RETRY_PERIOD', 'must be shorter than LEADER_ELECTION_RENEW_DEADLINE');

  const config: Config = {
    nfsServer,
    nfsPath,
    provisionerName,
    nfsMountPath,
    ...(kubeconfig === undefined ? {} : { kubeconfig }),
    logLevel,
    httpListen: Object.freeze(httpListen),
    kubeApiQps,
    kubeApiBurst,
    workers,
    leaderElection: Object.freeze({ enabled, namespace, name: leaseName, identity, leaseDurationMs, renewDeadlineMs, retryPeriodMs }),
    fsTimeoutMs,
    fsConcurrency,
    resyncPeriodMs,
    retryBaseDelayMs,
    retryMaxDelayMs,
    usageIntervalMs,
  };
  return Object.freeze(config);
}

/**
 * Checks that the export mount exists, is a directory and is writable, within the fs timeout
 * (a hung NFS mount must not hang start-up). Throws ConfigError naming NFS_MOUNT_PATH and the path.
 */
export async function checkMountPath(path: string, timeoutMs: number): Promise<void> {
  const variable = 'NFS_MOUNT_PATH';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ConfigError(variable, `${path} did not answer within ${timeoutMs} ms (is the NFS export hung?)`)), timeoutMs);
    timer.unref();
  });
  const check = async (): Promise<void> => {
    let stats;
    try {
      stats = await stat(path);
    } catch (error: unknown) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(variable, code === 'ENOENT' ? `${path} does not exist (is the export mounted?)` : `${path} cannot be read (${code ?? 'error'})`);
    }
    if (!stats.isDirectory()) throw new ConfigError(variable, `${path} is not a directory`);
    try {
      await access(path, fsConstants.W_OK);
    } catch (error: unknown) {
      throw new ConfigError(variable, `${path} is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  try {
    await Promise.race([check(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
