// Reads and writes through the NFS protocol without mounting anything (these machines have no
// kernel NFS client): what a pod with the PV mounted would see and be allowed to do.
//
// No maintained pure-JS NFSv4 client exists on npm, so this wraps Debian's libnfs-utils
// (nfs-ls and nfs-cat read) and, for what those tools lack or get wrong, a small Python ctypes
// script over the same libnfs library (libnfs-ops.py: write, mkdir, stat, chmod, rmdir, unlink).
// Every call is a child process with a time limit, so a hung server costs a timeout, never a
// stuck test.
//
// libnfs 4.0 (Debian 12) quirks found here:
// - nfs-cp cannot write more than ~3.9 KiB over NFSv4 ("Failed to write to dest file": the
//   WRITE fails to encode), leaving an empty file with 2106 timestamps; writes go in 3 KiB
//   chunks through libnfs-ops.py instead.
// - nfs_creat() opens read-only; nfs_create() ignores the mode (0600) and refuses an existing
//   file; the helper works around all three.
// - chmod opens the object, so it fails (EISDIR) on directories.
// - uid/gid in the URL set the AUTH_SYS credentials: the server checks and squashes them.
import { fileURLToPath } from 'node:url';
import { NfsCommandError } from './errors.ts';
import { defaultSearchPath, findExecutable, requireExecutables } from './find-tools.ts';
import { nfsUrl } from './nfs-url.ts';
import { runCommand } from './run-command.ts';

export interface NfsClientOptions {
  port: number;
  pseudoPath: string;
  server?: string;
  /** AUTH_SYS identity of every call; default the libnfs default (this process's ids, root here). */
  uid?: number;
  gid?: number;
  /** Time limit of one call; default 10 s. */
  timeoutMs?: number;
  searchPath?: string;
}

export interface NfsStat {
  /** Full st_mode (type bits included); `mode & 0o7777` is the permission part. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink: number;
  isDirectory: boolean;
  isFile: boolean;
}

export interface NfsDirEntry {
  name: string;
  /** As nfs-ls prints it, e.g. `drwxrwx---`. */
  modeString: string;
  /** Permission bits parsed from modeString (setuid/setgid/sticky included). */
  perm: number;
  type: 'file' | 'directory' | 'symlink' | 'other';
  uid: number;
  gid: number;
  size: number;
}

export interface NfsClient {
  /** The same client acting as another uid/gid. */
  as(ids: { uid: number; gid: number }): NfsClient;
  /** libnfs URL of a path inside the export, with this client's identity. */
  url(path?: string): string;
  readFile(path: string): Promise<Buffer>;
  /** Creates a file (mode default 0644); fails (errno 17) if it exists unless overwrite is set. */
  writeFile(path: string, data: Buffer | string, opts?: { overwrite?: boolean; mode?: number }): Promise<void>;
  list(path?: string): Promise<NfsDirEntry[]>;
  stat(path: string): Promise<NfsStat>;
  /** stat that answers false for ENOENT (other errors still throw). */
  exists(path: string): Promise<boolean>;
  mkdir(path: string, mode?: number): Promise<void>;
  /** Files only: libnfs 4.0 chmods by OPENing the object, which NFSv4 refuses for directories (EISDIR). */
  chmod(path: string, mode: number): Promise<void>;
  rmdir(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

const OPS_SCRIPT = fileURLToPath(new URL('./libnfs-ops.py', import.meta.url));

export function createNfsClient(opts: NfsClientOptions): NfsClient {
  const searchPath = opts.searchPath ?? defaultSearchPath();
  const tools = requireExecutables(['nfs-ls', 'nfs-cat', 'python3'] as const, searchPath);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // The system python starts in ~50 ms; a pyenv shim on PATH (a shell script) adds ~100 ms per call.
  const python = (opts.searchPath === undefined ? findExecutable('python3', '/usr/bin') : undefined) ?? tools.python3;

  const url = (path = '', root = false): string =>
    nfsUrl({
      port: opts.port,
      pseudoPath: opts.pseudoPath,
      dir: root ? '' : path,
      ...(opts.server !== undefined ? { server: opts.server } : {}),
      ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
      ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
    });

  const tool = async (name: 'nfs-ls' | 'nfs-cat', args: string[]): Promise<Buffer> => {
    const res = await runCommand(tools[name], args, { timeoutMs, allowFailure: true });
    if (res.exitCode !== 0) {
      // libnfs-utils print their errors on stdout.
      const output = `${res.stdout.toString('utf8')}${res.stderr}`;
      throw new NfsCommandError([name, ...args].join(' '), res.exitCode, output, errnoOf(output));
    }
    return res.stdout;
  };

  const op = async (name: string, path: string, mode?: number, input?: Buffer | string): Promise<Record<string, unknown>> => {
    // -I -S: isolated from the user's environment and site packages; only the stdlib is needed.
    const args = ['-I', '-S', OPS_SCRIPT, name, url('', true), path, ...(mode !== undefined ? [mode.toString(8)] : [])];
    const res = await runCommand(python, args, { timeoutMs, allowFailure: true, ...(input !== undefined ? { input } : {}) });
    const line = res.stdout.toString('utf8').trim();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new NfsCommandError(`libnfs-ops ${name} ${path}`, res.exitCode, `${line}${res.stderr}`);
    }
    if (res.exitCode !== 0 || parsed.ok !== true) {
      const errno = typeof parsed.errno === 'number' && parsed.errno > 0 ? parsed.errno : undefined;
      throw new NfsCommandError(`libnfs-ops ${name} ${path}`, res.exitCode, String(parsed.error), errno);
    }
    return parsed;
  };

  const stat = async (path: string): Promise<NfsStat> => {
    const r = await op('stat', path);
    const num = (k: string): number => (typeof r[k] === 'number' ? r[k] : NaN);
    const mode = num('mode');
    return {
      mode,
      uid: num('uid'),
      gid: num('gid'),
      size: num('size'),
      nlink: num('nlink'),
      isDirectory: (mode & 0o170000) === 0o040000,
      isFile: (mode & 0o170000) === 0o100000,
    };
  };


  return {
    as: (ids) => createNfsClient({ ...opts, uid: ids.uid, gid: ids.gid }),
    url: (path = '') => url(path),
    readFile: (path) => tool('nfs-cat', [url(path)]),
    async writeFile(path, data, wopts) {
      await op(wopts?.overwrite === true ? 'overwrite' : 'write', path, wopts?.mode ?? 0o644, data);
    },
    list: async (path = '') => parseListing((await tool('nfs-ls', [url(path)])).toString('utf8')),
    stat,
    exists: (path) => existsVia(stat, path),
    async mkdir(path, mode = 0o755) {
      await op('mkdir', path, mode);
    },
    async chmod(path, mode) {
      await op('chmod', path, mode);
    },
    async rmdir(path) {
      await op('rmdir', path);
    },
    async unlink(path) {
      await op('unlink', path);
    },
  };
}

async function existsVia(stat: (p: string) => Promise<NfsStat>, path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (err instanceof NfsCommandError && err.errno === 2) return false;
    throw err;
  }
}

