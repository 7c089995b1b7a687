/**
 * Longest-prefix match over 32- or 128-bit keys (IPv4, IPv6): a multibit trie of tree-bitmap nodes
 * (Eatherton, Varghese, Dittia 2004) whose per-chunk results are stored as runs (as in poptrie, Asai
 * and Ohara 2015) next to the bits that select them, tails for sparse regions, and a direct-pointing
 * array (DIR, Gupta, Lin, McKeown 1998) over the first dpBits bits.
 *
 * Keys are Int32Arrays of 32-bit words, most significant first, host bits zero, with one extra 0
 * word at the end. Every block lives in one BlockPool array, values inline. A ref (the content of a
 * region) is 0 (empty), the offset of a node (> 0), or ~offset of a tail (< 0).
 *
 * A node at depth d (a multiple of 6) covers the keys starting with some d bits and holds the
 * prefixes of lengths d+1..d+6 among them; the next 6 bits of a key, its chunk b (0..63), select a
 * child region at depth d+6. Bitmaps are 64 bits split into low and high 32-bit words. A node's
 * offset o points into its block after three header elements, at what a lookup reads, so that a
 * lookup mostly reads one cache line of a node:
 *   [o-3] c0, [o-2] c1  child bitmap: bit b set = child region b is not empty
 *   [o-1] offC          offset from o of the child refs
 *   [o] r0, [o+1] r1    run bitmap: bit b set = chunk b starts a run of chunks with the same value
 *   [o+2...]            per run: CHILD for a child chunk, else the value of the longest prefix of
 *                       this node covering the chunk (NONE if none)
 *   [o+offC...]         the child refs, in chunk order
 *   then ("meta"):      e0, e1: exact bitmap: bit b set = the prefix of length d+6 with chunk b is
 *                       stored; p0, p1: partial bitmap: bit 2^k - 2 + (b >>> (6 - k)) set = the
 *                       prefix of length d+k (k = 1..5) starting like chunk b is stored (62 bits)
 *   then the values of the partial prefixes (in bit order), and for each child chunk the value of
 *   the longest prefix of this node covering it (or NONE).
 *   The value of an exact prefix is the value of its chunk.
 * A tail at depth D holds at most TAIL_MAX prefixes longer than D, longest first:
 *   [0] count, then for each prefix its length, its value and its first ceil(length / 32) key words.
 *
 * Regions at depth <= dpBits are nodes (or empty). For the region at depth dpBits whose first bits
 * are i, dp[4i] is the offset of its node (0 if the region is empty) and dp[4i + 1], dp[4i + 2] the
 * node's run bitmap, so that a lookup reads a single element of the node; dpBest[i] is the value of
 * the longest prefix of length <= dpBits covering the region. The direct array serves find128; a
 * trie made without `direct` (an IPv4 table's, whose lookups ipv4-fib.ts answers) keeps it at its
 * smallest.
 * The root node always exists; the /0 prefix is held apart (zero).
 */
import { BlockPool } from './block-pool.js';
import { common, commonLength, masked, withChunk } from './key-bits.js';

// Lookups use these constants and helpers: they stay in this module, because a tsx (esbuild, CommonJS)
// build reads an imported binding through a getter, which measurably slows the lookup.
const STRIDE = 6;
/** Elements of a node block before its offset. */
const HEAD = 3;
/** The run value of chunks that no prefix of the node covers. */
const NONE: unique symbol = Symbol('none');
/** The run value of child chunks. */
const CHILD: unique symbol = Symbol('child');

type Slot<V> = V | typeof NONE;

/** A node's content while it is built or changed. */
class Draft<V> {
  readonly exact: Slot<V>[] = new Array<Slot<V>>(64).fill(NONE);
  readonly partial: Slot<V>[] = new Array<Slot<V>>(62).fill(NONE);
  readonly children = new Int32Array(64);
}

/** A region holding at most this many prefixes below the dp is a tail, not a node. */
const TAIL_MAX = 3;
const MAX_BLOCK = HEAD + 2 + 64 + 4 + 62 + 2 * 64;
/**
 * The pool is compacted once an eighth of it is free blocks, and more than this many of the largest:
 * a node that gains its 64 children one at a time leaves a block of each size behind, which the next
 * node to grow takes again (dense /32s keep about 9,500 elements in such blocks).
 */
const FREE_BLOCKS = 64;
/** dp sizes, with the prefix counts above which the next larger one is used, or below which the smaller. */
const DP_BITS = [6, 12, 18];
const GROW_ABOVE = [2048, 65536, Infinity];
const SHRINK_BELOW = [0, 512, 16384];

