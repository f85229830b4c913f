// The provisioner under test: ours (node dist/main.js, or lib/main.ts with --source) or any
// command, started by the harness's startProvisioner with the contract env and the world's
// identity (its ServiceAccount's kubeconfig and POD_NAMESPACE on the real control plane),
// optionally inside a private mount namespace with the export bind-mounted where the program
// expects it. Readiness that works for every program: it provisions a probe claim.
import { performance } from 'node:perf_hooks';
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { startProvisioner } from '../harness/provisioner-process.ts';
import type { ProvisionerProcess } from '../harness/provisioner-process.ts';
import type { BenchOptions } from './args.ts';
import { clockTicksPerSecond, GroupSampler } from './proc-stats.ts';
import { CLASS_NAME, NAMESPACE, PROVISIONER_NAME } from './world.ts';
import type { World } from './world.ts';

export interface SubjectSpec {
  label: string;
  command?: string;
  /** Ours: the entry point node runs (dist/main.js unless --source; main.ts builds it only for ours). */
  main?: string;
  mountAt?: string;
  /** real: the RBAC file it is deployed with (default the shipped RBAC). */
  rbacFile?: string;
  env: Record<string, string>;
}

/** One provisioner of a run and its sizes (a slow one may get fewer claims and PV counts). */
export interface SubjectPlan {
  spec: SubjectSpec;
  claims: number;
  pvs: number[];
}

function label(base: string, o: BenchOptions, given?: string): string {
  const envText = Object.entries(o.env).map(([k, v]) => `${k}=${v}`).join(' ');
  return given ?? (envText ? `${base} (${envText})` : base);
}

/** Ours, the command, or (--with-ours) both: ours first. `main` is ours' entry point. */
export function subjectPlans(o: BenchOptions, main?: string): SubjectPlan[] {
  const ours: SubjectPlan = { spec: { label: label('ours', o), ...(main !== undefined ? { main } : {}), env: o.env }, claims: o.claims, pvs: o.pvs };
  const cmd = o.provisionerCmd;
  if (cmd === undefined) return [ours];
  const other: SubjectPlan = {
    spec: {
      label: label(cmd, o, o.label),
      command: cmd,
      ...(o.mountAt !== undefined ? { mountAt: o.mountAt } : {}),
      ...(o.rbac !== undefined ? { rbacFile: o.rbac } : {}),
      env: o.env,
    },
    claims: o.cmdClaims ?? o.claims,
    pvs: o.cmdPvs ?? o.pvs,
  };
  return o.withOurs ? [ours, other] : [other];
}

/** The shell command that runs `command` with the export bound at mountAt in a private mount namespace. */
export function wrapInMountNamespace(): string {
  return `exec unshare --mount --propagation private sh -c 'mkdir -p "$BENCH_MOUNT_AT" && mount --bind "$EXPORT_DIR" "$BENCH_MOUNT_AT" && exec bash -c "$BENCH_INNER_CMD"'`;
}

export interface Subject {
  proc: ProvisionerProcess;
  sampler: GroupSampler;
  /** performance.now() at spawn. */
  spawnedAt: number;
  isOurs: boolean;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const ticks = clockTicksPerSecond();

export async function startSubject(world: World, spec: SubjectSpec, opts: { leaderElection?: boolean; podName?: string } = {}): Promise<Subject> {
  const mountPath = spec.mountAt ?? world.exportDir;
  const env: Record<string, string> = {
    EXPORT_DIR: world.exportDir,
    NFS_MOUNT_PATH: mountPath,
    POD_NAMESPACE: world.identity.namespace,
    ...(spec.mountAt !== undefined && spec.command !== undefined ? { BENCH_MOUNT_AT: spec.mountAt, BENCH_INNER_CMD: spec.command } : {}),
    ...spec.env,
  };
  const command = spec.command === undefined ? undefined : spec.mountAt !== undefined ? wrapInMountNamespace() : spec.command;
  const spawnedAt = performance.now();
  const proc = await startProvisioner({
    kubeconfigPath: world.identity.kubeconfigPath,
    exportDir: world.exportDir,
    nfsPath: world.exportDir,
    provisionerName: PROVISIONER_NAME,
    leaderElection: opts.leaderElection ?? false,
    ...(opts.podName !== undefined ? { podName: opts.podName } : {}),
    env,
    ...(command !== undefined ? { command } : {}),
    ...(spec.main !== undefined ? { main: spec.main } : {}),
    maxLogLines: 2000,
  });
  const sampler = new GroupSampler(proc.pid, ticks);
  return {
    proc,
    sampler,
    spawnedAt,
    isOurs: spec.command === undefined,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      sampler.stop();
      await proc.stop(signal, 5000);
    },
  };
}

export function claimBody(name: string, labels: Record<string, string> = {}): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: NAMESPACE, labels: { app: 'nfs-bench', ...labels } },
    spec: { storageClassName: CLASS_NAME, accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Mi' } } },
  };
}

export async function createClaim(world: World, name: string): Promise<void> {
  await world.clients.core.createNamespacedPersistentVolumeClaim({ namespace: NAMESPACE, body: claimBody(name) });
  world.tracker.markCreated(name);
}

function tail(proc: ProvisionerProcess): string {
  return proc.logs
    .slice(-8)
    .map((l) => `    ${l.stream}: ${l.text.slice(0, 300)}`)
    .join('\n');
}

/**
 * Creates a claim and waits for its PV: proof that the provisioner (or, with several replicas, the
 * leader) is working. Returns seconds from creation to PV, or null on timeout; throws if the
 * process exits first.
 */
export async function probe(world: World, subject: Subject, name: string, timeoutMs = 60_000): Promise<number | null> {
  const exitedEarly = subject.proc.exited.then(() => 'exited' as const);
  const t0 = performance.now();
  await createClaim(world, name);
  const ok = await world.tracker.until(() => world.tracker.claims.get(name)?.pvAt !== undefined, timeoutMs, exitedEarly);
  const t = world.tracker.claims.get(name);
  if (!ok) {
    const st = await Promise.race([subject.proc.exited, Promise.resolve(undefined)]);
    if (st) throw new Error(`the provisioner exited (code ${String(st.code)}, signal ${String(st.signal)}) before provisioning ${name}:\n${tail(subject.proc)}`);
    return null;
  }
  return ((t?.pvAt ?? t0) - t0) / 1000;
}

export { tail as logTail };
