// Environment (and optional --flag equivalents) -> one typed, validated, frozen Config.
// The variable names are a shared contract (CONVENTIONS.md) and match nfs-subdir-external-provisioner
// where that project has them. Every problem becomes a ConfigError whose message names the variable,
// so main.ts can print one line and exit 2 instead of a stack trace.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import {
  absolutePath,
  ConfigError,
  isDnsLabel,
  isDnsSubdomain,
  isHostName,
  nfsServerProblem,
  parseBool,
  parseDuration,
  parseDurationOrOff,
  parseInteger,
  parsePositiveNumber,
  provisionerNameProblem,
} from './config-values.ts';
import { checkExportSet, DEFAULT_EXPORT_NAME, EXPORTS_FILE_VARIABLE, MAX_FS_CONCURRENCY, parseExportsFile } from './export-config.ts';
import type { ExportConfig } from './export-config.ts';

export { ConfigError, isDnsLabel, isDnsSubdomain, parseGoDuration, provisionerNameProblem } from './config-values.ts';
export type { ExportConfig } from './export-config.ts';

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
  /** The default export's NFS_SERVER, NFS_PATH and NFS_MOUNT_PATH (also `exports[0]`). */
  readonly nfsServer: string;
  readonly nfsPath: string;
  /** The first name of PROVISIONER_NAME: the Lease name, the log field. */
  readonly provisionerName: string;
  /**
   * Every provisioner name this install answers for: PROVISIONER_NAME (a comma-separated list),
   * then each export's provisionerNames; no repeats.
   */
  readonly provisionerNames: readonly string[];
  readonly nfsMountPath: string;
  /** The `default` export first, then those of NFS_EXPORTS_FILE in file order. */
  readonly exports: readonly ExportConfig[];
  /** NFS_EXPORTS_FILE, when set. */
  readonly exportsFile?: string;
  /**
   * UV_THREADPOOL_SIZE as libuv will read it (default 4): every export's fs concurrency plus
   * THREADS_FOR_THE_PROCESS must fit, so that hung exports never hold every thread.
   */
  readonly threadPoolSize: number;
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

/** Every variable read, with its flag name (`--nfs-server` for NFS_SERVER). */
export const CONFIG_VARIABLES = [
  'NFS_SERVER', 'NFS_PATH', 'PROVISIONER_NAME', 'ENABLE_LEADER_ELECTION', 'NFS_MOUNT_PATH', 'KUBECONFIG',
  'LOG_LEVEL', 'HTTP_LISTEN', 'KUBE_API_QPS', 'KUBE_API_BURST', 'WORKERS', 'LEADER_ELECTION_NAMESPACE',
  'POD_NAMESPACE', 'LEADER_ELECTION_NAME', 'LEADER_ELECTION_LEASE_DURATION', 'LEADER_ELECTION_RENEW_DEADLINE',
  'LEADER_ELECTION_RETRY_PERIOD', 'FS_TIMEOUT', 'FS_CONCURRENCY', 'POD_NAME', 'RESYNC_PERIOD',
  // Flag-or-env extras of ours, beyond the shared list:
  'RETRY_BASE_DELAY', 'RETRY_MAX_DELAY', 'NFS_EXPORTS_FILE', 'USAGE_INTERVAL',
] as const;
export type ConfigVariable = (typeof CONFIG_VARIABLES)[number];

export function flagName(variable: ConfigVariable): string {
  return variable.toLowerCase().replaceAll('_', '-');
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

function parseListen(variable: string, value: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/u.exec(value);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) throw new ConfigError(variable, `"${value}" is not host:port (e.g. 0.0.0.0:8080 or [::]:8080)`);
  const host = match[1] ?? match[2] ?? '';
  if (host !== '' && isIP(host) === 0 && !isHostName(host)) throw new ConfigError(variable, `"${host}" is not a host name or IP address`);
  return { host: host === '' ? '0.0.0.0' : host, port };
}

type Source = Readonly<Record<string, string | undefined>>;

/**
 * libuv threads kept free of export fs calls: DNS look-ups, reading the service-account token and
 * other small fs work of the process itself go through the same pool.
 */
export const THREADS_FOR_THE_PROCESS = 2;
/** libuv's own default and ceiling of UV_THREADPOOL_SIZE. */
const LIBUV_DEFAULT_THREADS = 4;
const LIBUV_MAX_THREADS = 1024;