export interface TriePrefix<V> {
  /** Key words (with the extra 0 word), host bits zero. */
  readonly key: Int32Array;
  readonly len: number;
  readonly value: V;
}

export class MultibitTrie<V> {
  readonly words: number;
  size = 0;
  private dpBits = DP_BITS[0]!;
  private dp = new Int32Array(4 << this.dpBits);
  private dpBest = filled<V>(1 << this.dpBits);
  private pool = new BlockPool(MAX_BLOCK);
  /** pool.data (as of the last change), one load nearer. Its element 0, never allocated, holds NONE. */
  private data = this.pool.data;
  private root: number;
  private hasZero = false;
  private zero: V | undefined;
  /** Nodes passed by a lookup below the dp, as (offset, chunk) pairs, to fall back on. */
  private readonly stack = new Int32Array(48);
  /** Nodes passed by a delete, as (ref location, offset, depth) triples. */
  private readonly path = new Int32Array(72);
  private readonly draft = new Draft<V>();
  private readonly runs: (Slot<V> | typeof CHILD)[] = new Array<Slot<V>>(64).fill(NONE);
  private readonly bits = new Int32Array(8);
  private readonly covered: Slot<V>[] = new Array<Slot<V>>(64).fill(NONE);

  /** direct: whether the direct array grows with the table (for find128); if not, it stays at its smallest. */
  constructor(
    readonly width: 32 | 128,
    private readonly direct: boolean,
  ) {
    this.words = width >>> 5;
    this.data[0] = NONE;
    this.root = this.encode(this.draft);
  }

  /** Value of the longest match of a 128-bit key given as words w[0..3] (w[4] must be 0). */
  find128(w: Int32Array): V | undefined {
    const s = this.dpBits;
    const slot = w[0]! >>> (32 - s);
    const dp = this.dp;
    const o = dp[slot << 2]!;
    if (o === 0) return this.dpBest[slot];
    const b = chunk(w, 4, s);
    const v = this.data[o + 1 + rank(dp[(slot << 2) + 1]!, dp[(slot << 2) + 2]!, b)] as Slot<V> | typeof CHILD;
    if (v === CHILD) return this.below128(this.data as number[], w, o, b, slot);
    return v !== NONE ? v : this.dpBest[slot];
  }

  /** The value of exactly this prefix. */
  get(key: Int32Array, len: number): V | undefined {
    if (len === 0) return this.zero;
    const d = this.pool.data as number[];
    let o = this.root;
    for (let depth = 0; ; depth += STRIDE) {
      const b = chunk(key, this.words, depth);
      if (len <= depth + STRIDE) {
        const v = internalAt<V>(d, o, b, len - depth);
        return v === NONE ? undefined : v;
      }
      const ref = child(d, o, b);
      if (ref === 0) return undefined;
      if (ref < 0) {
        const i = this.tailIndex(~ref, key, len);
        return i === 0 ? undefined : ((d as unknown[])[i + 1] as V);
      }
      o = ref;
    }
  }

  /** Adds the prefix or replaces its value. */
  set(key: Int32Array, len: number, value: V): void {
    let added: boolean;
    if (len === 0) {
      added = !this.hasZero;
      this.hasZero = true;
      this.zero = value;
    } else added = this.setAt(key, len, value);
    if (added) this.size++;
    this.afterChange(key, len);
  }

  /** Removes the prefix; returns whether it was there. */
  delete(key: Int32Array, len: number): boolean {
    if (len === 0) {
      if (!this.hasZero) return false;
      this.hasZero = false;
      this.zero = undefined;
    } else if (!this.deleteAt(key, len)) return false;
    this.size--;
    this.afterChange(key, len);
    return true;
  }

  /** Every prefix, in prefix order: by key, a prefix before its more-specifics. */
  *entries(): Generator<TriePrefix<V>> {
    const base = new Int32Array(this.words + 1);
    if (this.hasZero) yield { key: base, len: 0, value: this.zero as V };
    yield* this.walk(this.root, 0, base, 0, 64, 1);
  }

  /** The prefixes inside (key, len), itself included, in prefix order. */
  *moreSpecifics(key: Int32Array, len: number): Generator<TriePrefix<V>> {
    if (len === 0) {
      yield* this.entries();
      return;
    }
    const d = this.pool.data as number[];
    let o = this.root;
    for (let depth = 0; ; depth += STRIDE) {
      const b = chunk(key, this.words, depth);
      if (len <= depth + STRIDE) {
        const k = len - depth;
        yield* this.walk(o, depth, masked(key, depth), b, b + (1 << (STRIDE - k)), k);
        return;
      }
      const ref = child(d, o, b);
      if (ref === 0) return;
      if (ref < 0) {
        const inside = this.readTail(~ref).filter((c) => c.len >= len && commonLength(key, c.key, len) === len);
        yield* inside.sort(prefixOrder);
        return;
      }
      o = ref;
    }
  }

