// xorshift32: reproducible pseudo-random numbers for randomized tests (the same run for a seed).
export function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}
