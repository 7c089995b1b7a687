// A seeded PRNG, byte-level mutators and the fuzzer's input stream: the seeds as
// they are, then seeds with one to four stacked mutations, reproducible from the seed.

/** mulberry32: 32 bits of state, so a run is fixed by one integer. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** An integer in 0..below-1 (below >= 1). */
  below(below: number): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * below);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.below(256);
    return b;
  }
}

type Mutator = (input: Buffer, rng: Rng, seeds: readonly Buffer[]) => Buffer;

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff];
const INTERESTING_U16 = [0, 1, 2, 4, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xfffe, 0xffff];
const MAX_EXTENSION = 64;
const MAX_RANDOM_LENGTH = 160;

/** Applies edit to a copy of input; an empty input is returned as it is. */
const inPlace =
  (edit: (b: Buffer, rng: Rng) => void): Mutator =>
  (input, rng) => {
    if (input.length === 0) return input;
    const b = Buffer.from(input);
    edit(b, rng);
    return b;
  };

const flipBit = inPlace((b, rng) => {
  b[rng.below(b.length)]! ^= 1 << rng.below(8);
});

const setInterestingByte = inPlace((b, rng) => {
  b[rng.below(b.length)] = rng.pick(INTERESTING_BYTES);
});

/** A 16-bit big-endian field (a length, an AFI, a count) set to an edge value or to what is left of the buffer. */
const setLength16 = inPlace((b, rng) => {
  if (b.length < 2) return;
  const at = rng.below(b.length - 1);
  const left = b.length - at - 2;
  const value = rng.pick([...INTERESTING_U16, left, left + 1, Math.max(left - 1, 0), rng.below(64)]);
  b.writeUInt16BE(Math.min(value, 0xffff), at);
});

const truncate: Mutator = (input, rng) => input.subarray(0, rng.below(input.length + 1));

const extend: Mutator = (input, rng) => Buffer.concat([input, rng.bytes(1 + rng.below(MAX_EXTENSION))]);

/** The head of the input followed by the tail of another seed. */
const splice: Mutator = (input, rng, seeds) => {
  const other = rng.pick(seeds);
  return Buffer.concat([input.subarray(0, rng.below(input.length + 1)), other.subarray(rng.below(other.length + 1))]);
};

/** A chunk of the input copied to another position (repeated records, locators, LCAFs). */
const duplicateChunk: Mutator = (input, rng) => {
  if (input.length === 0) return input;
  const start = rng.below(input.length);
  const chunk = input.subarray(start, start + 1 + rng.below(input.length - start));
  const at = rng.below(input.length + 1);
  return Buffer.concat([input.subarray(0, at), chunk, input.subarray(at)]);
};

const randomBuffer: Mutator = (_input, rng) => rng.bytes(rng.below(MAX_RANDOM_LENGTH + 1));

const MUTATORS: readonly Mutator[] = [flipBit, setInterestingByte, setLength16, truncate, extend, splice, duplicateChunk, randomBuffer];

export function mutate(seeds: readonly Buffer[], rng: Rng): Buffer {
  let b = rng.pick(seeds);
  for (let n = 1 + rng.below(4); n > 0; n--) b = rng.pick(MUTATORS)(b, rng, seeds);
  return b;
}

/** count inputs: every seed unchanged first, then mutants. */
export function* fuzzInputs(seeds: readonly Buffer[], count: number, seed: number): Generator<Buffer> {
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) yield i < seeds.length ? seeds[i]! : mutate(seeds, rng);
}