  /** The prefixes containing (key, len), itself included, shortest first. */
  covering(key: Int32Array, len: number): TriePrefix<V>[] {
    const out: TriePrefix<V>[] = [];
    if (this.hasZero) out.push({ key: new Int32Array(this.words + 1), len: 0, value: this.zero as V });
    const d = this.pool.data as number[];
    let o = this.root;
    for (let depth = 0; depth < len; depth += STRIDE) {
      const b = chunk(key, this.words, depth);
      for (let k = 1; k <= STRIDE && depth + k <= len; k++) {
        const v = internalAt<V>(d, o, b, k);
        if (v !== NONE) out.push({ key: masked(key, depth + k), len: depth + k, value: v });
      }
      const ref = len <= depth + STRIDE ? 0 : child(d, o, b);
      if (ref < 0) {
        const over = this.readTail(~ref).filter((c) => c.len <= len && commonLength(key, c.key, c.len) === c.len);
        out.push(...over.sort((x, y) => x.len - y.len));
      }
      if (ref <= 0) break;
      o = ref;
    }
    return out;
  }

  /**
   * Length of the shortest prefix of the full-length key that contains no stored prefix, or -1 if
   * a stored prefix contains the key. It is one more than the longest common prefix of the key with
   * any stored prefix; at a node, that is found among the prefixes and children off the key's path.
   */
  uncoveredLength(key: Int32Array): number {
    if (this.hasZero) return -1;
    const d = this.pool.data as number[];
    let best = -1;
    let o = this.root;
    for (let depth = 0; ; depth += STRIDE) {
      const b = chunk(key, this.words, depth);
      const m = meta(d, o);
      for (let j = 0; j < 64; j++) {
        if (bit(d[m]!, d[m + 1]!, j)) {
          if (j === b) return -1;
          best = Math.max(best, depth + common(j, b, STRIDE));
        }
        if (j !== b && bit(d[o - 3]!, d[o - 2]!, j)) best = Math.max(best, depth + common(j, b, STRIDE));
      }
      for (let k = 1; k < STRIDE; k++) {
        const mine = b >>> (STRIDE - k);
        for (let bits = 0; bits < 1 << k; bits++) {
          if (!bit(d[m + 2]!, d[m + 3]!, (1 << k) - 2 + bits)) continue;
          if (bits === mine) return -1;
          best = Math.max(best, depth + common(bits, mine, k));
        }
      }
      const ref = child(d, o, b);
      if (ref === 0) break;
      if (ref < 0) {
        for (const c of this.readTail(~ref)) {
          const n = commonLength(key, c.key, c.len);
          if (n === c.len) return -1;
          best = Math.max(best, n);
        }
        break;
      }
      o = ref;
    }
    return best + 1;
  }

  /** find128 below node o at depth dpBits, whose child region b holds the key. */
  private below128(d: number[], w: Int32Array, o: number, b: number, slot: number): V | undefined {
    const stack = this.stack;
    let sp = 0;
    for (let depth = this.dpBits + STRIDE; ; depth += STRIDE) {
      stack[sp++] = o;
      stack[sp++] = b;
      const ref = child(d, o, b);
      if (ref < 0) {
        const i = tail128(d, ~ref, w);
        if (i !== 0) return (d as unknown[])[i] as V;
        break;
      }
      o = ref;
      b = chunk(w, 4, depth);
      const v = runValue<V>(d, o, b);
      if (v === CHILD) continue;
      if (v !== NONE) return v;
      break;
    }
    return this.fallBack(d, sp, slot);
  }

  /** The longest prefix covering the key in the nodes the lookup went through, or the dp's. */
  private fallBack(d: number[], sp: number, slot: number): V | undefined {
    const stack = this.stack;
    while (sp > 0) {
      const b = stack[--sp]!;
      const v = childDefault<V>(d, stack[--sp]!, b);
      if (v !== NONE) return v;
    }
    return this.dpBest[slot];
  }

