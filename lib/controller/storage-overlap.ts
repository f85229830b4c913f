// Two PVs can point at the same storage, or one inside the other: a pathPattern without a unique
// part gives several claims one directory, and one class's pattern can nest inside another's
// directory. Reclaiming such storage would archive or delete data that a live volume still uses.

/** True when one '/'-separated location equals the other or lies below it (whole components). */
export function locationsOverlap(a: string, b: string): boolean {
  return a === b || isBelow(a, b) || isBelow(b, a);
}

function isBelow(inner: string, outer: string): boolean {
  return inner.startsWith(outer.endsWith('/') ? outer : `${outer}/`);
}
