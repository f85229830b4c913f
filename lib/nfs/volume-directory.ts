// The directory of a new volume: the pathPattern's expansion, or the Go project's default name
// when there is no pattern or it expands to nothing. Pure, so validate() can run it too.
import { PermanentError } from '../errors.ts';
import type { ClassParameters } from './class-parameters.ts';
import { byteLength, MAX_PATH_BYTES } from './path-sanitize.ts';
import type { TemplateValues } from './path-template.ts';
import { defaultDirectoryName, expandPathPattern } from './path-template.ts';

/** Room kept for the archive name (`archived-` + timestamp + counter) below PATH_MAX. */
const ARCHIVE_HEADROOM_BYTES = 64;

export type VolumeDirectoryResult =
  | { readonly ok: true; readonly components: readonly string[]; readonly directory: string }
  | { readonly ok: false; readonly message: string };

export function volumeDirectory(
  parameters: Pick<ClassParameters, 'pathPattern'>,
  values: TemplateValues,
  longestBase: string,
): VolumeDirectoryResult {
  const expanded = parameters.pathPattern === undefined ? [] : expandPathPattern(parameters.pathPattern, values);
  const components = expanded.length > 0 ? expanded : [defaultDirectoryName(values)];
  const directory = components.join('/');
  const limit = MAX_PATH_BYTES - 1 - byteLength(longestBase) - 1 - ARCHIVE_HEADROOM_BYTES;
  const length = byteLength(directory);
  if (length > limit) {
    return {
      ok: false,
      message: `pathPattern "${parameters.pathPattern?.source ?? ''}" makes a directory of ${length} bytes; at most ${limit} fit in PATH_MAX (${MAX_PATH_BYTES}) on this export`,
    };
  }
  return { ok: true, components, directory };
}

/** volumeDirectory for provision(): a path that cannot be made safe is a PermanentError. */
export function requireVolumeDirectory(...args: Parameters<typeof volumeDirectory>): { components: readonly string[]; directory: string } {
  const result = volumeDirectory(...args);
  if (!result.ok) throw new PermanentError(result.message);
  return result;
}
