// Kubernetes resource quantities ("1Mi", "2G", "1.5Gi", "500m", "1e3") compared exactly, as
// resource.Quantity.Cmp does: a resize is due when the request is larger than the capacity, and
// "2Mi" must equal "2097152". Values are kept as a BigInt count of nano-units (the finest unit a
// quantity has), so decimal and binary suffixes mix without rounding.

const BINARY: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/u;
const NANO_DIGITS = 9;

/** The quantity in nano-units (rounded up below that, as Kubernetes does), or undefined if malformed. */
export function parseQuantityNanos(text: string | number | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  const match = QUANTITY.exec(String(text).trim());
  if (match === null) return undefined;
  const [, sign = '', number = '', exponent, suffix = ''] = match;
  const [whole = '', fraction = ''] = number.split('.');
  let value = BigInt(`${whole}${fraction}` || '0');
  let power10 = NANO_DIGITS - fraction.length;
  if (exponent !== undefined) power10 += Number(exponent.slice(1));
  else if (suffix in BINARY) value *= 1n << BigInt(BINARY[suffix] ?? 0);
  else power10 += DECIMAL[suffix] ?? 0;
  if (power10 >= 0) value *= 10n ** BigInt(power10);
  else {
    const divisor = 10n ** BigInt(-power10);
    value = (value + divisor - 1n) / divisor;
  }
  return sign === '-' ? -value : value;
}

/** Whole bytes (rounded up), as a number for gauges; undefined if malformed. */
export function quantityBytes(text: string | number | undefined): number | undefined {
  const nanos = parseQuantityNanos(text);
  if (nanos === undefined) return undefined;
  const scale = 10n ** BigInt(NANO_DIGITS);
  return Number((nanos + scale - 1n) / scale);
}

/** -1, 0 or 1 as a < b, a = b, a > b; undefined when either is malformed. */
export function compareQuantities(a: string | number | undefined, b: string | number | undefined): -1 | 0 | 1 | undefined {
  const x = parseQuantityNanos(a);
  const y = parseQuantityNanos(b);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Bytes for people: "3.0 MiB", "512 B". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit] ?? ''}`;
}