  private setAt(key: Int32Array, len: number, value: V): boolean {
    const d = this.pool.data as number[];
    let loc = 0;
    let o = this.root;
    for (let depth = 0; ; depth += STRIDE) {
      const b = chunk(key, this.words, depth);
      if (len <= depth + STRIDE) {
        const draft = this.decode(o);
        const k = len - depth;
        const list = k === STRIDE ? draft.exact : draft.partial;
        const at = k === STRIDE ? b : partialBit(k, b);
        const added = list[at] === NONE;
        list[at] = value;
        this.replace(loc, o, draft);
        return added;
      }
      const ref = child(d, o, b);
      if (ref === 0) {
        const draft = this.decode(o);
        draft.children[b] = this.build([{ key: key.slice(), len, value }], depth + STRIDE);
        this.replace(loc, o, draft);
        return true;
      }
      if (ref < 0) {
        const i = this.tailIndex(~ref, key, len);
        if (i !== 0) {
          this.pool.data[i + 1] = value;
          return false;
        }
        const prefixes = this.readTail(~ref);
        prefixes.push({ key: key.slice(), len, value });
        this.freeTail(~ref);
        const built = this.build(prefixes, depth + STRIDE);
        const data = this.pool.data as number[];
        data[childAt(data, o, b)] = built;
        return true;
      }
      loc = childAt(d, o, b);
      o = ref;
    }
  }

  private deleteAt(key: Int32Array, len: number): boolean {
    const d = this.pool.data as number[];
    const path = this.path;
    let levels = 0;
    let loc = 0;
    let o = this.root;
    for (let depth = 0; ; depth += STRIDE) {
      path[3 * levels] = loc;
      path[3 * levels + 1] = o;
      path[3 * levels + 2] = depth;
      levels++;
      const b = chunk(key, this.words, depth);
      if (len <= depth + STRIDE) {
        const k = len - depth;
        if (internalAt(d, o, b, k) === NONE) return false;
        const draft = this.decode(o);
        if (k === STRIDE) draft.exact[b] = NONE;
        else draft.partial[partialBit(k, b)] = NONE;
        path[3 * levels - 2] = this.replace(loc, o, draft);
        break;
      }
      const ref = child(d, o, b);
      if (ref === 0) return false;
      if (ref < 0) {
        if (this.tailIndex(~ref, key, len) === 0) return false;
        const rest = this.readTail(~ref).filter((c) => c.len !== len || commonLength(key, c.key, len) !== len);
        this.freeTail(~ref);
        this.setChild(levels - 1, b, this.build(rest, depth + STRIDE));
        break;
      }
      loc = childAt(d, o, b);
      o = ref;
    }
    this.collapse(key, levels);
    return true;
  }

  /**
   * Replaces the nodes on the delete path (deepest first) whose regions became empty, or, below the
   * dp, hold at most TAIL_MAX prefixes, by nothing or a tail.
   */
  private collapse(key: Int32Array, levels: number): void {
    const path = this.path;
    for (let l = levels - 1; l > 0; l--) {
      const o = path[3 * l + 1]!;
      const depth = path[3 * l + 2]!;
      const n = this.count(o, TAIL_MAX);
      if (n > (depth > this.dpBits ? TAIL_MAX : 0)) return;
      const prefixes = [...this.walk(o, depth, masked(key, depth), 0, 64, 1)];
      this.freeRegion(o);
      this.setChild(l - 1, chunk(key, this.words, path[3 * l - 1]!), this.build(prefixes, depth));
    }
  }

  /** Sets child region b of the node at delete-path level l to ref (0 removes it). */
  private setChild(l: number, b: number, ref: number): void {
    const d = this.pool.data as number[];
    const path = this.path;
    const o = path[3 * l + 1]!;
    if (ref !== 0) {
      d[childAt(d, o, b)] = ref;
      return;
    }
    const draft = this.decode(o);
    draft.children[b] = 0;
    path[3 * l + 1] = this.replace(path[3 * l]!, o, draft);
  }

  /** Number of prefixes in the region of ref, counting stopped once above limit. */
  private count(ref: number, limit: number): number {
    const d = this.pool.data as number[];
    if (ref < 0) return d[~ref]!;
    const m = meta(d, ref);
    let n = popcount(d[m]!) + popcount(d[m + 1]!) + popcount(d[m + 2]!) + popcount(d[m + 3]!);
    const children = popcount(d[ref - 3]!) + popcount(d[ref - 2]!);
    const base = ref + d[ref - 1]!;
    for (let i = 0; i < children && n <= limit; i++) n += this.count(d[base + i]!, limit - n);
    return n;
  }

  /** A region's content at depth `depth` holding these prefixes: empty, a tail, or a node. */
  private build(prefixes: TriePrefix<V>[], depth: number): number {
    if (prefixes.length === 0) return 0;
    if (prefixes.length <= TAIL_MAX && depth > this.dpBits) return ~this.newTail(prefixes);
    const draft = new Draft<V>();
    const groups = new Map<number, TriePrefix<V>[]>();
    for (const p of prefixes) {
      const b = chunk(p.key, this.words, depth);
      const k = p.len - depth;
      if (k === STRIDE) draft.exact[b] = p.value;
      else if (k < STRIDE) draft.partial[partialBit(k, b)] = p.value;
      else {
        const g = groups.get(b);
        if (g) g.push(p);
        else groups.set(b, [p]);
      }
    }
    for (const [b, g] of groups) draft.children[b] = this.build(g, depth + STRIDE);
    return this.encode(draft);
  }

