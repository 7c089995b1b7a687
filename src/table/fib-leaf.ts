/**
 * Leaves of the IPv4 forwarding structure (ipv4-fib.ts): the 256 addresses of a /24 holding a /25-/32,
 * below a node at depth 19, kept in that node's block of the run pool. After the node's runs and
 * child bitmap come one record per leaf, in chunk order:
 *   [offset of its runs from the block's start - 1, 8 run bitmap words, runs before each word (one
 *   byte per word, 4 per element)],
 * then the leaves' runs, in the same order, with gaps (undefined values marked NOT_RUN) where a leaf
 * shrank or moved. Bit b of a leaf's bitmap is set if address b starts a run.
 *
 * A change works on one leaf at a time, loaded address by address into shared arrays, then encoded
 * into runs, and written back: in place, moving the leaves after it if it grew (placeLeaf), or into
 * a new layout of its node's block, the other leaves copied from a saved copy of the old block.
 */
import type { RunPool } from './fib-pools.js';

/** Elements of a leaf record. */
export const LEAF = 11;
/** The mark of CHILD runs and of the block elements that are not runs (records, gaps). */
export const NOT_RUN = 255;

// The leaf being changed, shared by all instances: the run (value, mark) of each address, then
// (encodeLeaf) its runs and run bitmap; and a copy of the block its node had before the change.
const addrVal: unknown[] = new Array<unknown>(256).fill(undefined);
const addrMark = new Uint8Array(256);
const runVal: unknown[] = new Array<unknown>(256).fill(undefined);
const runMark = new Uint8Array(256);
const runWords = new Int32Array(8);
let saved: unknown[] = [];
let savedMarks = new Uint8Array(0);

/** Runs of the leaf whose record is at p: those before its last bitmap word, and those in it. */
export function leafRuns(vals: unknown[], p: number): number {
  return ((vals[p + 10] as number) >>> 24) + popcount(vals[p + 8] as number);
}

/** Elements of the block at o + 1 of a node with n runs and leaves, up to the end of its last leaf's runs. */
export function leavesEnd(vals: unknown[], o: number, n: number): number {
  const last = o + 2 + n + LEAF * (popcount(vals[o + 1 + n] as number) - 1);
  return (vals[last] as number) + 1 + leafRuns(vals, last);
}

/** Loads a new leaf, all of one run. */
export function newLeaf(value: unknown, mark: number): void {
  addrVal.fill(value);
  addrMark.fill(mark);
}

/** Loads the leaf whose record is at p in the block at start. */
export function loadLeaf(pool: RunPool, start: number, p: number): void {
  const vals = pool.vals;
  const marks = pool.marks;
  let run = start + (vals[p] as number);
  for (let w = 0, b = 0; w < 8; w++) {
    const word = vals[p + 1 + w] as number;
    for (let i = 0; i < 32; i++, b++) {
      run += (word >>> i) & 1;
      addrVal[b] = vals[run];
      addrMark[b] = marks[run]!;
    }
  }
}

/** Sets to (value, mark) the addresses lo..lo+count-1 of the loaded leaf whose mark is in [from, to]. */
export function paintLeaf(lo: number, count: number, value: unknown, mark: number, from: number, to: number): void {
  for (let b = lo; b < lo + count; b++) {
    if (addrMark[b]! >= from && addrMark[b]! <= to) {
      addrVal[b] = value;
      addrMark[b] = mark;
    }
  }
}

/** Encodes the loaded leaf into runs; returns how many. */
export function encodeLeaf(): number {
  let n = 0;
  for (let w = 0, b = 0; w < 8; w++) {
    let word = 0;
    for (let i = 0; i < 32; i++, b++) {
      if (b !== 0 && addrVal[b] === addrVal[b - 1] && addrMark[b] === addrMark[b - 1]) continue;
      word |= 1 << i;
      runVal[n] = addrVal[b];
      runMark[n++] = addrMark[b]!;
    }
    runWords[w] = word;
  }
  return n;
}

