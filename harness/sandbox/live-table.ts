// The sandbox's live view: claims (ns/name, phase, volume), volumes (name, phase, claim, reclaim
// policy, export, used / capacity) and the directories in each export. Fed by watches of claims and
// volumes, by a poll of the exports and of the provisioner's /metrics (the usage walker's gauges;
// the PV's usage annotation when the metrics do not answer); redrawn in place on a terminal,
// printed as append-only change lines otherwise.
import type { CoreV1Api, V1PersistentVolume, V1PersistentVolumeClaim, Watch } from '@kubernetes/client-node';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startReflector } from '../controllers/reflector.ts';

export interface TableState {
  claims: V1PersistentVolumeClaim[];
  volumes: V1PersistentVolume[];
  /** Directories in each export, relative, two levels deep (pathPattern makes nested ones). */
  dirs: ExportDir[];
  /** Bytes used per PV name, from the provisioner's nfs_provisioner_volume_used_bytes. */
  used?: ReadonlyMap<string, number>;
}

/** Bytes for the table: 512B, 3.0Mi (binary units, as capacities are usually written). */
export function shortBytes(bytes: number): string {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes}B` : `${value.toFixed(1)}${units[unit] ?? ''}`;
}

/** The samples of nfs_provisioner_volume_used_bytes by PV name, from a Prometheus text page. */
export function usedBytesFromMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^nfs_provisioner_volume_used_bytes\{([^}]*)\} (\S+)$/u.exec(line);
    const pv = /persistentvolume="([^"]*)"/u.exec(m?.[1] ?? '')?.[1];
    if (m !== null && pv !== undefined) out.set(pv, Number(m[2]));
  }
  return out;
}

function usageCell(v: V1PersistentVolume, used: ReadonlyMap<string, number> | undefined): string {
  const capacity = v.spec?.capacity?.['storage'] ?? '-';
  const annotated = v.metadata?.annotations?.['nfs-provisioner.dev/used-bytes'];
  const bytes = used?.get(v.metadata?.name ?? '') ?? (annotated === undefined ? undefined : Number(annotated));
  return `${bytes === undefined || Number.isNaN(bytes) ? '-' : shortBytes(bytes)}/${capacity}`;
}

export interface ExportDir {
  /** The export's name (`default`, `second`, ...). */
  export: string;
  path: string;
}

/** The export a PV records (nfs-provisioner.dev/export), `-` for PVs that name none. */
const EXPORT_ANNOTATION = 'nfs-provisioner.dev/export';

/** One row per object, keyed so that change lines can say what changed. */
export interface Row {
  key: string;
  cells: string[];
}

const byKey = (a: Row, b: Row): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export function tableRows(state: TableState): { claims: Row[]; volumes: Row[]; dirs: Row[] } {
  const claims = state.claims
    .map((c) => {
      const name = `${c.metadata?.namespace ?? ''}/${c.metadata?.name ?? ''}`;
      const phase = c.metadata?.deletionTimestamp ? 'Terminating' : (c.status?.phase ?? 'Pending');
      return { key: `claim ${name}`, cells: [name, phase, c.spec?.volumeName || '-'] };
    })
    .sort(byKey);
  const volumes = state.volumes
    .map((v) => {
      const ref = v.spec?.claimRef;
      const phase = v.metadata?.deletionTimestamp ? 'Terminating' : (v.status?.phase ?? 'Pending');
      return {
        key: `volume ${v.metadata?.name ?? ''}`,
        cells: [
          v.metadata?.name ?? '',
          phase,
          ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '-',
          v.spec?.persistentVolumeReclaimPolicy ?? '-',
          v.metadata?.annotations?.[EXPORT_ANNOTATION] ?? '-',
          usageCell(v, state.used),
        ],
      };
    })
    .sort(byKey);
  const dirs = state.dirs.map((d) => ({ key: `dir ${d.export}:${d.path}`, cells: [d.export, d.path] })).sort(byKey);
  return { claims, volumes, dirs };
}

function formatSection(title: string, header: string[], rows: Row[]): string[] {
  const all = [header, ...rows.map((r) => r.cells)];
  const widths = header.map((_h, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [`${title} (${rows.length})`, `  ${fmt(header)}`, ...(rows.length ? rows.map((r) => `  ${fmt(r.cells)}`) : ['  (none)'])];
}

export function renderTable(state: TableState): string[] {
  const rows = tableRows(state);
  return [
    ...formatSection('CLAIMS', ['NAMESPACE/NAME', 'PHASE', 'VOLUME'], rows.claims),
    '',
    ...formatSection('VOLUMES', ['NAME', 'PHASE', 'CLAIM', 'RECLAIM', 'EXPORT', 'USED/CAPACITY'], rows.volumes),
    '',
    ...formatSection('EXPORT DIRECTORIES', ['EXPORT', 'PATH'], rows.dirs),
  ];
}

/** Append-only change lines between two states (for logs and pipes). */
export function changeLines(before: TableState | undefined, after: TableState): string[] {
  const flat = (s: TableState | undefined): Map<string, string> => {
    const m = new Map<string, string>();
    if (!s) return m;
    const r = tableRows(s);
    for (const row of [...r.claims, ...r.volumes, ...r.dirs]) m.set(row.key, row.cells.slice(1).join('  '));
    return m;
  };
  const a = flat(before);
  const b = flat(after);
  const lines: string[] = [];
  for (const [key, text] of b) {
    if (a.get(key) !== text) lines.push(text ? `${key}  ${text}` : key);
  }
  for (const key of a.keys()) if (!b.has(key)) lines.push(`${key}  (gone)`);
  return lines;
}

export async function listExportDirs(root: string, depth = 2): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string, level: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch {
      return; // removed while listing
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const path = rel ? `${rel}/${e.name}` : e.name;
      out.push(path);
      if (level < depth) await walk(path, level + 1);
    }
  };
  await walk('', 1);
  return out;
}

export interface LiveViewOptions {
  core: CoreV1Api;
  watch: Watch;
  /** Every export the sandbox serves, by name. */
  exports: readonly { name: string; dir: string }[];
  write: (text: string) => void;
  /** Redraw in place (a terminal) or print change lines. */
  tty: boolean;
  /** Lines shown above the table on a terminal (kubeconfig, kubectl hint). */
  header: string[];
  pollMs?: number;
  /** The provisioner's /metrics, for the USED column. */
  metricsUrl?: string;
}

export interface LiveView {
  stop(): void;
}

export function startLiveView(opts: LiveViewOptions): LiveView {
  let last: TableState | undefined;
  let lastText = '';
  let pending: NodeJS.Timeout | undefined;
  let stopped = false;
  let dirs: ExportDir[] = [];
  let used: ReadonlyMap<string, number> = new Map();

  const render = (): void => {
    pending = undefined;
    if (stopped) return;
    const state: TableState = { claims: claims.list(), volumes: volumes.list(), dirs, used };
    const lines = renderTable(state);
    const text = lines.join('\n');
    if (text === lastText) return;
    lastText = text;
    if (opts.tty) {
      opts.write(`\x1b[H\x1b[2J${[...opts.header, '', ...lines].join('\n')}\n`);
    } else {
      const stamp = new Date().toISOString().slice(11, 19);
      for (const l of changeLines(last, state)) opts.write(`[${stamp}] ${l}\n`);
    }
    last = state;
  };
  const schedule = (): void => {
    if (!pending && !stopped) pending = setTimeout(render, 50);
  };
  const claims = startReflector<V1PersistentVolumeClaim>({
    path: '/api/v1/persistentvolumeclaims',
    list: () => opts.core.listPersistentVolumeClaimForAllNamespaces(),
    watch: opts.watch,
    onChange: schedule,
    onSynced: schedule,
  });
  const volumes = startReflector<V1PersistentVolume>({
    path: '/api/v1/persistentvolumes',
    list: () => opts.core.listPersistentVolume(),
    watch: opts.watch,
    onChange: schedule,
    onSynced: schedule,
  });
  const pollMetrics = async (url: string): Promise<void> => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const next = usedBytesFromMetrics(await response.text());
      if (JSON.stringify([...next]) !== JSON.stringify([...used])) {
        used = next;
        schedule();
      }
    } catch {
      // The provisioner is restarting or gone: keep the last figures (annotations fill in).
    }
  };
  const poll = async (): Promise<void> => {
    if (opts.metricsUrl !== undefined) await pollMetrics(opts.metricsUrl);
    const next = (await Promise.all(opts.exports.map(async (e) => (await listExportDirs(e.dir)).map((path) => ({ export: e.name, path }))))).flat();
    const text = (list: ExportDir[]): string => list.map((d) => `${d.export}:${d.path}`).join('\n');
    if (text(next) !== text(dirs)) {
      dirs = next;
      schedule();
    }
  };
  const timer = setInterval(() => void poll(), opts.pollMs ?? 500);
  void poll();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      if (pending) clearTimeout(pending);
      claims.stop();
      volumes.stop();
    },
  };
}