/** PROVISIONER_NAME: one name or a comma-separated list, each a valid provisioner name. */
function parseProvisionerNames(variable: string, value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  for (const name of names) {
    if (name === '') throw new ConfigError(variable, `"${value}" has an empty name in its list (names are separated by ",")`);
    const problem = provisionerNameProblem(name);
    if (problem !== undefined) throw new ConfigError(variable, `"${name}" is not a valid provisioner name: ${problem}`);
  }
  return [...new Set(names)];
}

/** Fails unless the exports' fs slots leave THREADS_FOR_THE_PROCESS of libuv's pool free. */
function checkThreadPool(exports: readonly ExportConfig[], threadPoolSize: number, explicit: boolean): void {
  const slots = exports.reduce((sum, e) => sum + e.fsConcurrency, 0);
  const needed = slots + THREADS_FOR_THE_PROCESS;
  if (needed <= threadPoolSize) return;
  const parts = exports.map((e) => `${e.name} ${e.fsConcurrency}`).join(' + ');
  throw new ConfigError(
    'UV_THREADPOOL_SIZE',
    `${threadPoolSize}${explicit ? '' : ' (unset: libuv\'s default)'} threads cannot hold the exports' fs concurrency (${parts}) plus ${THREADS_FOR_THE_PROCESS} for the process: set UV_THREADPOOL_SIZE to at least ${needed} (the image sets 16), or lower FS_CONCURRENCY / fsConcurrency`,
  );
}

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
  defaults: { hostname?: string; pid?: number; readFile?: (path: string) => string } = {},
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

  const listedNames = parseProvisionerNames('PROVISIONER_NAME', required('PROVISIONER_NAME'));
  const provisionerName = listedNames[0] ?? '';

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
  const fsConcurrency = withDefault('FS_CONCURRENCY', 2, (n, v) => parseInteger(n, v, 1, MAX_FS_CONCURRENCY));
  const resyncPeriodMs = withDefault('RESYNC_PERIOD', 600_000, parseDuration);
  const retryBaseDelayMs = withDefault('RETRY_BASE_DELAY', 1000, parseDuration);
  const retryMaxDelayMs = withDefault('RETRY_MAX_DELAY', 300_000, parseDuration);
  if (retryMaxDelayMs < retryBaseDelayMs) throw new ConfigError('RETRY_MAX_DELAY', 'must not be shorter than RETRY_BASE_DELAY');
  const usageIntervalMs = withDefault('USAGE_INTERVAL', 600_000, parseDurationOrOff);

  const exportsFileText = raw('NFS_EXPORTS_FILE');
  const exportsFile = exportsFileText === undefined ? undefined : absolutePath('NFS_EXPORTS_FILE', exportsFileText);
  const defaultExport: ExportConfig = Object.freeze({
    name: DEFAULT_EXPORT_NAME,
    server: nfsServer,
    path: nfsPath,
    mountPath: nfsMountPath,
    provisionerNames: Object.freeze([]),
    fsTimeoutMs,
    fsConcurrency,
  });
  const exports = [defaultExport, ...(exportsFile === undefined ? [] : readExportsFile(exportsFile, { fsTimeoutMs, fsConcurrency }, defaults.readFile))];
  checkExportSet(exports, exportsFile);
  const provisionerNames = [...new Set([...listedNames, ...exports.flatMap((e) => e.provisionerNames)])];
  const threadPoolText = env['UV_THREADPOOL_SIZE']?.trim();
  const threadPoolSize =
    threadPoolText === undefined || threadPoolText === '' ? LIBUV_DEFAULT_THREADS : parseInteger('UV_THREADPOOL_SIZE', threadPoolText, 1, LIBUV_MAX_THREADS);
  checkThreadPool(exports, threadPoolSize, threadPoolText !== undefined && threadPoolText !== '');

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
    provisionerNames: Object.freeze(provisionerNames),
    nfsMountPath,
    exports: Object.freeze(exports),
    ...(exportsFile === undefined ? {} : { exportsFile }),
    threadPoolSize,
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

/** Reads and parses NFS_EXPORTS_FILE; a file that cannot be read is a ConfigError naming it. */
function readExportsFile(path: string, defaults: { fsTimeoutMs: number; fsConcurrency: number }, readFile = (p: string): string => readFileSync(p, 'utf8')): ExportConfig[] {
  let text: string;
  try {
    text = readFile(path);
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(EXPORTS_FILE_VARIABLE, code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? 'error'})`);
  }
  return parseExportsFile(text, path, defaults);
}
