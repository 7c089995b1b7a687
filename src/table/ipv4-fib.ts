/**
 * The forwarding structure of an IPv4 table: what lookup32 reads. It holds, for every address, the
 * value of its longest matching prefix (leaf pushing, as in poptrie), so that a lookup reads one
 * entry of a direct array and one run value; under a prefix longer than /24 it goes on in the block
 * it has just read. The prefixes themselves live in the table's trie (multibit-trie.ts), which
 * answers everything else; this structure follows its changes.
 *
 * Nodes at depths 4, 9, 14 and 19 have a stride of 5 bits: the 32 chunks of bits d..d+4 of an
 * address. A node's chunks form runs of equal content, whose values sit at the start of the node's
 * block in the run pool; bit c of its run bitmap is set if chunk c starts a run, so the run of chunk
 * c is the popcount(bitmap & bits 0..c)-th. Each run has a value (the value of the longest prefix
 * covering its chunks, undefined if none) and a mark in the pool's parallel byte array: that
 * prefix's length + 1, or 0 if none.
 *
 * A chunk that holds a prefix longer than its node's depth + 5 has a child, which covers it; the
 * chunk's run is then a run of its own, of value CHILD (and mark NOT_RUN, as every element of a
 * block that is not a run). A node is named by [block offset - 1, run bitmap]: in the direct array
 * `nodes` for the nodes at depth `bits` (4, 9, 14 or 19 as the table grows), and in a record of the
 * integer pool for the others. A node with children has after its runs its child bitmap, then:
 *   at depths 4..14: the offset of its children's records (in chunk order, in one block);
 *   at depth 19: its children inline, as leaves covering the 256 addresses of a /24: records and
 *   runs (fib-leaf.ts),
 * so that a lookup under a prefix longer than /24 finds its leaf next to the run it has just read.
 *
 * A change to a leaf decodes and encodes that leaf only, in place while its node's block has room
 * (blocks above EXACT_BLOCK elements have some to spare: fib-pools.ts), so that a /19 full of /32s
 * is not copied on every change.
 */
import {
  copyLeaf,
  dropBlock,
  encodeLeaf,
  firstRun,
  LEAF as LEAF_ELEMENTS,
  leafRuns,
  leavesEnd,
  loadLeaf,
  newLeaf,
  NOT_RUN,
  paintLeaf,
  placeLeaf,
  saveBlock,
  writeLeaf,
} from './fib-leaf.js';
import { IntPool, RunPool } from './fib-pools.js';

// Lookups use these constants and helpers: they stay in this module, because a tsx (esbuild, CommonJS)
// build reads an imported binding through a getter, which measurably slows the lookup.
const STRIDE = 5;
/** Depth of the nodes whose children are leaves. */
const LAST = 19;
/** Elements of a child record, and of a leaf record (read once here, for lookups). */
const NODE = 2;
const LEAF = LEAF_ELEMENTS;
/** The run of a chunk that has a child (a lookup that finds it goes on below); its mark is NOT_RUN. */
const CHILD: unique symbol = Symbol('child');
/** Blocks up to this size take exactly their size in the run pool; larger ones a little more, to change in place. */
const EXACT_BLOCK = 128;
/** The largest block: the runs and child bitmap of a node at depth 19 and 32 leaves of 256 runs. */
const MAX_BLOCK = 33 + 32 * (LEAF + 256);
/**
 * Free elements in the run pool that never start a compaction, in blocks of MAX_BLOCK: more than the
 * blocks a node full of leaves leaves behind on its way up through its capacities (about 110,000
 * elements, which the next such node takes).
 */
const RUNS_FREE = 16;
/** Direct array sizes (bits), with the prefix counts above which the next larger one is used, or below which the smaller. */
const TOP_BITS = [4, 9, 14, 19];
const GROW_ABOVE = [128, 4096, 131072, Infinity];
const SHRINK_BELOW = [0, 64, 2048, 65536];

// What a change works on, shared by all instances (with the leaf in fib-leaf.ts): the runs of the
// chunks of a node; the nodes passed, as (node, chunk) pairs.
const chunkVal: unknown[] = new Array<unknown>(32).fill(undefined);
const chunkMark = new Uint8Array(32);
const path = new Int32Array(8);

