// The Authorization header of each request, from what kubeconfig.ts found:
// - a token, or basic auth: fixed;
// - a token file (the pod's projected service-account token rotates): read again once a minute,
//   as client-go does, and kept when a re-read fails (the old token stays valid for a while);
// - exec / auth-provider plugins: client-node's KubeConfig, which implements them, is loaded on
//   first use only, so the common cases (in-cluster, token, client certificate) never pay for
//   importing its generated API (about 40 MiB of resident memory).
import { readFile } from 'node:fs/promises';
import type { Clock } from './clock.ts';
import type { UserCredentials } from './kubeconfig.ts';

export type AuthorizationSource = () => Promise<string | undefined>;

const TOKEN_FILE_REFRESH_MS = 60_000;

function tokenFileSource(path: string, clock: Clock): AuthorizationSource {
  let cached: { value: string; readAt: number } | undefined;
  return async () => {
    if (cached === undefined || clock.now() - cached.readAt >= TOKEN_FILE_REFRESH_MS) {
      try {
        cached = { value: (await readFile(path, 'utf8')).trim(), readAt: clock.now() };
      } catch (error: unknown) {
        if (cached === undefined) throw error;
        cached = { value: cached.value, readAt: clock.now() };
      }
    }
    return cached.value === '' ? undefined : `Bearer ${cached.value}`;
  };
}

interface HeaderCarrier {
  headers?: Record<string, unknown>;
}

function delegatedSource(kubeconfigPath: string): AuthorizationSource {
  let loaded: Promise<{ applyToHTTPSOptions(options: HeaderCarrier): Promise<void> }> | undefined;
  return async () => {
    loaded ??= import('@kubernetes/client-node').then(({ KubeConfig }) => {
      const config = new KubeConfig();
      config.loadFromFile(kubeconfigPath);
      return config;
    });
    const options: HeaderCarrier = {};
    await (await loaded).applyToHTTPSOptions(options);
    const header = options.headers?.['Authorization'] ?? options.headers?.['authorization'];
    return typeof header === 'string' ? header : undefined;
  };
}

export function authorizationSource(credentials: UserCredentials, clock: Clock): AuthorizationSource {
  switch (credentials.kind) {
    case 'none':
      return () => Promise.resolve(undefined);
    case 'token': {
      const header = `Bearer ${credentials.token}`;
      return () => Promise.resolve(header);
    }
    case 'basic': {
      const header = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      return () => Promise.resolve(header);
    }
    case 'token-file':
      return tokenFileSource(credentials.path, clock);
    case 'delegated':
      return delegatedSource(credentials.kubeconfigPath);
  }
}