  /** The content of node o, in the shared draft (valid until the next decode). */
  private decode(o: number): Draft<V> {
    const d = this.pool.data as number[];
    const draft = this.draft;
    draft.exact.fill(NONE);
    draft.partial.fill(NONE);
    draft.children.fill(0);
    const m = meta(d, o);
    for (let b = 0; b < 64; b++) if (bit(d[m]!, d[m + 1]!, b)) draft.exact[b] = bestAt<V>(d, o, b);
    let at = m + 4;
    for (let pos = 0; pos < 62; pos++) if (bit(d[m + 2]!, d[m + 3]!, pos)) draft.partial[pos] = (d as unknown[])[at++] as V;
    at = o + d[o - 1]!;
    for (let b = 0; b < 64; b++) if (bit(d[o - 3]!, d[o - 2]!, b)) draft.children[b] = d[at++]!;
    return draft;
  }

  /** A new node block for the draft; returns the node's offset. */
  private encode(draft: Draft<V>): number {
    const runs = this.runs;
    // Bitmaps as word pairs: runs, exact, children, partial.
    const bits = this.bits.fill(0);
    // The longest prefix covering each chunk: partial prefixes painted shortest first, then exact ones.
    const covered = this.covered.fill(NONE);
    for (let k = 1, pos = 0; k < STRIDE; k++) {
      for (let start = 0; start < 64; start += 1 << (STRIDE - k), pos++) {
        const v = draft.partial[pos]!;
        if (v === NONE) continue;
        bits[6 + (pos >>> 5)]! |= 1 << (pos & 31);
        covered.fill(v, start, start + (1 << (STRIDE - k)));
      }
    }
    let count = 0;
    for (let b = 0; b < 64; b++) {
      const word = b >>> 5;
      const mask = 1 << (b & 31);
      if (draft.exact[b] !== NONE) {
        bits[2 + word]! |= mask;
        covered[b] = draft.exact[b]!;
      }
      const isChild = draft.children[b] !== 0;
      if (isChild) bits[4 + word]! |= mask;
      const v = isChild ? CHILD : covered[b]!;
      if (b === 0 || v !== runs[count - 1]) {
        bits[word]! |= mask;
        runs[count++] = v;
      }
    }
    const children = popcount(bits[4]!) + popcount(bits[5]!);
    const offC = 2 + count;
    const o = HEAD + this.pool.alloc(HEAD + offC + 2 * children + 4 + popcount(bits[6]!) + popcount(bits[7]!));
    const d = this.pool.data;
    d[o - 3] = bits[4];
    d[o - 2] = bits[5];
    d[o - 1] = offC;
    d[o] = bits[0];
    d[o + 1] = bits[1];
    let at = o + 2;
    for (let i = 0; i < count; i++) d[at++] = runs[i];
    for (let b = 0; b < 64; b++) if (draft.children[b] !== 0) d[at++] = draft.children[b];
    d[at++] = bits[2];
    d[at++] = bits[3];
    d[at++] = bits[6];
    d[at++] = bits[7];
    for (let pos = 0; pos < 62; pos++) if (draft.partial[pos] !== NONE) d[at++] = draft.partial[pos];
    for (let b = 0; b < 64; b++) if (draft.children[b] !== 0) d[at++] = covered[b];
    return o;
  }

  /** Puts a new block for the draft where node o was (its ref at loc); returns the new offset. */
  private replace(loc: number, o: number, draft: Draft<V>): number {
    const n = this.encode(draft);
    this.pool.free(o - HEAD, nodeSize(this.pool.data as number[], o));
    if (loc === 0) this.root = n;
    else this.pool.data[loc] = n;
    return n;
  }

  private newTail(prefixes: TriePrefix<V>[]): number {
    const t = this.pool.alloc(prefixes.reduce((n, p) => n + 2 + keyWords(p.len), 1));
    const d = this.pool.data;
    d[t] = prefixes.length;
    let at = t + 1;
    for (const p of [...prefixes].sort((x, y) => y.len - x.len)) {
      d[at++] = p.len;
      d[at++] = p.value;
      for (let w = 0; w < keyWords(p.len); w++) d[at++] = p.key[w];
    }
    return t;
  }