/** A structure being rebuilt from. */
interface Source {
  readonly nodes: Int32Array;
  readonly vals: unknown[];
  readonly marks: Uint8Array;
  readonly meta: Int32Array;
}

export class Ipv4Fib<V> {
  private level = 0;
  private bits = 0;
  /** 32 - bits - 5: an address shifted right by it is its node of the direct array (times 32) and chunk. */
  private shift = 0;
  private nodes: Int32Array = new Int32Array(0);
  private runs = new RunPool(MAX_BLOCK, EXACT_BLOCK, 0);
  private meta = new IntPool(32 * NODE, 0);
  /** runs.vals and meta.data (as of the last change), one load nearer. */
  private vals: unknown[] = [];
  private recs: Int32Array = new Int32Array(0);
  /**
   * The node being changed (besides chunkVal and the other shared arrays): its child bitmap and
   * children's list, the chunk whose leaf is loaded (-1 if none), and its block as decoded
   * (offset - 1, run bitmap, child bitmap, children's list, elements), which holds its other leaves.
   */
  private children = 0;
  private list = 0;
  private leaf = -1;
  private was = { o: 0, bitmap: 0, children: 0, list: 0, size: 0 };
  /** Per key of a findMany batch: the index of its run value. */
  private readonly batch = new Int32Array(64);

  constructor() {
    this.rebuild(0, null);
  }

  /** Value of the longest prefix containing the address (a 32-bit integer, signed or unsigned). */
  find(addr: number): V | undefined {
    const nodes = this.nodes;
    const x = addr >>> this.shift;
    const j = (x >>> 5) << 1;
    // The run of chunk c: as many runs as set bits among bits 0..c (shifted to the top).
    const v = this.vals[nodes[j]! + bits(nodes[j | 1]! << (~x & 31))];
    return v !== CHILD ? (v as V | undefined) : this.below(addr);
  }

  /**
   * find for count keys, into out, in batches and three passes: the run indexes of a batch, then its
   * run values (with no branch on what a load returns, so that the CPU has the loads of the whole
   * batch in flight), then the few keys whose chunk has a child.
   */
  findMany(keys: ArrayLike<number>, out: (V | undefined)[], count: number): void {
    const where = this.batch;
    const nodes = this.nodes;
    const vals = this.vals;
    const shift = this.shift;
    for (let start = 0; start < count; start += where.length) {
      const n = Math.min(where.length, count - start);
      for (let i = 0; i < n; i++) {
        const x = keys[start + i]! >>> shift;
        const j = (x >>> 5) << 1;
        where[i] = nodes[j]! + bits(nodes[j | 1]! << (~x & 31));
      }
      for (let i = 0; i < n; i++) out[start + i] = vals[where[i]!] as V | undefined;
      for (let i = 0; i < n; i++) if ((out[start + i] as unknown) === CHILD) out[start + i] = this.below(keys[start + i]!);
    }
  }

  /** Adds the prefix (addr, len), host bits zero, or replaces its value; size: the table's size after. */
  set(addr: number, len: number, value: V, size: number): void {
    this.paint(addr, len, value, len + 1, 0, len + 1);
    this.fit(size);
  }

  /**
   * Removes the prefix (addr, len); its longest covering prefix has length upLen (-1 if none) and
   * value up; size: the table's size after.
   */
  delete(addr: number, len: number, up: V | undefined, upLen: number, size: number): void {
    this.paint(addr, len, up, upLen + 1, len + 1, len + 1);
    this.fit(size);
  }

