// Starts a real NFSv4 server (nfs-ganesha, FSAL VFS) for one temporary export on 127.0.0.1 and
// stops it without leaving a process behind. Config, pid file, log and recovery records live in a
// temporary directory of their own; only rpcbind (a system daemon) is started machine-wide.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderGaneshaConfig, type SquashMode } from './ganesha-config.ts';
import { NfsCommandError, NfsToolsMissingError } from './errors.ts';
import { defaultSearchPath, findGaneshaVfsFsal, requireExecutables } from './find-tools.ts';
import { freePort } from './free-port.ts';
import { ensureRpcbind } from './rpcbind.ts';
import { runCommand } from './run-command.ts';
import { settlesWithin } from './wait-for.ts';
import { onProcessEnd } from './process-end.ts';
import { nfsUrl } from './nfs-url.ts';

export type { SquashMode } from './ganesha-config.ts';

export interface StartNfsServerOptions {
  /** The directory to export (must exist). */
  exportDir: string;
  /** Path of the export in the NFSv4 pseudo file system; default `/export`. */
  pseudoPath?: string;
  /** More directories the same server exports, each at its own pseudo path (a server with several shares). */
  moreExports?: readonly { exportDir: string; pseudoPath: string }[];
  /** Default `no_root_squash`, as the Go provisioner's documentation assumes. */
  squash?: SquashMode;
  /** uid/gid that squashed users become; default 65534 (nobody/nogroup). */
  anonUid?: number;
  anonGid?: number;
  /** NFS port on 127.0.0.1; default a free one. */
  port?: number;
  /** How long to wait for the server to answer; default 20 s. */
  startTimeoutMs?: number;
  /** Where to look for ganesha.nfsd, rpcbind and nfs-ls; default PATH plus /usr/sbin and /sbin. */
  searchPath?: string;
  /** ganesha log level (NIV_EVENT by default; NIV_DEBUG / NIV_FULL_DEBUG to see every call). */
  logLevel?: string;
}

export interface NfsServer {
  server: '127.0.0.1';
  port: number;
  pseudoPath: string;
  /** The exported directory, as a real path. */
  exportDir: string;
  /** The further exports (StartNfsServerOptions.moreExports), real paths, with their URLs and NFS paths. */
  moreExports: readonly ServedDirectory[];
  /** ganesha's log file (kept until stop()). */
  logPath: string;
  /** ms from spawning ganesha.nfsd until it answered nfs-ls. */
  startMs: number;
  /** libnfs URL of a path inside the export: nfs://127.0.0.1/<pseudo>/<dir>?version=4&nfsport=<port>. */
  url(dir?: string): string;
  /** Pseudo path joined with a directory, as a PV's spec.nfs.path would name it. */
  nfsPath(dir?: string): string;
  /** The last lines of ganesha's log, for failure messages. */
  logTail(lines?: number): string;
  /** The ganesha.nfsd process id while it runs. */
  pid(): number | undefined;
  /** SIGTERM, SIGKILL after a bound; resolves once the process is gone. Safe to call twice. */
  stop(): Promise<void>;
}

/** One more export of the server. */
export interface ServedDirectory {
  exportDir: string;
  pseudoPath: string;
  url(dir?: string): string;
  nfsPath(dir?: string): string;
}

const STOP_GRACE_MS = 5_000;
const PROBE_TIMEOUT_MS = 3_000;
const PORT_ATTEMPTS = 3;

export async function startNfsServer(opts: StartNfsServerOptions): Promise<NfsServer> {
  const searchPath = opts.searchPath ?? defaultSearchPath();
  const tools = requireExecutables(['ganesha.nfsd', 'rpcbind', 'nfs-ls'] as const, searchPath);
  if (findGaneshaVfsFsal() === undefined) throw new NfsToolsMissingError(['libfsalvfs.so (nfs-ganesha-vfs)']);

  const exportDir = realpathSync(opts.exportDir);
  if (!statSync(exportDir).isDirectory()) throw new Error(`exportDir ${exportDir} is not a directory`);
  const pseudoPath = normalizePseudo(opts.pseudoPath ?? '/export');
  const moreExports = (opts.moreExports ?? []).map((e) => ({ exportDir: realpathSync(e.exportDir), pseudoPath: normalizePseudo(e.pseudoPath) }));

  await ensureRpcbind(tools.rpcbind);

  let lastError: unknown;
  for (let attempt = 1; attempt <= (opts.port === undefined ? PORT_ATTEMPTS : 1); attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await launch({ ...opts, exportDir, pseudoPath, moreExports, port, tools });
    } catch (err) {
      lastError = err;
      // A port taken between freePort() and ganesha's bind shows as an early exit: try another.
      if (!(err instanceof GaneshaExitedError)) throw err;
    }
  }
  throw lastError;
}

class GaneshaExitedError extends NfsCommandError {}

interface LaunchInput extends StartNfsServerOptions {
  exportDir: string;
  pseudoPath: string;
  port: number;
  tools: { 'ganesha.nfsd': string; 'nfs-ls': string };
}