/** The value and mark of the encoded leaf's first run (its only one, when it goes back into its chunk). */
export function firstRun(): [unknown, number] {
  return [runVal[0], runMark[0]!];
}

/** Writes the encoded leaf: its record at p, its runs from `run` on, in the block at start; returns the offset after its runs. */
export function writeLeaf(pool: RunPool, p: number, run: number, start: number): number {
  const vals = pool.vals;
  pool.marks.fill(NOT_RUN, p, p + LEAF);
  vals[p] = run - 1 - start;
  // Runs before words 1..3, and 4..7, a byte each.
  let low = 0;
  let high = 0;
  for (let w = 0, n = 0; w < 8; w++) {
    vals[p + 1 + w] = runWords[w];
    if (w >= 4) high |= n << ((w & 3) << 3);
    else low |= n << (w << 3);
    n += popcount(runWords[w]!);
  }
  vals[p + 9] = low;
  vals[p + 10] = high;
  const count = leafRuns(vals, p);
  for (let i = 0; i < count; i++) vals[run + i] = runVal[i];
  pool.marks.set(runMark.subarray(0, count), run);
  return run + count;
}

/**
 * Writes the encoded leaf, of count runs, whose record is at p in the block at start (of `size`
 * elements, records up to `records`), over its old runs if the block has room: a leaf that shrinks
 * leaves a gap after it; one that grows takes the room after it, moving the leaves that follow to
 * the right up to a gap large enough, or into the block's capacity. Returns whether it did.
 */
export function placeLeaf(pool: RunPool, start: number, size: number, records: number, p: number, count: number): boolean {
  const vals = pool.vals;
  const first = start + 1 + (vals[p] as number);
  // The leaves to move, at records p + LEAF up to q, and where the last one moved ends.
  let end = first + count;
  let q = p + LEAF;
  for (; q < records && start + 1 + (vals[q] as number) < end; q += LEAF) end += leafRuns(vals, q);
  const next = q < records ? start + 1 + (vals[q] as number) : start + size;
  if (pool.capacity(q < records ? size : end - start) !== pool.capacity(size)) return false;
  const marks = pool.marks;
  for (let r = q - LEAF, to = end; r > p; r -= LEAF) {
    const n = leafRuns(vals, r);
    const from = start + 1 + (vals[r] as number);
    to -= n;
    for (let i = n - 1; i >= 0; i--) vals[to + i] = vals[from + i];
    marks.copyWithin(to, from, from + n);
    vals[r] = to - 1 - start;
  }
  for (let i = end; i < next; i++) {
    vals[i] = undefined;
    marks[i] = NOT_RUN;
  }
  writeLeaf(pool, p, first, start);
  return true;
}

/** Keeps a copy of the block at start, of `size` elements, for copyLeaf (until dropBlock). */
export function saveBlock(pool: RunPool, start: number, size: number): void {
  if (saved.length < size) {
    saved = new Array<unknown>(size).fill(undefined);
    savedMarks = new Uint8Array(size);
  }
  for (let i = 0; i < size; i++) saved[i] = pool.vals[start + i];
  savedMarks.set(pool.marks.subarray(start, start + size));
}

/** Drops the saved block's values. */
export function dropBlock(size: number): void {
  saved.fill(undefined, 0, size);
}

/**
 * Copies the leaf whose record is at p in the saved block (p from its start): its record to q, its
 * runs from `run` on, in the block at start; returns the offset after its runs.
 */
export function copyLeaf(pool: RunPool, p: number, q: number, run: number, start: number): number {
  const vals = pool.vals;
  const n = leafRuns(saved, p);
  const first = 1 + (saved[p] as number);
  pool.marks.fill(NOT_RUN, q, q + LEAF);
  vals[q] = run - 1 - start;
  for (let w = 1; w < LEAF; w++) vals[q + w] = saved[p + w];
  for (let i = 0; i < n; i++) vals[run + i] = saved[first + i];
  pool.marks.set(savedMarks.subarray(first, first + n), run);
  return run + n;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
