// A directory relative to the export root, as recorded on a PV or derived from one. Annotations
// can be edited by anyone allowed to patch PVs, so a recorded path is checked as strictly as a
// template result before anything acts on it.
import { byteLength, MAX_COMPONENT_BYTES, MAX_PATH_BYTES } from './path-sanitize.ts';

export type RelativePathResult =
  | { readonly ok: true; readonly components: readonly string[] }
  | { readonly ok: false; readonly message: string };

/**
 * Splits `a/b/c` into its components and refuses anything that is not a plain relative path below
 * the root: absolute, empty, `.` or `..` components, empty components (`a//b`), NUL, over-long.
 */
export function parseRelativePath(path: string): RelativePathResult {
  if (path === '') return { ok: false, message: 'the directory is empty (that would be the export root)' };
  if (path.startsWith('/')) return { ok: false, message: `the directory "${path}" is absolute` };
  if (path.includes('\0')) return { ok: false, message: 'the directory contains a NUL character' };
  if (byteLength(path) > MAX_PATH_BYTES) {
    return { ok: false, message: `the directory is longer than ${MAX_PATH_BYTES} bytes` };
  }
  const components = path.split('/');
  for (const component of components) {
    if (component === '' || component === '.' || component === '..') {
      return { ok: false, message: `the directory "${path}" has an empty, "." or ".." component` };
    }
    if (byteLength(component) > MAX_COMPONENT_BYTES) {
      return { ok: false, message: `the directory "${path}" has a component longer than ${MAX_COMPONENT_BYTES} bytes` };
    }
  }
  return { ok: true, components };
}
