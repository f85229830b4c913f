// Object name rules (apimachinery's validation.IsDNS1123Subdomain / IsDNS1123Label /
// path.ValidatePathSegmentName) with the messages the real server returns.
import type { NameRule } from './resource-type.ts';

const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

// Problems with a name under a rule; empty when valid.
export function nameProblems(name: string, rule: NameRule): string[] {
  switch (rule) {
    case 'label': {
      const out: string[] = [];
      if (name.length > 63) out.push('must be no more than 63 characters');
      if (!label.test(name)) out.push(LABEL_MESSAGE);
      return out;
    }
    case 'subdomain': {
      const out: string[] = [];
      if (name.length > 253) out.push('must be no more than 253 characters');
      if (!subdomain.test(name)) out.push(SUBDOMAIN_MESSAGE);
      return out;
    }
    case 'path-segment':
      if (name === '.' || name === '..') return [`may not be '${name}'`];
      if (name.includes('/')) return ["may not contain '/'"];
      if (name.includes('%')) return ["may not contain '%'"];
      return [];
  }
}

// generateName: the server appends 5 random characters from this alphabet (no vowels, no
// look-alikes), truncating the prefix so the result fits 63 characters.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
export function generateName(prefix: string, random: () => number): string {
  const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[Math.floor(random() * alphabet.length)] ?? 'x';
  return base + suffix;
}

export function isLabelValue(v: string): boolean {
  return v === '' || (v.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(v));
}