  /** find for an address whose chunk in the direct array has a child. */
  private below(addr: number): V | undefined {
    const vals = this.vals;
    const j = ((addr >>> this.shift) >>> 5) << 1;
    let o = this.nodes[j]!;
    let bitmap = this.nodes[j | 1]!;
    for (let depth = this.bits; ; depth += STRIDE) {
      // The address's chunk in node [o, bitmap] at depth has a child.
      const tail = o + 1 + bits(bitmap);
      const children = (vals[tail] as number) << (~(addr >>> (27 - depth)) & 31);
      if (depth === LAST) {
        const p = tail + 1 + LEAF * (bits(children) - 1);
        const w = (addr >>> 5) & 7;
        const before = ((vals[p + 9 + (w >>> 2)] as number) >>> ((w & 3) << 3)) & 255;
        return vals[o + 1 + (vals[p] as number) + before + bits((vals[p + 1 + w] as number) << (~addr & 31))] as V | undefined;
      }
      const m = (vals[tail + 1] as number) + NODE * (bits(children) - 1);
      o = this.recs[m]!;
      bitmap = this.recs[m + 1]!;
      const v = vals[o + bits(bitmap << (~(addr >>> (22 - depth)) & 31))];
      if (v !== CHILD) return v as V | undefined;
    }
  }

  /**
   * Sets to (value, mark) the addresses in the prefix (addr, len) whose longest prefix has a mark in
   * [from, to]: the prefix's chunks (or addresses) in the node (or leaf) of its length, and all the
   * runs below them (or in the direct-array nodes it covers). Then, on a delete, removes the nodes on
   * the path that no longer hold a longer prefix.
   */
  private paint(addr: number, len: number, value: V | undefined, mark: number, from: number, to: number): void {
    if (len <= this.bits) {
      const first = len === 0 ? 0 : addr >>> (32 - this.bits);
      for (let t = first; t < first + (1 << (this.bits - len)); t++) this.fill(~t, this.bits, value, mark, from, to);
      return;
    }
    const adding = from === 0;
    let h = ~(addr >>> (32 - this.bits));
    let depth = this.bits;
    let levels = 0;
    for (; depth < LAST && len > depth + STRIDE; depth += STRIDE) {
      const c = chunkAt(addr, depth);
      path[2 * levels] = h;
      path[2 * levels + 1] = c;
      levels++;
      const next = this.childOf(h, c);
      if (next >= 0) h = next;
      else if (adding) h = this.split(h, c, depth);
      else return;
    }
    this.decode(h, depth);
    const c = chunkAt(addr, depth);
    if (len <= depth + STRIDE) {
      for (let k = c; k < c + (1 << (depth + STRIDE - len)); k++) {
        if (((this.children >>> k) & 1) !== 0) {
          if (depth === LAST) {
            const p = this.leafRecord(k);
            this.fillRuns(this.was.o + 2 + (this.runs.vals[p] as number), leafRuns(this.runs.vals, p), value, mark, from, to);
          } else this.fill(this.list + NODE * this.rank(k), depth + STRIDE, value, mark, from, to);
        }
        if (chunkMark[k]! >= from && chunkMark[k]! <= to) {
          chunkVal[k] = value;
          chunkMark[k] = mark;
        }
      }
    } else {
      // A prefix longer than /24, in the leaf of chunk c of a node at depth 19.
      if (((this.children >>> c) & 1) === 0 && !adding) return;
      this.loadLeaf(c);
      paintLeaf(addr & 255, 1 << (32 - len), value, mark, from, to);
    }
    this.encode(h, depth);
    if (adding) return;
    // A node below the direct array without children and of one run holds no longer prefix any more.
    for (; levels > 0 && this.isOneRun(h); levels--, depth -= STRIDE) {
      const parent = path[2 * levels - 2]!;
      this.removeChild(parent, path[2 * levels - 1]!, depth - STRIDE);
      h = parent;
    }
  }

  /** Sets the runs of node h at depth, and of the nodes below it, whose mark is in [from, to] to (value, mark). */
  private fill(h: number, depth: number, value: V | undefined, mark: number, from: number, to: number): void {
    const o = this.entry(h)[this.at(h)]!;
    const bitmap = this.entry(h)[this.at(h) + 1]!;
    const n = popcount(bitmap);
    if (!this.hasChildren(o, n) || depth === LAST) {
      // The runs, and those of the leaves after the other elements (which fillRuns skips).
      this.fillRuns(o + 1, this.blockSize(o, bitmap, depth), value, mark, from, to);
      return;
    }
    this.fillRuns(o + 1, n, value, mark, from, to);
    const children = this.runs.vals[o + 1 + n] as number;
    const list = this.runs.vals[o + 2 + n] as number;
    for (let i = 0; i < popcount(children); i++) this.fill(list + NODE * i, depth + STRIDE, value, mark, from, to);
  }