  private readTail(t: number): TriePrefix<V>[] {
    const d = this.pool.data;
    const out: TriePrefix<V>[] = [];
    for (let i = 0, at = t + 1; i < (d[t] as number); i++) {
      const len = d[at] as number;
      const key = new Int32Array(this.words + 1);
      for (let w = 0; w < keyWords(len); w++) key[w] = d[at + 2 + w] as number;
      out.push({ key, len, value: d[at + 1] as V });
      at += 2 + keyWords(len);
    }
    return out;
  }

  /** Offset of exactly (key, len) in tail t, or 0. */
  private tailIndex(t: number, key: Int32Array, len: number): number {
    const d = this.pool.data as number[];
    next: for (let i = 0, at = t + 1; i < d[t]!; i++, at += 2 + keyWords(d[at]!)) {
      if (d[at] !== len) continue;
      for (let w = 0; w < keyWords(len); w++) if (d[at + 2 + w] !== key[w]) continue next;
      return at;
    }
    return 0;
  }

  private freeTail(t: number): void {
    this.pool.free(t, tailSize(this.pool.data as number[], t));
  }

  private freeRegion(ref: number): void {
    if (ref < 0) {
      this.freeTail(~ref);
      return;
    }
    const d = this.pool.data as number[];
    const children = popcount(d[ref - 3]!) + popcount(d[ref - 2]!);
    const base = ref + d[ref - 1]!;
    for (let i = 0; i < children; i++) this.freeRegion(d[base + i]!);
    this.pool.free(ref - HEAD, nodeSize(d, ref));
  }

  private afterChange(key: Int32Array, len: number): void {
    const level = DP_BITS.indexOf(this.dpBits);
    if (this.direct && this.size > GROW_ABOVE[level]!) this.setDpBits(DP_BITS[level + 1]!);
    else if (this.direct && this.size < SHRINK_BELOW[level]!) this.setDpBits(DP_BITS[level - 1]!);
    else {
      if (len <= this.dpBits) this.refreshDp(key, len);
      else this.refreshDpRef(key);
      if (this.pool.unused > FREE_BLOCKS * MAX_BLOCK && this.pool.unused * 8 > this.pool.used) this.compact();
    }
    this.data = this.pool.data;
  }

  /** Copies the live blocks into a new pool, depth first, and moves the dp's node offsets with them. */
  private compact(): void {
    const from = this.pool.data as number[];
    // With room to grow (as the pool grows), or the next new block would copy it all again.
    this.pool = new BlockPool(MAX_BLOCK, Math.ceil((this.pool.used - this.pool.unused) * 1.25));
    this.data = this.pool.data;
    this.data[0] = NONE;
    // The region of ref at depth starts with the bits of slot (while depth <= dpBits).
    const copy = (ref: number, depth: number, slot: number): number => {
      const start = ref < 0 ? ~ref : ref - HEAD;
      const size = ref < 0 ? tailSize(from, start) : nodeSize(from, ref);
      const n = this.pool.alloc(size);
      const d = this.pool.data;
      for (let i = 0; i < size; i++) d[n + i] = (from as unknown[])[start + i];
      if (ref < 0) return ~n;
      if (depth === this.dpBits) this.dp[4 * slot] = n + HEAD;
      for (let b = 0, at = n + HEAD + from[ref - 1]!; b < 64; b++) {
        if (!bit(from[ref - 3]!, from[ref - 2]!, b)) continue;
        const copied = copy(child(from, ref, b), depth + STRIDE, depth < this.dpBits ? (slot << STRIDE) | b : 0);
        this.pool.data[at++] = copied;
      }
      return n + HEAD;
    };
    this.root = copy(this.root, 0, 0);
  }

  private setDpBits(bits: number): void {
    const deeper = bits > this.dpBits;
    this.dpBits = bits;
    if (deeper) this.structure(0, this.root, 0);
    this.dp = new Int32Array(4 << bits);
    this.dpBest = filled<V>(1 << bits);
    this.fillDp(this.root, 0, this.zero, 0);
  }

  /** Turns the tails at depth <= dpBits in the region of ref into nodes. */
  private structure(loc: number, ref: number, depth: number): void {
    if (depth > this.dpBits || ref === 0) return;
    if (ref < 0) {
      const prefixes = this.readTail(~ref);
      this.freeTail(~ref);
      const built = this.build(prefixes, depth);
      this.pool.data[loc] = built;
      return;
    }
    const d = this.pool.data as number[];
    const base = ref + d[ref - 1]!;
    const children = popcount(d[ref - 3]!) + popcount(d[ref - 2]!);
    for (let i = 0; i < children; i++) this.structure(base + i, (this.pool.data as number[])[base + i]!, depth + STRIDE);
  }

