// Which export a claim is provisioned on and which export a PV's directory lives on. Pure: the
// provisioner, and anything else that acts on a volume's files (reclaim, usage, clones), asks here.
//
// A claim: the class parameter `export`, else the export whose provisionerNames hold the class's
// provisioner, else `default`. A PV: the export its annotation names, which must also hold the
// PV's (immutable) spec.nfs, so an edited annotation cannot aim a delete at another export. A PV
// without the annotation (made by the Go project or by our versions before several exports) or
// whose export was renamed belongs to the export whose server and path prefix its spec.nfs; the
// exports file forbids two exports of one server whose paths nest, so at most one does.
import type { V1PersistentVolume } from '@kubernetes/client-node';
import { EXPORT_ANNOTATION } from './annotations.ts';
import type { NfsExport } from './nfs-export.ts';

export type Routed =
  | { readonly ok: true; readonly export: NfsExport; readonly via: 'parameter' | 'provisioner' | 'default' | 'annotation' | 'source' }
  | { readonly ok: false; readonly message: string };

export const DEFAULT_EXPORT = 'default';

function known(exports: readonly NfsExport[]): string {
  return exports.map((e) => `"${e.name}"`).join(', ');
}

/** The export for a new volume of a class with provisioner `provisioner` and parameter `requested`. */
export function exportForClass(exports: readonly NfsExport[], provisioner: string, requested: string | undefined): Routed {
  if (requested !== undefined) {
    const named = exports.find((e) => e.name === requested);
    if (named !== undefined) return { ok: true, export: named, via: 'parameter' };
    return { ok: false, message: `export: "${requested}" is not an export of this provisioner (known: ${known(exports)})` };
  }
  const byName = exports.find((e) => e.provisionerNames.includes(provisioner));
  if (byName !== undefined) return { ok: true, export: byName, via: 'provisioner' };
  const fallback = exports.find((e) => e.name === DEFAULT_EXPORT) ?? exports[0];
  if (fallback === undefined) return { ok: false, message: 'no export is configured' };
  return { ok: true, export: fallback, via: 'default' };
}

/** The export a PV's directory lives on. */
export function exportForVolume(exports: readonly NfsExport[], pv: V1PersistentVolume): Routed {
  const name = pv.metadata?.name ?? '';
  const nfs = pv.spec?.nfs;
  if (nfs === undefined) return { ok: false, message: `PV ${name} has no NFS source` };
  const recorded = pv.metadata?.annotations?.[EXPORT_ANNOTATION];
  const named = recorded === undefined ? undefined : exports.find((e) => e.name === recorded);
  if (named !== undefined) {
    if (named.holds(nfs)) return { ok: true, export: named, via: 'annotation' };
    return {
      ok: false,
      message: `PV ${name}: annotation ${EXPORT_ANNOTATION} "${recorded ?? ''}" names an export (${named.server}:${named.path}) that does not hold its NFS source ${nfs.server}:${nfs.path}`,
    };
  }
  const holder = exports.find((e) => e.holds(nfs));
  if (holder !== undefined) return { ok: true, export: holder, via: 'source' };
  const annotated = recorded === undefined ? '' : `its annotation names export "${recorded}", which is not configured, and `;
  return {
    ok: false,
    message: `PV ${name}: ${annotated}no export holds its NFS source ${nfs.server}:${nfs.path} (exports: ${exports.map((e) => `${e.name} = ${e.server}:${e.path}`).join(', ')})`,
  };
}