  private fillRuns(o: number, n: number, value: V | undefined, mark: number, from: number, to: number): void {
    const vals = this.runs.vals;
    const marks = this.runs.marks;
    for (let k = o; k < o + n; k++) {
      if (marks[k]! >= from && marks[k]! <= to) {
        vals[k] = value;
        marks[k] = mark;
      }
    }
  }

  /**
   * Nodes are named by handles: ~t for node t of the direct array, else the offset of the node's
   * record (valid until its parent's children change). The array holding node h, and its offset there.
   */
  private entry(h: number): Int32Array {
    return h < 0 ? this.nodes : this.meta.data;
  }

  private at(h: number): number {
    return h < 0 ? 2 * ~h : h;
  }

  /** Rank of chunk c among the children loaded, from 0. */
  private rank(c: number): number {
    return popcount(this.children & ((1 << c) - 1));
  }

  /** Whether the node whose n runs are at o + 1 has children (and its block, after them, their bitmap). */
  private hasChildren(o: number, n: number): boolean {
    return hasChildRun(this.runs.marks, o, n);
  }

  /** Whether node h is a single run, not of a child. */
  private isOneRun(h: number): boolean {
    const o = this.entry(h)[this.at(h)]!;
    return this.entry(h)[this.at(h) + 1] === 1 && this.runs.marks[o + 1] !== NOT_RUN;
  }

  /** The child of chunk c of node h (at a depth < 19), or -1. */
  private childOf(h: number, c: number): number {
    const o = this.entry(h)[this.at(h)]!;
    const n = popcount(this.entry(h)[this.at(h) + 1]!);
    if (!this.hasChildren(o, n)) return -1;
    const tail = o + 1 + n;
    const children = this.runs.vals[tail] as number;
    if (((children >>> c) & 1) === 0) return -1;
    return (this.runs.vals[tail + 1] as number) + NODE * popcount(children & ((1 << c) - 1));
  }

  /** Gives chunk c of node h at depth (< 19) a child holding its run; returns the child. */
  private split(h: number, c: number, depth: number): number {
    this.decode(h, depth);
    const run = this.runs.alloc(1);
    this.runs.vals[run] = chunkVal[c];
    this.runs.marks[run] = chunkMark[c]!;
    const children = this.children | (1 << c);
    const list = this.meta.alloc(NODE * popcount(children));
    const d = this.meta.data;
    const i = popcount(children & ((1 << c) - 1));
    d.copyWithin(list, this.list, this.list + NODE * i);
    d.copyWithin(list + NODE * (i + 1), this.list + NODE * i, this.list + NODE * popcount(this.children));
    d[list + NODE * i] = run - 1;
    d[list + NODE * i + 1] = 1;
    if (this.children !== 0) this.meta.free(this.list, NODE * popcount(this.children));
    this.children = children;
    this.list = list;
    this.encode(h, depth);
    return list + NODE * i;
  }

  /** Gives chunk c of node h at depth (< 19) the one run of its child, and removes the child. */
  private removeChild(h: number, c: number, depth: number): void {
    this.decode(h, depth);
    const i = this.rank(c);
    const d = this.meta.data;
    const o = d[this.list + NODE * i]! + 1;
    chunkVal[c] = this.runs.vals[o];
    chunkMark[c] = this.runs.marks[o]!;
    this.runs.free(o, 1);
    const children = this.children & ~(1 << c);
    const n = popcount(children);
    const list = n === 0 ? 0 : this.meta.alloc(NODE * n);
    const from = this.meta.data;
    from.copyWithin(list, this.list, this.list + NODE * i);
    from.copyWithin(list + NODE * i, this.list + NODE * (i + 1), this.list + NODE * (n + 1));
    this.meta.free(this.list, NODE * (n + 1));
    this.children = children;
    this.list = list;
    this.encode(h, depth);
  }