  /** Sets the dp slot of key (after a change deeper than dpBits). */
  private refreshDpRef(key: Int32Array): void {
    const d = this.pool.data as number[];
    let ref = this.root;
    for (let depth = 0; depth < this.dpBits && ref > 0; depth += STRIDE) ref = child(d, ref, chunk(key, this.words, depth));
    this.setSlot(key[0]! >>> (32 - this.dpBits), ref);
  }

  private setSlot(slot: number, ref: number): void {
    const d = this.pool.data as number[];
    this.dp[4 * slot] = ref;
    this.dp[4 * slot + 1] = ref === 0 ? 0 : d[ref]!;
    this.dp[4 * slot + 2] = ref === 0 ? 0 : d[ref + 1]!;
  }

  /** Sets the dp slots inside (key, len), len <= dpBits, after that prefix changed. */
  private refreshDp(key: Int32Array, len: number): void {
    if (len === 0) {
      this.fillDp(this.root, 0, this.zero, 0);
      return;
    }
    const d = this.pool.data as number[];
    const s = this.dpBits;
    const first = key[0]! >>> (32 - s);
    let best = this.zero;
    let o = this.root;
    let depth = 0;
    for (; len > depth + STRIDE; depth += STRIDE) {
      const b = chunk(key, this.words, depth);
      const v = bestAt<V>(d, o, b);
      if (v !== NONE) best = v;
      o = child(d, o, b);
      if (o === 0) {
        this.dp.fill(0, 4 * first, 4 * (first + (1 << (s - len))));
        this.dpBest.fill(best, first, first + (1 << (s - len)));
        return;
      }
    }
    const b0 = chunk(key, this.words, depth);
    const per = 1 << (s - depth - STRIDE);
    for (let b = b0; b < b0 + (1 << (depth + STRIDE - len)); b++) {
      const v = bestAt<V>(d, o, b);
      this.fillDp(child(d, o, b), depth + STRIDE, v !== NONE ? v : best, first + (b - b0) * per);
    }
  }

  /** Sets the dp slots of the region at depth <= dpBits starting at slot lo, whose content is ref. */
  private fillDp(ref: number, depth: number, best: V | undefined, lo: number): void {
    const s = this.dpBits;
    if (depth === s) {
      this.setSlot(lo, ref);
      this.dpBest[lo] = best;
      return;
    }
    const count = 1 << (s - depth);
    if (ref === 0) {
      this.dp.fill(0, 4 * lo, 4 * (lo + count));
      this.dpBest.fill(best, lo, lo + count);
      return;
    }
    const d = this.pool.data as number[];
    const per = count >>> STRIDE;
    for (let b = 0; b < 64; b++) {
      const v = bestAt<V>(d, ref, b);
      this.fillDp(child(d, ref, b), depth + STRIDE, v !== NONE ? v : best, lo + b * per);
    }
  }

  /**
   * The prefixes of the region of ref at depth (whose first depth bits are those of base) that start
   * in chunks lo..hi-1 and are at least `from` bits longer than depth, in prefix order.
   */
  private *walk(ref: number, depth: number, base: Int32Array, lo: number, hi: number, from: number): Generator<TriePrefix<V>> {
    if (ref < 0) {
      yield* this.readTail(~ref).sort(prefixOrder);
      return;
    }
    const d = this.pool.data as number[];
    // Sort keys: first chunk * 8 + relative length (7 for a child region), which orders prefixes
    // by start and a prefix before its more-specifics.
    const m = meta(d, ref);
    const items: number[] = [];
    for (let b = lo; b < hi; b++) {
      if (bit(d[m]!, d[m + 1]!, b) && from <= STRIDE) items.push(b * 8 + STRIDE);
      if (bit(d[ref - 3]!, d[ref - 2]!, b)) items.push(b * 8 + 7);
    }
    for (let k = from; k < STRIDE; k++) {
      for (let bits = lo >>> (STRIDE - k); bits << (STRIDE - k) < hi; bits++) {
        if (bit(d[m + 2]!, d[m + 3]!, (1 << k) - 2 + bits)) items.push((bits << (STRIDE - k)) * 8 + k);
      }
    }
    items.sort((x, y) => x - y);
    for (const item of items) {
      const b = item >>> 3;
      const k = item & 7;
      if (k === 7) yield* this.walk(child(d, ref, b), depth + STRIDE, withChunk(base, depth, b), 0, 64, 1);
      else yield { key: withChunk(base, depth, b), len: depth + k, value: internalAt(d, ref, b, k) as V };
    }
  }
}
function filled<V>(n: number): (V | undefined)[] {
  return Array.from({ length: n }, (): V | undefined => undefined);
}

