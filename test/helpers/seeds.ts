// Seeds for randomized tests. Each randomized test runs its fixed regression seeds, then one
// random seed per run, so that every run explores new inputs; the random seed is printed (as a
// test diagnostic and in every failure message) and LOCI_FUZZ_SEED=S replays it. A seed that
// fails becomes a regression seed of that test.
import { randomInt } from 'node:crypto';

/** This run's random seed: LOCI_FUZZ_SEED when set (a replay), else a fresh one (0 .. 2^31-1). */
export function runSeed(): number {
  const fixed = process.env.LOCI_FUZZ_SEED;
  if (fixed !== undefined && fixed !== '') {
    const n = Number(fixed);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`LOCI_FUZZ_SEED=${fixed} is not a non-negative integer`);
    return n;
  }
  return randomInt(2 ** 31);
}

/** How to say where a failure came from. */
export const replayHint = (seed: number, file: string) => `random seed ${seed}: replay with LOCI_FUZZ_SEED=${seed} node scripts/run-tests.mjs ${file}, then add the seed to the test's regression seeds`;