  /** Elements of the block of node [o, bitmap] at depth. */
  private blockSize(o: number, bitmap: number, depth: number): number {
    const n = popcount(bitmap);
    if (!this.hasChildren(o, n)) return n;
    if (depth < LAST) return n + 2;
    return leavesEnd(this.runs.vals, o, n);
  }

  /** Loads node h at depth: its chunks' runs, children and their list; notes its block (which holds its leaves). */
  private decode(h: number, depth: number): void {
    const vals = this.runs.vals;
    const marks = this.runs.marks;
    const o = this.entry(h)[this.at(h)]!;
    const bitmap = this.entry(h)[this.at(h) + 1]!;
    let k = o;
    for (let c = 0; c < 32; c++) {
      k += (bitmap >>> c) & 1;
      chunkVal[c] = vals[k];
      chunkMark[c] = marks[k]!;
    }
    this.children = this.hasChildren(o, k - o) ? (vals[k + 1] as number) : 0;
    this.list = this.children !== 0 && depth < LAST ? (vals[k + 2] as number) : 0;
    this.leaf = -1;
    const was = this.was;
    was.o = o;
    was.bitmap = bitmap;
    was.children = this.children;
    was.list = this.list;
    was.size = this.blockSize(o, bitmap, depth);
  }

  /** Offset of the record of the leaf of chunk c in the decoded block (which has that leaf). */
  private leafRecord(c: number): number {
    const was = this.was;
    return was.o + 2 + popcount(was.bitmap) + LEAF * popcount(was.children & ((1 << c) - 1));
  }

  /** Loads the leaf of chunk c of the decoded node, or a new leaf of the chunk's run if it has none. */
  private loadLeaf(c: number): void {
    this.leaf = c;
    if (((this.was.children >>> c) & 1) !== 0) loadLeaf(this.runs, this.was.o + 1, this.leafRecord(c));
    else {
      newLeaf(chunkVal[c], chunkMark[c]!);
      this.children |= 1 << c;
    }
  }

  /**
   * Gives node h at depth what is loaded (a loaded leaf left of one run goes back into its chunk):
   * in place if only the runs of its chunks and of the loaded leaf changed and its block has room,
   * else in a new layout (in the same block if it has the capacity), with the other leaves as they
   * were.
   */
  private encode(h: number, depth: number): void {
    const cv = chunkVal;
    const cm = chunkMark;
    let leafCount = 0;
    if (this.leaf >= 0) {
      leafCount = encodeLeaf();
      if (leafCount === 1) {
        [cv[this.leaf], cm[this.leaf]] = firstRun();
        this.children &= ~(1 << this.leaf);
        this.leaf = -1;
      }
    }
    let bitmap = 0;
    for (let c = 0; c < 32; c++) {
      if (((this.children >>> c) & 1) !== 0) {
        cv[c] = CHILD;
        cm[c] = NOT_RUN;
      }
      if (c === 0 || cv[c] !== cv[c - 1] || cm[c] !== cm[c - 1]) bitmap |= 1 << c;
    }
    const was = this.was;
    const runs = this.runs;
    const same = bitmap === was.bitmap && this.children === was.children && this.list === was.list;
    const records = was.o + 2 + popcount(was.bitmap) + LEAF * popcount(was.children);
    if (same && (this.leaf < 0 || placeLeaf(runs, was.o + 1, was.size, records, this.leafRecord(this.leaf), leafCount))) {
      for (let c = 0, k = was.o + 1; c < 32; c++) {
        if (((bitmap >>> c) & 1) === 0) continue;
        runs.vals[k] = cv[c];
        runs.marks[k++] = cm[c]!;
      }
      return;
    }
    let size = popcount(bitmap);
    if (this.children !== 0 && depth < LAST) size += 2;
    else if (this.children !== 0) {
      size += 1 + LEAF * popcount(this.children);
      for (let c = 0; c < 32; c++) {
        if (((this.children >>> c) & 1) !== 0) size += c === this.leaf ? leafCount : leafRuns(runs.vals, this.leafRecord(c));
      }
    }
    // The old block, copied aside, and freed first: a block of the same capacity is that one again.
    saveBlock(runs, was.o + 1, was.size);
    runs.free(was.o + 1, was.size);
    const start = runs.alloc(size);
    const vals = runs.vals;
    const marks = runs.marks;
    let k = start;
    for (let c = 0; c < 32; c++) {
      if (((bitmap >>> c) & 1) === 0) continue;
      vals[k] = cv[c];
      marks[k++] = cm[c]!;
    }
    if (this.children !== 0) {
      vals[k] = this.children;
      marks[k++] = NOT_RUN;
      if (depth < LAST) {
        vals[k] = this.list;
        marks[k++] = NOT_RUN;
      } else {
        let run = k + LEAF * popcount(this.children);
        for (let c = 0; c < 32; c++) {
          if (((this.children >>> c) & 1) === 0) continue;
          run = c === this.leaf ? writeLeaf(runs, k, run, start) : copyLeaf(runs, this.leafRecord(c) - was.o - 1, k, run, start);
          k += LEAF;
        }
      }
    }
    dropBlock(was.size);
    const entry = this.entry(h);
    entry[this.at(h)] = start - 1;
    entry[this.at(h) + 1] = bitmap;
  }