function prefixOrder<V>(x: TriePrefix<V>, y: TriePrefix<V>): number {
  for (let w = 0; w < x.key.length; w++) {
    if (x.key[w] !== y.key[w]) return (x.key[w]! >>> 0) - (y.key[w]! >>> 0);
  }
  return x.len - y.len;
}

/** Position in the partial bitmap of the prefix of relative length k (1..5) starting like chunk b. */
function partialBit(k: number, b: number): number {
  return (1 << k) - 2 + (b >>> (STRIDE - k));
}

/** Elements in the block of node o. */
function nodeSize(d: number[], o: number): number {
  const m = meta(d, o);
  return m + 4 + popcount(d[m + 2]!) + popcount(d[m + 3]!) + popcount(d[o - 3]!) + popcount(d[o - 2]!) - (o - HEAD);
}

/** Index of the ref of child region b of node o (which must have that child). */
function childAt(d: number[], o: number, b: number): number {
  return o + d[o - 1]! + rank(d[o - 3]!, d[o - 2]!, b) - 1;
}

/** Child ref of chunk b in node o, or 0. */
function child(d: number[], o: number, b: number): number {
  return bit(d[o - 3]!, d[o - 2]!, b) ? d[childAt(d, o, b)]! : 0;
}

/** Run value of chunk b in node o. */
function runValue<V>(d: number[], o: number, b: number): Slot<V> | typeof CHILD {
  return (d as unknown[])[o + 1 + rank(d[o]!, d[o + 1]!, b)] as Slot<V> | typeof CHILD;
}

/** Value of the longest prefix of node o covering chunk b of a child region. */
function childDefault<V>(d: number[], o: number, b: number): Slot<V> {
  const m = meta(d, o);
  return (d as unknown[])[m + 3 + popcount(d[m + 2]!) + popcount(d[m + 3]!) + rank(d[o - 3]!, d[o - 2]!, b)] as Slot<V>;
}

/** Value of the longest prefix of node o covering chunk b, or NONE. */
function bestAt<V>(d: number[], o: number, b: number): Slot<V> {
  const v = runValue<V>(d, o, b);
  return v === CHILD ? childDefault<V>(d, o, b) : v;
}

/** Value of the prefix of relative length k (1..6) starting like chunk b in node o, or NONE. */
function internalAt<V>(d: number[], o: number, b: number, k: number): Slot<V> {
  const m = meta(d, o);
  if (k === STRIDE) return bit(d[m]!, d[m + 1]!, b) ? bestAt<V>(d, o, b) : NONE;
  const pos = partialBit(k, b);
  const p0 = d[m + 2]!;
  const p1 = d[m + 3]!;
  return bit(p0, p1, pos) ? ((d as unknown[])[m + 4 + rank(p0, p1, pos) - 1] as V) : NONE;
}

/** Offset of the exact and partial bitmaps of node o. */
function meta(d: number[], o: number): number {
  return o + d[o - 1]! + popcount(d[o - 3]!) + popcount(d[o - 2]!);
}

/** Index of the value of the longest prefix in tail t matching a 128-bit key, or 0. */
function tail128(d: number[], t: number, w: Int32Array): number {
  next: for (let n = d[t]!, i = t + 1; n > 0; n--, i += 2 + keyWords(d[i]!)) {
    for (let k = 0, len = d[i]!; len > 0; k++, len -= 32) {
      const x = w[k]! ^ d[i + 2 + k]!;
      if (len >= 32 ? x !== 0 : x >>> (32 - len) !== 0) continue next;
    }
    return i + 1;
  }
  return 0;
}

/** Key words a tail keeps for a prefix of length len (> 0). */
function keyWords(len: number): number {
  return (len + 31) >>> 5;
}

function tailSize(d: number[], t: number): number {
  let at = t + 1;
  for (let n = d[t]!; n > 0; n--) at += 2 + keyWords(d[at]!);
  return at - t;
}

/** The 6 bits of a key after its first `depth` bits (0 past its end). */
function chunk(key: Int32Array, words: number, depth: number): number {
  const i = depth >>> 5;
  const o = depth & 31;
  if (i >= words) return 0;
  return (o <= 26 ? key[i]! >>> (26 - o) : (key[i]! << (o - 26)) | (key[i + 1]! >>> (58 - o))) & 63;
}

function bit(lo: number, hi: number, j: number): boolean {
  return ((j < 32 ? lo >>> j : hi >>> (j - 32)) & 1) !== 0;
}

/** Number of set bits among bits 0..j of the 64-bit (lo, hi). */
function rank(lo: number, hi: number, j: number): number {
  return j < 32 ? popcount(lo & (-1 >>> (31 - j))) : popcount(lo) + popcount(hi & (-1 >>> (63 - j)));
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
