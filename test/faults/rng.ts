// A seeded random generator (mulberry32) with the few helpers the scenarios need, so a run
// replays from its printed seed.
export interface Rng {
  readonly seed: number;
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** A new generator derived from this one (one per scenario, so filtering keeps seeds stable). */
  fork(label: string): Rng;
}

export function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    fork: (label) => {
      let h = seed >>> 0;
      for (const c of label) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
      return makeRng(h);
    },
  };
}
