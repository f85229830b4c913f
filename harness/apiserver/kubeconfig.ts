// The kubeconfig the server writes: plain http with insecure-skip-tls-verify (client-node needs it
// for http servers) and a bearer token, accepted as is by kubectl and @kubernetes/client-node.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export function kubeconfigYaml(url: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'harness', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'harness-admin', user: { token } }],
    contexts: [{ name: 'harness', context: { cluster: 'harness', user: 'harness-admin', namespace: 'default' } }],
    'current-context': 'harness',
    preferences: {},
  });
}

export function writeKubeconfig(path: string, url: string, token: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfigYaml(url, token), { mode: 0o600 });
}
