// The NFS exports one install serves: the `default` one from NFS_SERVER / NFS_PATH / NFS_MOUNT_PATH
// (as the Go project had it) and any number more from the YAML file NFS_EXPORTS_FILE names:
//
//   exports:
//     - name: second                     # DNS label: class parameter `export`, PV annotation, metric label
//       server: 10.0.0.11
//       path: /srv/nfs/second            # the export's path on the server, written into PVs
//       mountPath: /persistentvolumes-second
//       provisionerNames: [cluster.local/nfs-b]   # optional: classes of these provisioners use it
//       fsTimeout: 10s                   # optional, default FS_TIMEOUT
//       fsConcurrency: 2                 # optional, default FS_CONCURRENCY
//
// Every problem is a ConfigError of one line naming the export and the field, so an operator
// knows which entry to fix. Unknown fields are refused: this file is ours (no drop-in to keep), and
// a mistyped `mountpath` must not silently fall back to something else.
import { posix } from 'node:path';
import { parseDocument } from 'yaml';
import { absolutePath, ConfigError, isDnsLabel, nfsServerProblem, parseDuration, parseInteger, provisionerNameProblem } from './config-values.ts';

export const DEFAULT_EXPORT_NAME = 'default';
export const EXPORTS_FILE_VARIABLE = 'NFS_EXPORTS_FILE';
export const MAX_FS_CONCURRENCY = 64;

export interface ExportConfig {
  /** `default` for the export of NFS_SERVER / NFS_PATH / NFS_MOUNT_PATH. */
  readonly name: string;
  /** Written into every PV of the export (spec.nfs.server). */
  readonly server: string;
  /** The export's path on the server; PVs get it joined with their directory. */
  readonly path: string;
  /** Where this process sees the export. */
  readonly mountPath: string;
  /** Provisioner names whose classes use this export when they name none (empty: only by name). */
  readonly provisionerNames: readonly string[];
  readonly fsTimeoutMs: number;
  readonly fsConcurrency: number;
}

export interface ExportDefaults {
  readonly fsTimeoutMs: number;
  readonly fsConcurrency: number;
}

const FIELDS = ['name', 'server', 'path', 'mountPath', 'provisionerNames', 'fsTimeout', 'fsConcurrency'] as const;

export type ExportField = (typeof FIELDS)[number];

/** The variable behind each field of the default export. */
const ENV_VARIABLE: Readonly<Record<ExportField, string>> = {
  name: 'NFS_SERVER',
  server: 'NFS_SERVER',
  path: 'NFS_PATH',
  mountPath: 'NFS_MOUNT_PATH',
  provisionerNames: 'PROVISIONER_NAME',
  fsTimeout: 'FS_TIMEOUT',
  fsConcurrency: 'FS_CONCURRENCY',
};

/**
 * A ConfigError about one field of one export: the default export (from the environment) names
 * its variable, `NFS_MOUNT_PATH: ...`; the others `NFS_EXPORTS_FILE: <file>: export "x": mountPath: ...`.
 */
export function exportFieldError(exportName: string, field: ExportField, problem: string, file?: string, fromFile = exportName !== DEFAULT_EXPORT_NAME): ConfigError {
  if (!fromFile) return new ConfigError(ENV_VARIABLE[field], problem);
  return new ConfigError(EXPORTS_FILE_VARIABLE, `${file === undefined ? '' : `${file}: `}export "${exportName}": ${field}: ${problem}`);
}

function normalizedPath(path: string): string {
  const normalized = posix.normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/+$/u, '') : normalized;
}

/** True when `inner` is `outer` or lies below it (both absolute). */
function within(outer: string, inner: string): boolean {
  const a = normalizedPath(outer);
  const b = normalizedPath(inner);
  return a === b || a === '/' || b.startsWith(`${a}/`);
}

function describeValue(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : JSON.stringify(value);
}

type Entry = Readonly<Record<string, unknown>>;

