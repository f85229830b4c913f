// Label keys and values as apimachinery's ValidateLabels checks them, with the real server's
// messages: a value is at most 63 characters of [A-Za-z0-9-_.], starting and ending with an
// alphanumeric (or empty); a key is an optional DNS-subdomain prefix and '/' before a name of the
// same shape. The real server refuses a claim labelled "../" with 422 (found by the hostile-input
// end-to-end test on the real control plane, which the harness had accepted).
import type { StatusCause } from './status-errors.ts';

const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_MESSAGE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

function keyProblems(key: string): string[] {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const out: string[] = [];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !PREFIX.test(prefix))) {
    out.push('prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character');
  }
  if (name.length === 0 || name.length > 63) out.push('name part must be no more than 63 characters');
  if (!NAME.test(name)) out.push(NAME_MESSAGE);
  return out;
}

export function labelProblems(labels: Readonly<Record<string, unknown>>): StatusCause[] {
  const out: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const p of keyProblems(key)) out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(key)}: ${p}`, field: 'metadata.labels' });
    if (typeof value !== 'string') {
      out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: must be a string`, field: `metadata.labels.${key}` });
      continue;
    }
    if (value.length > 63) out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: must be no more than 63 characters`, field: 'metadata.labels' });
    if (!VALUE.test(value)) out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${VALUE_MESSAGE}`, field: 'metadata.labels' });
  }
  return out;
}