async function launch(input: LaunchInput): Promise<NfsServer> {
  const workDir = mkdtempSync(join(tmpdir(), 'nfs-ganesha-'));
  const recoveryDir = join(workDir, 'recovery');
  mkdirSync(recoveryDir);
  const configPath = join(workDir, 'ganesha.conf');
  const logPath = join(workDir, 'ganesha.log');
  const pidPath = join(workDir, 'ganesha.pid');
  writeFileSync(
    configPath,
    renderGaneshaConfig({
      exportDir: input.exportDir,
      pseudoPath: input.pseudoPath,
      moreExports: input.moreExports ?? [],
      port: input.port,
      squash: input.squash ?? 'no_root_squash',
      anonUid: input.anonUid ?? 65534,
      anonGid: input.anonGid ?? 65534,
      recoveryDir,
    }),
  );

  const started = performance.now();
  const child = spawn(
    input.tools['ganesha.nfsd'],
    ['-F', '-f', configPath, '-L', logPath, '-p', pidPath, '-N', input.logLevel ?? 'NIV_EVENT'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString('utf8');
  });
  // A test that forgets stop() must still be able to exit (its end hook then kills ganesha).
  child.unref();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (err) => {
    stderr += `${err.message}\n`;
  });
  // If the test process ends without calling stop() (a crash, tap's timeout), take ganesha along.
  const unregisterEndHook = onProcessEnd(() => {
    child.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  });

  const logTail = (lines = 30): string => {
    try {
      return readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      child.ref(); // keep the process alive until ganesha is gone
      await terminate(child, exited);
      unregisterEndHook();
      rmSync(workDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const url = (dir = ''): string => nfsUrl({ port: input.port, pseudoPath: input.pseudoPath, dir });
  try {
    // Probe the pseudo root, not the export: a squashed client may not be allowed to list the
    // export itself, but the pseudo root is readable by all and lists the export once it is loaded.
    const pseudoRoot = nfsUrl({ port: input.port, pseudoPath: '/' });
    const firstSegment = input.pseudoPath.split('/').filter((s) => s !== '')[0] ?? '';
    await waitUntilAnswering(child, input.tools['nfs-ls'], pseudoRoot, firstSegment, input.startTimeoutMs ?? 20_000);
  } catch (err) {
    const tail = logTail();
    await stop();
    if (err instanceof GaneshaExitedError) {
      throw new GaneshaExitedError(err.command, err.exitCode, `${stderr}\n${tail}`);
    }
    throw new NfsCommandError('ganesha.nfsd', null, `did not answer: ${String(err)}\n${stderr}\n${tail}`);
  }
  const startMs = performance.now() - started;

  return {
    server: '127.0.0.1',
    port: input.port,
    pseudoPath: input.pseudoPath,
    exportDir: input.exportDir,
    moreExports: (input.moreExports ?? []).map((e) => ({
      exportDir: e.exportDir,
      pseudoPath: e.pseudoPath,
      url: (dir = '') => nfsUrl({ port: input.port, pseudoPath: e.pseudoPath, dir }),
      nfsPath: (dir = '') => joinPseudo(e.pseudoPath, dir),
    })),
    logPath,
    startMs,
    url,
    nfsPath: (dir = '') => joinPseudo(input.pseudoPath, dir),
    logTail,
    pid: () => (child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    stop,
  };
}

async function waitUntilAnswering(
  child: ChildProcess,
  nfsLs: string,
  rootUrl: string,
  expectEntry: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new GaneshaExitedError('ganesha.nfsd', child.exitCode, 'exited during start');
    }
    const res = await runCommand(nfsLs, [rootUrl], { timeoutMs: PROBE_TIMEOUT_MS, allowFailure: true }).catch(
      (err: unknown) => ({ exitCode: -1, stdout: Buffer.alloc(0), stderr: String(err) }),
    );
    if (res.exitCode === 0 && listsEntry(res.stdout.toString('utf8'), expectEntry)) return;
    last = `${res.stdout.toString('utf8')}${res.stderr}`;
    if (performance.now() > deadline) throw new Error(`nfs-ls ${rootUrl} kept failing: ${last.trim()}`);
    await sleep(25);
  }
}

function listsEntry(listing: string, name: string): boolean {
  return listing.split('\n').some((line) => line.trimEnd().endsWith(` ${name}`));
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const gone = await settlesWithin(exited, STOP_GRACE_MS);
  if (!gone) {
    child.kill('SIGKILL');
    await exited;
  }
}

function normalizePseudo(p: string): string {
  const trimmed = `/${p.replace(/^\/+|\/+$/g, '')}`;
  if (trimmed === '/') throw new Error('pseudoPath must name a directory below / (e.g. /export)');
  return trimmed;
}

function joinPseudo(pseudo: string, dir: string): string {
  const rest = dir.replace(/^\/+|\/+$/g, '');
  return rest === '' ? pseudo : `${pseudo}/${rest}`;
}