/** One entry of the file; `where` names it before its name is known (`exports[2]`). */
function parseEntry(entry: unknown, where: string, file: string, defaults: ExportDefaults): ExportConfig {
  const fail = (label: string, field: string, problem: string): never => {
    throw new ConfigError(EXPORTS_FILE_VARIABLE, `${file}: ${label}: ${field}: ${problem}`);
  };
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(where, 'entry', `must be a mapping with name, server, path and mountPath, not ${describeValue(entry)}`);
  const fields = entry as Entry;
  const rawName = fields['name'];
  if (typeof rawName !== 'string' || rawName === '') fail(where, 'name', rawName === undefined ? 'is required' : `must be a string, not ${describeValue(rawName)}`);
  const name = String(rawName);
  if (!isDnsLabel(name)) fail(where, 'name', `"${name}" must be a DNS label (lower-case letters, digits and "-", at most 63): it is the class parameter, PV annotation and metric label`);
  const label = `export "${name}"`;
  for (const key of Object.keys(fields)) {
    if (!(FIELDS as readonly string[]).includes(key)) fail(label, key, `unknown field (known: ${FIELDS.join(', ')})`);
  }
  const text = (field: 'server' | 'path' | 'mountPath'): string => {
    const value = fields[field];
    if (value === undefined || value === null || value === '') return fail(label, field, 'is required');
    if (typeof value !== 'string') return fail(label, field, `must be a string, not ${describeValue(value)}`);
    return value.trim();
  };
  const server = text('server');
  const serverProblem = nfsServerProblem(server);
  if (serverProblem !== undefined) fail(label, 'server', serverProblem);
  // The shared parsers name their "variable" first; here that is the field.
  const field = <T>(name: string, parse: () => T): T => {
    try {
      return parse();
    } catch (error: unknown) {
      if (error instanceof ConfigError) return fail(label, name, error.message.slice(error.variable.length + 2));
      throw error;
    }
  };
  const path = field('path', () => absolutePath('path', text('path')));
  const mountPath = field('mountPath', () => absolutePath('mountPath', text('mountPath')));

  const names = fields['provisionerNames'] ?? [];
  if (!Array.isArray(names)) fail(label, 'provisionerNames', `must be a list of provisioner names, not ${describeValue(names)}`);
  const provisionerNames = (names as unknown[]).map((value) => {
    if (typeof value !== 'string') return fail(label, 'provisionerNames', `${describeValue(value)} is not a string`);
    const problem = provisionerNameProblem(value);
    return problem === undefined ? value : fail(label, 'provisionerNames', `"${value}" is not a valid provisioner name: ${problem}`);
  });

  const timeout = fields['fsTimeout'];
  const fsTimeoutMs =
    timeout === undefined ? defaults.fsTimeoutMs : field('fsTimeout', () => parseDuration('fsTimeout', typeof timeout === 'string' ? timeout : describeValue(timeout)));
  const concurrency = fields['fsConcurrency'];
  const fsConcurrency =
    concurrency === undefined
      ? defaults.fsConcurrency
      : field('fsConcurrency', () => parseInteger('fsConcurrency', typeof concurrency === 'number' || typeof concurrency === 'string' ? String(concurrency) : describeValue(concurrency), 1, MAX_FS_CONCURRENCY));
  return Object.freeze({ name, server, path, mountPath, provisionerNames: Object.freeze([...new Set(provisionerNames)]), fsTimeoutMs, fsConcurrency });
}

/** Parses the exports file's text (YAML with a top-level `exports:` list). Throws ConfigError. */
export function parseExportsFile(text: string, file: string, defaults: ExportDefaults): ExportConfig[] {
  // prettyErrors adds " at line L, column C:" and a code frame; the first line is enough.
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const yamlError = document.errors[0];
  if (yamlError !== undefined) {
    throw new ConfigError(EXPORTS_FILE_VARIABLE, `${file}: not valid YAML: ${(yamlError.message.split('\n')[0] ?? '').replace(/:$/u, '')}`);
  }
  const top: unknown = document.toJS();
  if (top === null || top === undefined) return [];
  if (typeof top !== 'object' || Array.isArray(top)) {
    throw new ConfigError(EXPORTS_FILE_VARIABLE, `${file}: must be a mapping with an "exports" list, not ${describeValue(top)}`);
  }
  const unknown = Object.keys(top).filter((key) => key !== 'exports');
  if (unknown.length > 0) throw new ConfigError(EXPORTS_FILE_VARIABLE, `${file}: unknown top-level field "${unknown[0] ?? ''}" (known: exports)`);
  const list = (top as Entry)['exports'] ?? [];
  if (!Array.isArray(list)) throw new ConfigError(EXPORTS_FILE_VARIABLE, `${file}: exports: must be a list, not ${describeValue(list)}`);
  return (list as unknown[]).map((entry, index) => parseEntry(entry, `exports[${index}]`, file, defaults));
}

/**
 * Checks the exports against each other: unique names, no mount path equal to or inside another
 * (one export's files would be another's), no two exports of one server nesting (a PV's server and
 * path must name exactly one export), no provisioner name claimed by two. The default export comes
 * first. Throws ConfigError naming the later export of a clashing pair.
 */
export function checkExportSet(exports: readonly ExportConfig[], file?: string): void {
  const owner = new Map<string, string>();
  for (const [index, current] of exports.entries()) {
    const fail = (field: ExportField, problem: string): never => {
      throw exportFieldError(current.name, field, problem, file, index > 0);
    };
    for (const earlier of exports.slice(0, index)) {
      if (earlier.name === current.name) {
        fail('name', current.name === DEFAULT_EXPORT_NAME ? '"default" is the export of NFS_SERVER / NFS_PATH / NFS_MOUNT_PATH; choose another name' : 'is used by another export');
      }
      if (within(earlier.mountPath, current.mountPath) || within(current.mountPath, earlier.mountPath)) {
        fail('mountPath', `${current.mountPath} overlaps the mount path of export "${earlier.name}" (${earlier.mountPath}): mount paths must not be equal or nested`);
      }
      if (earlier.server.toLowerCase() === current.server.toLowerCase() && (within(earlier.path, current.path) || within(current.path, earlier.path))) {
        fail('path', `${current.server}:${current.path} overlaps export "${earlier.name}" (${earlier.server}:${earlier.path}): a PV's server and path must name one export`);
      }
    }
    for (const name of current.provisionerNames) {
      const other = owner.get(name);
      if (other !== undefined) fail('provisionerNames', `"${name}" is already the provisioner name of export "${other}"`);
      owner.set(name, current.name);
    }
  }
}
