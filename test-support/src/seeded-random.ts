/** Seeded PRNG (mulberry32) so a failing randomized run can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The run's seed: `MONGO_WIRE_SEED` replays one, otherwise a fresh one (tests print it). */
export const SEED = Number(process.env.MONGO_WIRE_SEED ?? Date.now() % 100_000);
