// The real server's defaulting of pod specs (SetDefaults_PodSpec, SetDefaults_Container and
// the +default tags of core/v1), applied to Pods and to the pod templates of workloads, so that
// `kubectl create deployment` reads back as on a real cluster (ports "80/TCP" in describe,
// imagePullPolicy, terminationMessagePath...). SetDefaults_Pod's extra (requests from limits)
// applies to Pods only, as there.
import type { JsonObject } from './json.ts';
import { isObject } from './json.ts';

// parsers.ParseImageName: no tag and no digest means "latest".
function pullPolicy(image: string): string {
  const [named = '', digest] = image.split('@');
  const lastSlash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const tag = colon > lastSlash ? named.slice(colon + 1) : digest === undefined ? 'latest' : '';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: JsonObject, hostNetwork: boolean, isPod: boolean): void {
  if (!c['imagePullPolicy']) c['imagePullPolicy'] = pullPolicy(typeof c['image'] === 'string' ? c['image'] : '');
  if (!c['terminationMessagePath']) c['terminationMessagePath'] = '/dev/termination-log';
  if (!c['terminationMessagePolicy']) c['terminationMessagePolicy'] = 'File';
  for (const p of Array.isArray(c['ports']) ? c['ports'] : []) {
    if (!isObject(p)) continue;
    if (!p['protocol']) p['protocol'] = 'TCP';
    if (hostNetwork && p['hostPort'] === undefined) p['hostPort'] = p['containerPort'] ?? null;
  }
  if (!isObject(c['resources'])) c['resources'] = {};
  const resources = c['resources'];
  const limits = resources['limits'];
  if (isPod && isObject(limits)) {
    const requests = isObject(resources['requests']) ? resources['requests'] : {};
    for (const [k, v] of Object.entries(limits)) requests[k] ??= v;
    resources['requests'] = requests;
  }
}

export function defaultPodSpec(spec: JsonObject, isPod: boolean): void {
  if (!spec['serviceAccountName'] && spec['serviceAccount']) spec['serviceAccountName'] = spec['serviceAccount'];
  if (spec['serviceAccountName']) spec['serviceAccount'] = spec['serviceAccountName'];
  if (!spec['dnsPolicy']) spec['dnsPolicy'] = 'ClusterFirst';
  if (!spec['restartPolicy']) spec['restartPolicy'] = 'Always';
  if (!isObject(spec['securityContext'])) spec['securityContext'] = {};
  spec['terminationGracePeriodSeconds'] ??= 30;
  if (!spec['schedulerName']) spec['schedulerName'] = 'default-scheduler';
  const hostNetwork = spec['hostNetwork'] === true;
  for (const key of ['initContainers', 'containers']) {
    for (const c of Array.isArray(spec[key]) ? spec[key] : []) if (isObject(c)) defaultContainer(c, hostNetwork, isPod);
  }
}
