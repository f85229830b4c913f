// Rules that turn untrusted text (claim names, label and annotation values) into safe path
// components on the export. The mapping, documented here once, is one-to-one, so two different
// values never land in the same directory:
// - inside a value, `%`, `/`, NUL and other control characters (U+0000-U+001F, U+007F) are
//   percent-encoded (`%25`, `%2F`, `%00`, ...), so a value can never add a path level or hide a
//   newline in a directory name; ordinary names (DNS names, most label values) are unchanged;
// - a component that is exactly `.` or `..` becomes `%2E` or `%2E%2E` (never "here" or "parent");
// - a component whose variables expanded to nothing is `%empty` (see path-template.ts);
// - a component longer than 255 bytes (NAME_MAX, counted in UTF-8) is cut at a character boundary
//   and suffixed with `-` and 16 hex digits of its SHA-256, so it stays unique and is the same on
//   every retry. Shorter names are never changed, so directories made by the Go project keep
//   their names.
import { createHash } from 'node:crypto';

/** NAME_MAX of Linux and of NFS servers in practice. */
export const MAX_COMPONENT_BYTES = 255;
/** PATH_MAX of Linux: bound for every absolute path we hand to the kernel. */
export const MAX_PATH_BYTES = 4096;
/** Hex digits of the SHA-256 kept when a component is shortened (64 bits). */
const HASH_HEX_DIGITS = 16;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_IN_VALUE = /[%/\u0000-\u001f\u007f]/g;

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Makes a template value (or a claim name) text that cannot add or leave a path level. */
export function sanitizeValue(value: string): string {
  // Lone surrogates cannot be written as UTF-8 file names; toWellFormed maps them to U+FFFD.
  return value.toWellFormed().replace(UNSAFE_IN_VALUE, percentEncode);
}

function percentEncode(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Maps the special names `.` and `..`; other components pass unchanged. */
export function neutralizeDots(component: string): string {
  if (component === '.') return '%2E';
  if (component === '..') return '%2E%2E';
  return component;
}

/** The longest prefix of `text` whose UTF-8 encoding fits in `maxBytes`, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/** Shortens a component over 255 bytes deterministically: `<prefix>-<sha256 hex16>`. */
export function shortenComponent(component: string): string {
  if (byteLength(component) <= MAX_COMPONENT_BYTES) return component;
  const hash = createHash('sha256').update(component, 'utf8').digest('hex').slice(0, HASH_HEX_DIGITS);
  return `${truncateUtf8(component, MAX_COMPONENT_BYTES - HASH_HEX_DIGITS - 1)}-${hash}`;
}

/** Full treatment of a single component built from untrusted text. */
export function safeComponent(text: string): string {
  return shortenComponent(neutralizeDots(sanitizeValue(text)));
}
