// A PV as a pod would use it: the NFS source in the PV's own spec (server + path), reached over
// the NFS protocol at the test server's port, the way the kubelet's `mount -t nfs server:path`
// would. Nothing here looks at the provisioner's internals; the directory on disk is derived from
// spec.nfs.path (the export's pseudo path maps onto the exported directory), and the provisioner's
// directory annotation is only checked against it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Test } from 'tap';
import type { V1PersistentVolume } from '@kubernetes/client-node';
import { createNfsClient } from '../../../harness/nfs/index.ts';
import type { NfsClient } from '../../../harness/nfs/index.ts';
import { DIRECTORY_ANNOTATION } from './nfs-world.ts';

/** What the checks need to know of a served export: where its server listens and what it exports. */
export interface ServedExport {
  nfs: { server: string; port: number; pseudoPath: string };
  /** The exported directory on disk. */
  exportDir: string;
  /** The provisioner's NFS_PATH when it is not the pseudo path itself (a subdirectory, a trailing slash). */
  nfsPath?: string;
}

export interface NfsSource {
  server: string;
  path: string;
}

export function nfsSourceOf(pv: V1PersistentVolume): NfsSource {
  const nfs = pv.spec?.nfs;
  if (nfs === undefined) throw new Error(`PV ${pv.metadata?.name ?? '?'} has no spec.nfs`);
  return { server: nfs.server, path: nfs.path };
}

/** A client "mounted" at an NFS source: paths are relative to source.path. */
export function mountSource(world: Pick<ServedExport, 'nfs'>, source: NfsSource, ids?: { uid: number; gid: number }): NfsClient {
  return createNfsClient({ server: source.server, pseudoPath: source.path, port: world.nfs.port, ...(ids ?? {}) });
}

/** A client mounted at the PV's spec.nfs (what its pod sees). */
export function mountVolume(world: Pick<ServedExport, 'nfs'>, pv: V1PersistentVolume, ids?: { uid: number; gid: number }): NfsClient {
  return mountSource(world, nfsSourceOf(pv), ids);
}

/** The NFS source one level up (the directory holding the volume's directory). */
export function parentSource(pv: V1PersistentVolume): NfsSource {
  const { server, path } = nfsSourceOf(pv);
  return { server, path: posix.dirname(path) };
}

/** The volume's directory relative to the export, derived from spec.nfs.path. */
export function exportRelative(world: Pick<ServedExport, 'nfs'>, path: string): string {
  const prefix = `${world.nfs.pseudoPath}/`;
  if (!path.startsWith(prefix)) throw new Error(`NFS path ${path} is not below the export's pseudo path ${world.nfs.pseudoPath}`);
  return path.slice(prefix.length);
}

/** Where spec.nfs.path lands in the exported directory on disk. */
export function diskPathOf(world: ServedExport, pv: V1PersistentVolume): string {
  return join(world.exportDir, exportRelative(world, nfsSourceOf(pv).path));
}

/** Bytes that cross libnfs' 3 KiB write chunks, so a split or truncated write shows. */
export function payload(tag: string, size = 10_000): Buffer {
  const line = `${tag} 0123456789abcdefghijklmnopqrstuvwxyz\n`;
  return Buffer.from(line.repeat(Math.ceil(size / line.length)).slice(0, size));
}

/**
 * The PV's NFS source names the test server and a directory of the export; a file written through
 * NFS at that source is in the claim's directory on disk, and a file written there is read back
 * through NFS. Returns the names of the two files.
 */
export async function checkRoundTrip(
  t: Test,
  world: ServedExport,
  pv: V1PersistentVolume,
  opts: { ids?: { uid: number; gid: number }; provisioned?: boolean } = {},
): Promise<{ viaNfs: string; onDisk: string }> {
  const { ids, provisioned = true } = opts;
  const name = pv.metadata?.name ?? '?';
  const source = nfsSourceOf(pv);
  t.equal(source.server, world.nfs.server, `${name}: spec.nfs.server is the NFS server`);
  if (provisioned) {
    const directory = pv.metadata?.annotations?.[DIRECTORY_ANNOTATION] ?? '(no directory annotation)';
    t.equal(source.path, posix.join(world.nfsPath ?? world.nfs.pseudoPath, directory), `${name}: spec.nfs.path is NFS_PATH joined with the recorded directory`);
  }

  const mount = mountVolume(world, pv, ids);
  const disk = diskPathOf(world, pv);
  const viaNfs = 'written-through-nfs.bin';
  const onDisk = 'written-on-export.txt';

  const sent = payload(`${name} via nfs`);
  await mount.writeFile(viaNfs, sent);
  t.ok(readFileSync(join(disk, viaNfs)).equals(sent), `${name}: a file written through NFS at ${source.server}:${source.path} is in the claim's directory on disk`);

  const local = `${name} written on the export\n`;
  writeFileSync(join(disk, onDisk), local);
  t.equal((await mount.readFile(onDisk)).toString('utf8'), local, `${name}: a file written in the claim's directory is read through NFS`);

  const listed = (await mount.list()).map((e) => e.name);
  t.ok(listed.includes(viaNfs) && listed.includes(onDisk), `${name}: both files listed through NFS`);
  return { viaNfs, onDisk };
}