/** `NFS4ERR_ACCESS(-13)` -> 13. */
export function errnoOf(output: string): number | undefined {
  const m = /NFS4ERR_[A-Z_]+\(-(\d+)\)/.exec(output);
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

/** nfs-ls lines: `drwxrwx---  2  1000  1000         4096 name with spaces`. */
export function parseListing(text: string): NfsDirEntry[] {
  const entries: NfsDirEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([-dlcbps])([-rwxsStT]{9})\s+\d+\s+(\d+)\s+(\d+)\s+(\d+) (.*)$/.exec(line);
    if (m === null) continue;
    const [, typeChar = '', perms = '', uid = '', gid = '', size = '', name = ''] = m;
    if (name === '.' || name === '..') continue;
    entries.push({
      name,
      modeString: typeChar + perms,
      perm: permBits(perms),
      type: typeChar === '-' ? 'file' : typeChar === 'd' ? 'directory' : typeChar === 'l' ? 'symlink' : 'other',
      uid: Number(uid),
      gid: Number(gid),
      size: Number(size),
    });
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function permBits(s: string): number {
  let bits = 0;
  const flag = (i: number, ch: string): boolean => s[i] === ch;
  const special = (i: number, lower: string, upper: string): boolean => s[i] === lower || s[i] === upper;
  if (flag(0, 'r')) bits |= 0o400;
  if (flag(1, 'w')) bits |= 0o200;
  if (special(2, 'x', 's')) bits |= 0o100;
  if (special(2, 's', 'S')) bits |= 0o4000;
  if (flag(3, 'r')) bits |= 0o040;
  if (flag(4, 'w')) bits |= 0o020;
  if (special(5, 'x', 's')) bits |= 0o010;
  if (special(5, 's', 'S')) bits |= 0o2000;
  if (flag(6, 'r')) bits |= 0o004;
  if (flag(7, 'w')) bits |= 0o002;
  if (special(8, 'x', 't')) bits |= 0o001;
  if (special(8, 't', 'T')) bits |= 0o1000;
  return bits;
}

/** A client for a started server (see ganesha.ts). */
export function nfsClientFor(
  server: { port: number; pseudoPath: string; server?: string },
  opts: Omit<NfsClientOptions, 'port' | 'pseudoPath' | 'server'> = {},
): NfsClient {
  return createNfsClient({ ...opts, port: server.port, pseudoPath: server.pseudoPath, ...(server.server !== undefined ? { server: server.server } : {}) });
}
