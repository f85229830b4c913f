// Typed errors of the NFS harness, so tests can tell "this machine lacks the tools" (skip outside
// CI, fail in CI) apart from "the server or a client call misbehaved" (always a failure).

export const NFS_INSTALL_HINT =
  'apt-get install -y --no-install-recommends nfs-ganesha nfs-ganesha-vfs rpcbind libnfs-utils bindfs fuse3';

/** Binaries (or the libnfs library) that the real-NFS harness needs are not installed. */
export class NfsToolsMissingError extends Error {
  readonly missing: readonly string[];
  constructor(missing: readonly string[]) {
    super(`real-NFS harness: missing ${missing.join(', ')}; install with: ${NFS_INSTALL_HINT}`);
    this.name = 'NfsToolsMissingError';
    this.missing = missing;
  }
}

/** A command of the harness (ganesha, rpcbind, nfs-cp, bindfs, ...) exited with an error. */
export class NfsCommandError extends Error {
  readonly command: string;
  readonly exitCode: number | null;
  readonly stderr: string;
  /** errno reported by the NFS call when known (13 = EACCES, 2 = ENOENT, ...). */
  readonly errno: number | undefined;
  constructor(command: string, exitCode: number | null, stderr: string, errno?: number) {
    super(`${command} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || '(no output)'}`);
    this.name = 'NfsCommandError';
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = stderr;
    this.errno = errno;
  }
}

/** A command did not finish within its time limit (a hung server or mount); it was killed. */
export class NfsCommandTimeoutError extends Error {
  readonly command: string;
  readonly timeoutMs: number;
  constructor(command: string, timeoutMs: number) {
    super(`${command} did not finish within ${timeoutMs} ms and was killed`);
    this.name = 'NfsCommandTimeoutError';
    this.command = command;
    this.timeoutMs = timeoutMs;
  }
}
