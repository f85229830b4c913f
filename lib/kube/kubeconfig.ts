// Where the API server is and who we are to it, from a kubeconfig file or the pod's service
// account - the two ways a provisioner is pointed at a cluster. Pure reading and checking; the
// transport (rest-client.ts) and the credentials (credentials.ts) use the result.
//
// Read as client-go reads them: the current context's cluster and user; relative file paths are
// relative to the kubeconfig's directory; `*-data` fields are base64; a file wins over its data
// field. A user with `exec` or `auth-provider` is marked `delegated`: credentials.ts hands those
// to client-node's KubeConfig, which implements the plugins. proxy-url is refused (unsupported).
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** false only with insecure-skip-tls-verify. */
  readonly rejectUnauthorized: boolean;
  readonly servername?: string;
}

export type UserCredentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly token: string }
  /** A token file read again every minute (projected service-account tokens rotate). */
  | { readonly kind: 'token-file'; readonly path: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** exec / auth-provider plugins: client-node's KubeConfig computes the header. */
  | { readonly kind: 'delegated'; readonly kubeconfigPath: string; readonly plugin: string };

export interface KubeTarget {
  /** Base URL of the API server, without a trailing slash. */
  readonly server: URL;
  readonly tls: TlsMaterial;
  readonly credentials: UserCredentials;
  /** Impersonate-User / Impersonate-Group headers (the user's `as`, `as-groups`). */
  readonly impersonation: Readonly<Record<string, string | string[]>>;
}

/** A kubeconfig or service account that cannot be used; the message says which field or file. */
export class KubeconfigError extends Error {
  override name = 'KubeconfigError';
}

type Entry = Record<string, unknown>;

function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(entry: Entry, key: string): string | undefined {
  const value = entry[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new KubeconfigError(`"${key}" must be a string`);
  return value;
}

/** The `inner` map of the list entry named `name` (clusters[].cluster, users[].user, ...). */
function named(config: Entry, list: string, inner: string, name: string): Entry {
  const entries = config[list];
  if (!Array.isArray(entries)) throw new KubeconfigError(`no "${list}" list`);
  const found = entries.find((e): e is Entry => isEntry(e) && e['name'] === name);
  if (found === undefined) throw new KubeconfigError(`${list}: no entry named "${name}"`);
  const value = found[inner];
  if (value === undefined || value === null) return {};
  if (!isEntry(value)) throw new KubeconfigError(`${list} "${name}": "${inner}" must be a map`);
  return value;
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error: unknown) {
    throw new KubeconfigError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** `<key>` (a file, relative to base) or `<key>-data` (base64), as client-go: the file wins. */
function fileOrData(entry: Entry, key: string, base: string): Buffer | undefined {
  const file = text(entry, key);
  if (file !== undefined) return readFile(isAbsolute(file) ? file : join(base, file), key);
  const data = text(entry, `${key}-data`);
  return data === undefined ? undefined : Buffer.from(data, 'base64');
}

function serverUrl(value: string | undefined, where: string): URL {
  if (value === undefined) throw new KubeconfigError(`${where}: no server`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new KubeconfigError(`${where}: server "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new KubeconfigError(`${where}: server "${value}" must be http:// or https://`);
  url.pathname = url.pathname.replace(/\/+$/u, '');
  return url;
}

function impersonationOf(user: Entry): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  const as = text(user, 'as');
  if (as !== undefined) headers['Impersonate-User'] = as;
  const groups = user['as-groups'];
  if (Array.isArray(groups) && groups.length > 0) headers['Impersonate-Group'] = groups.map(String);
  return headers;
}

function credentialsOf(user: Entry, base: string, kubeconfigPath: string): UserCredentials {
  if (user['exec'] !== undefined && user['exec'] !== null) return { kind: 'delegated', kubeconfigPath, plugin: 'exec' };
  if (user['auth-provider'] !== undefined && user['auth-provider'] !== null) return { kind: 'delegated', kubeconfigPath, plugin: 'auth-provider' };
  const token = text(user, 'token');
  if (token !== undefined) return { kind: 'token', token: token.trim() };
  const tokenFile = text(user, 'tokenFile');
  if (tokenFile !== undefined) return { kind: 'token-file', path: isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile) };
  const username = text(user, 'username');
  if (username !== undefined) return { kind: 'basic', username, password: text(user, 'password') ?? '' };
  return { kind: 'none' };
}

/** The current context of a kubeconfig file. Throws KubeconfigError. */
export function kubeTargetFromFile(path: string): KubeTarget {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFile(path, 'kubeconfig').toString('utf8'));
  } catch (error: unknown) {
    if (error instanceof KubeconfigError) throw error;
    throw new KubeconfigError(`${path} is not YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isEntry(parsed)) throw new KubeconfigError(`${path} is not a kubeconfig (no map at the top)`);
  const contextName = text(parsed, 'current-context');
  if (contextName === undefined) throw new KubeconfigError(`${path} has no current-context`);
  const context = named(parsed, 'contexts', 'context', contextName);
  const clusterName = text(context, 'cluster');
  if (clusterName === undefined) throw new KubeconfigError(`context "${contextName}" names no cluster`);
  const cluster = named(parsed, 'clusters', 'cluster', clusterName);
  const userName = text(context, 'user');
  const user = userName === undefined ? {} : named(parsed, 'users', 'user', userName);
  if (text(cluster, 'proxy-url') !== undefined) throw new KubeconfigError(`cluster "${clusterName}": proxy-url is not supported`);

  const base = dirname(path);
  const ca = fileOrData(cluster, 'certificate-authority', base);
  const cert = fileOrData(user, 'client-certificate', base);
  const key = fileOrData(user, 'client-key', base);
  if ((cert === undefined) !== (key === undefined)) throw new KubeconfigError(`user "${userName ?? ''}": client-certificate and client-key go together`);
  const servername = text(cluster, 'tls-server-name');
  return {
    server: serverUrl(text(cluster, 'server'), `cluster "${clusterName}"`),
    tls: {
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
      ...(servername === undefined ? {} : { servername }),
    },
    credentials: credentialsOf(user, base, path),
    impersonation: impersonationOf(user),
  };
}

/**
 * The pod's service account, as client-go's InClusterConfig: KUBERNETES_SERVICE_HOST/PORT, the
 * CA and the (rotating) token file under `directory`. Throws KubeconfigError when not in a pod.
 */
export function inClusterTarget(env: Readonly<Record<string, string | undefined>>, directory = SERVICE_ACCOUNT_DIR): KubeTarget {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (host === undefined || host === '' || port === undefined || port === '') {
    throw new KubeconfigError('not set, and not running in a cluster (KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT are not set)');
  }
  const tokenPath = join(directory, 'token');
  readFile(tokenPath, 'service account token');
  return {
    server: serverUrl(`https://${isIPv6(host) ? `[${host}]` : host}:${port}`, 'in-cluster'),
    tls: { ca: readFile(join(directory, 'ca.crt'), 'service account CA'), rejectUnauthorized: true },
    credentials: { kind: 'token-file', path: tokenPath },
    impersonation: {},
  };
}