  /**
   * Resizes the direct array for the table's size, or compacts the pools once an eighth of one is
   * free blocks, and for the run pool more than a large block takes on its way up through its
   * capacities (then reused by the next one), which dense /25-/32s free all the time.
   */
  private fit(size: number): void {
    const runs = this.runs;
    const meta = this.meta;
    if (size > GROW_ABOVE[this.level]!) this.rebuild(this.level + 1, this.source());
    else if (size < SHRINK_BELOW[this.level]!) this.rebuild(this.level - 1, this.source());
    else if ((runs.unused > RUNS_FREE * runs.capacity(MAX_BLOCK) && runs.unused * 8 > runs.used) || (meta.unused > 1024 && meta.unused * 8 > meta.used)) {
      this.rebuild(this.level, this.source());
    }
    this.vals = this.runs.vals;
    this.recs = this.meta.data;
  }

  private source(): Source {
    return { nodes: this.nodes, vals: this.runs.vals, marks: this.runs.marks, meta: this.meta.data };
  }

  /**
   * Copies the structure into new pools with a direct array of TOP_BITS[level] bits (at most one step
   * from the current one), or makes an empty one (from null): a node of the larger direct array is a
   * child of a node of the smaller one, or one chunk of it.
   */
  private rebuild(level: number, from: Source | null): void {
    const fromBits = this.bits;
    this.level = level;
    this.bits = TOP_BITS[level]!;
    this.shift = 32 - this.bits - STRIDE;
    const slots = 1 << this.bits;
    const grows = from !== null && this.bits > fromBits;
    this.runs = new RunPool(MAX_BLOCK, EXACT_BLOCK, from ? this.runs.used - this.runs.unused + (grows ? slots : 0) : slots + 1);
    this.meta = new IntPool(32 * NODE, from ? this.meta.used - this.meta.unused + 1 : 1);
    this.nodes = new Int32Array(2 * slots);
    for (let t = 0; t < slots; t++) {
      if (!from) {
        this.nodes[2 * t] = this.runs.alloc(1) - 1;
        this.nodes[2 * t + 1] = 1;
      } else if (this.bits === fromBits) {
        this.copy(from, from.nodes, 2 * t, this.nodes, 2 * t, this.bits);
      } else if (grows) {
        // Chunk t & 31 of node t >>> 5 of the smaller array (whose children are not leaves).
        const o = from.nodes[(t >>> 4) & ~1]!;
        const bitmap = from.nodes[(t >>> 4) | 1]!;
        const c = t & 31;
        const k = o + popcount(bitmap & (-1 >>> (31 - c)));
        if (from.vals[k] === CHILD) {
          const tail = o + 1 + popcount(bitmap);
          const children = from.vals[tail] as number;
          const m = (from.vals[tail + 1] as number) + NODE * popcount(children & ((1 << c) - 1));
          this.copy(from, from.meta, m, this.nodes, 2 * t, this.bits);
        } else {
          const run = this.runs.alloc(1);
          this.runs.vals[run] = from.vals[k];
          this.runs.marks[run] = from.marks[k]!;
          this.nodes[2 * t] = run - 1;
          this.nodes[2 * t + 1] = 1;
        }
      } else {
        // Nodes 32t..32t+31 of the larger array are the chunks of node t: one run each, or children.
        const run = this.runs.alloc(1);
        this.runs.vals[run] = undefined;
        this.runs.marks[run] = 0;
        this.nodes[2 * t] = run - 1;
        this.nodes[2 * t + 1] = 1;
        this.decode(~t, this.bits);
        let children = 0;
        for (let c = 0; c < 32; c++) {
          const q = 2 * (32 * t + c);
          if (from.nodes[q + 1] !== 1 || from.vals[from.nodes[q]! + 1] === CHILD) children |= 1 << c;
        }
        const list = children === 0 ? 0 : this.meta.alloc(NODE * popcount(children));
        for (let c = 0, i = list; c < 32; c++) {
          const q = 2 * (32 * t + c);
          if (((children >>> c) & 1) !== 0) {
            this.copy(from, from.nodes, q, this.meta.data, i, fromBits);
            i += NODE;
            chunkVal[c] = undefined;
            chunkMark[c] = 0;
          } else {
            chunkVal[c] = from.vals[from.nodes[q]! + 1];
            chunkMark[c] = from.marks[from.nodes[q]! + 1]!;
          }
        }
        this.children = children;
        this.list = list;
        this.encode(~t, this.bits);
      }
    }
    this.vals = this.runs.vals;
    this.recs = this.meta.data;
  }

