// StorageClass parameters of this backend, parsed and validated in one place (pure, no fs).
// Compatible with nfs-subdir-external-provisioner: archiveOnDelete (Go strconv.ParseBool syntax,
// default true), onDelete (delete | retain, wins over archiveOnDelete), pathPattern. Ours: mode,
// uid, gid, export, and onDelete: archive. A known key with a bad value is refused with a message.
// Unknown keys are not: a class that provisioned under the Go project (which ignored them) must go
// on provisioning after the swap, so they are returned for a warning and the defaults apply, which
// keep data (archive on delete).
import type { ReclaimDecision } from './annotations.ts';
import type { PathPattern } from './path-template.ts';
import { parsePathPattern } from './path-template.ts';

export interface ClassParameters {
  /** What delete will do with the directory; recorded on the PV at provision time. */
  readonly reclaim: ReclaimDecision;
  readonly pathPattern?: PathPattern;
  /** Permission bits for the volume directory (default 0o777, like the Go project). */
  readonly mode: number;
  readonly uid?: number;
  readonly gid?: number;
  /** The export to provision on, by name (checked against the configured ones by the provisioner). */
  readonly export?: string;
}

export type ClassParametersResult =
  | { readonly ok: true; readonly parameters: ClassParameters; readonly unknownKeys: readonly string[] }
  | { readonly ok: false; readonly message: string };

export const DEFAULT_MODE = 0o777;
const MAX_ID = 4294967294; // 2^32 - 2: (uid_t)-1 means "unchanged" to chown(2)
export const KNOWN_PARAMETERS = ['archiveOnDelete', 'onDelete', 'pathPattern', 'mode', 'uid', 'gid', 'export'] as const;

/** The warning for unknown keys: names them and the known ones, says what happens instead. */
export function unknownParametersMessage(keys: readonly string[]): string {
  const plural = keys.length > 1;
  return `unknown parameter${plural ? 's' : ''} ${keys.map((key) => `"${key}"`).join(', ')} ignored (known: ${KNOWN_PARAMETERS.join(', ')}); the volume is provisioned as if ${plural ? 'they were' : 'it was'} not there`;
}

/** Go's strconv.ParseBool, which the Go project used for archiveOnDelete. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** An octal permission string: "0770", "770", "2775", "0o755"; at most 07777. */
export function parseMode(text: string): number | undefined {
  const match = /^(?:0o)?([0-7]{1,5})$/.exec(text);
  if (match?.[1] === undefined) return undefined;
  const mode = Number.parseInt(match[1], 8);
  return mode <= 0o7777 ? mode : undefined;
}

export function parseId(text: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const id = Number(text);
  return id <= MAX_ID ? id : undefined;
}

function reclaimFrom(parameters: Readonly<Record<string, string>>): { decision: ReclaimDecision } | { problem: string } {
  const onDelete = parameters['onDelete'];
  let archive = true;
  const archiveOnDelete = parameters['archiveOnDelete'];
  if (archiveOnDelete !== undefined) {
    const parsed = parseGoBool(archiveOnDelete);
    if (parsed === undefined) {
      return { problem: `archiveOnDelete: "${archiveOnDelete}" is not a boolean (use "true" or "false")` };
    }
    archive = parsed;
  }
  // An empty onDelete counts as unset, as in the Go project.
  if (onDelete !== undefined && onDelete !== '') {
    if (onDelete === 'delete' || onDelete === 'retain' || onDelete === 'archive') return { decision: onDelete };
    return { problem: `onDelete: "${onDelete}" is not one of delete, retain, archive` };
  }
  return { decision: archive ? 'archive' : 'delete' };
}

export function parseClassParameters(parameters: Readonly<Record<string, string>> | undefined): ClassParametersResult {
  const given = parameters ?? {};
  const problems: string[] = [];
  const unknownKeys = Object.keys(given).filter((key) => !(KNOWN_PARAMETERS as readonly string[]).includes(key));

  const reclaim = reclaimFrom(given);
  if ('problem' in reclaim) problems.push(reclaim.problem);

  let pathPattern: PathPattern | undefined;
  const patternText = given['pathPattern'];
  if (patternText !== undefined) {
    const parsed = parsePathPattern(patternText);
    if (parsed.ok) pathPattern = parsed.pattern;
    else problems.push(parsed.message);
  }

  let mode = DEFAULT_MODE;
  const modeText = given['mode'];
  if (modeText !== undefined) {
    const parsed = parseMode(modeText);
    if (parsed === undefined) problems.push(`mode: "${modeText}" is not an octal permission between 0000 and 07777 (e.g. "0770", "2775")`);
    else mode = parsed;
  }

  const ids: { uid?: number; gid?: number } = {};
  for (const key of ['uid', 'gid'] as const) {
    const text = given[key];
    if (text === undefined) continue;
    const parsed = parseId(text);
    if (parsed === undefined) problems.push(`${key}: "${text}" is not a non-negative integer below 4294967295`);
    else ids[key] = parsed;
  }

  // An empty export counts as unset, like an empty onDelete.
  const exportName = given['export'] === '' ? undefined : given['export'];

  if (problems.length > 0 || 'problem' in reclaim) {
    return { ok: false, message: `invalid StorageClass parameters: ${problems.join('; ')}` };
  }
  return {
    ok: true,
    parameters: {
      reclaim: reclaim.decision,
      mode,
      ...(pathPattern === undefined ? {} : { pathPattern }),
      ...ids,
      ...(exportName === undefined ? {} : { export: exportName }),
    },
    unknownKeys,
  };
}