  /**
   * Writes at d[at] (this.nodes, or a record allocated in the integer pool, which later allocations
   * may move) the entry of a copy of the node at depth whose entry is at src[i] in `from`.
   */
  private copy(from: Source, src: Int32Array, i: number, d: Int32Array, at: number, depth: number): void {
    const o = src[i]!;
    const bitmap = src[i + 1]!;
    const size = blockSizeIn(from, o, bitmap, depth);
    const start = this.runs.alloc(size);
    for (let k = 0; k < size; k++) {
      this.runs.vals[start + k] = from.vals[o + 1 + k];
      this.runs.marks[start + k] = from.marks[o + 1 + k]!;
    }
    const n = popcount(bitmap);
    if (depth < LAST && hasChildRun(from.marks, o, n)) {
      // The children's records, copied to a new list.
      const tail = o + 1 + n;
      const children = popcount(from.vals[tail] as number);
      const list = this.meta.alloc(NODE * children);
      for (let k = 0; k < children; k++) this.copy(from, from.meta, (from.vals[tail + 1] as number) + NODE * k, this.meta.data, list + NODE * k, depth + STRIDE);
      this.runs.vals[start + n + 1] = list;
    }
    const out = d === this.nodes ? d : this.meta.data;
    out[at] = start - 1;
    out[at + 1] = bitmap;
  }
}

/** Whether one of the n runs at o + 1 is a CHILD run. */
function hasChildRun(marks: Uint8Array, o: number, n: number): boolean {
  for (let k = o + 1; k <= o + n; k++) if (marks[k] === NOT_RUN) return true;
  return false;
}

/** Ipv4Fib.blockSize for a structure being rebuilt from. */
function blockSizeIn(from: Source, o: number, bitmap: number, depth: number): number {
  const n = popcount(bitmap);
  if (!hasChildRun(from.marks, o, n)) return n;
  if (depth < LAST) return n + 2;
  return leavesEnd(from.vals, o, n);
}

/** The 5 bits of an address after its first `depth` bits (depth <= 27). */
function chunkAt(addr: number, depth: number): number {
  return (addr >>> (27 - depth)) & 31;
}

/** Set bits in each 16-bit number: popcount in two loads, fewer instructions than in arithmetic. */
const BITS16 = new Uint8Array(65536);
for (let i = 1; i < 65536; i++) BITS16[i] = (i & 1) + BITS16[i >>> 1]!;

/** Number of set bits of a 32-bit integer (for lookups). */
function bits(x: number): number {
  return BITS16[x & 0xffff]! + BITS16[x >>> 16]!;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
