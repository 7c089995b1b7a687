// Longest-prefix-match tables for one address family, over a multibit trie (multibit-trie.ts); an
// IPv4 table also keeps a forwarding structure (ipv4-fib.ts) that answers its lookups.
// Addresses are big-endian bytes, or for the hot lookups integers; lookups allocate nothing.
import { Ipv4Fib } from './ipv4-fib.js';
import { MultibitTrie, type TriePrefix } from './multibit-trie.js';

export interface LpmEntry<V> {
  readonly address: Uint8Array;
  readonly len: number;
  readonly value: V;
}

export abstract class Lpm<V> {
  protected readonly trie: MultibitTrie<V>;
  /** Scratch key: the words of the address being handled, then one 0 word. */
  protected readonly key: Int32Array;
  private readonly bytes: number;
  private version = 0;

  constructor(readonly width: 32 | 128) {
    // An IPv4 table's lookups read its forwarding structure, not the trie.
    this.trie = new MultibitTrie<V>(width, width === 128);
    this.key = new Int32Array(this.trie.words + 1);
    this.bytes = width >>> 3;
  }

  get size(): number {
    return this.trie.size;
  }

  /** Adds the prefix or replaces its value. Host bits of the address are ignored. */
  set(address: Uint8Array, len: number, value: V): void {
    this.loadPrefix(address, len);
    this.trie.set(this.key, len, value);
    this.version++;
  }

  /** The value of exactly this prefix. */
  get(address: Uint8Array, len: number): V | undefined {
    this.loadPrefix(address, len);
    return this.trie.get(this.key, len);
  }

  delete(address: Uint8Array, len: number): boolean {
    this.loadPrefix(address, len);
    if (!this.trie.delete(this.key, len)) return false;
    this.version++;
    return true;
  }

  /** Value of the longest prefix containing the address at bytes[offset...]. */
  abstract lookup(bytes: Uint8Array, offset?: number): V | undefined;

  /** The longest stored prefix containing the prefix (address, len), itself included. */
  match(address: Uint8Array, len: number): LpmEntry<V> | undefined {
    return this.lessSpecifics(address, len).pop();
  }

  /** Stored prefixes containing (address, len), itself included, shortest first. */
  lessSpecifics(address: Uint8Array, len: number): LpmEntry<V>[] {
    this.loadPrefix(address, len);
    return this.trie.covering(this.key, len).map((p) => this.entry(p));
  }

  /** Stored prefixes inside (address, len), itself included, in prefix order. */
  moreSpecifics(address: Uint8Array, len: number): IterableIterator<LpmEntry<V>> {
    this.loadPrefix(address, len);
    return this.walk(this.trie.moreSpecifics(this.key.slice(), len));
  }

  /** Every prefix in order: by address, a prefix before its more-specifics. */
  entries(): IterableIterator<LpmEntry<V>> {
    return this.walk(this.trie.entries());
  }

  /**
   * Length of the shortest prefix of the address that contains no stored prefix, or -1 if a stored
   * prefix contains the address (the prefix of a negative Map-Reply, RFC 9301 section 8.4).
   */
  uncoveredLength(address: Uint8Array): number {
    this.loadPrefix(address, this.width);
    return this.trie.uncoveredLength(this.key);
  }

  private *walk(prefixes: Iterator<TriePrefix<V>>): Generator<LpmEntry<V>> {
    const version = this.version;
    for (;;) {
      if (this.version !== version) throw new Error('LPM table changed during iteration');
      const next = prefixes.next();
      if (next.done) return;
      yield this.entry(next.value);
    }
  }

  private entry(p: TriePrefix<V>): LpmEntry<V> {
    const address = new Uint8Array(this.bytes);
    for (let i = 0; i < this.bytes; i++) address[i] = p.key[i >>> 2]! >>> (24 - 8 * (i & 3));
    return { address, len: p.len, value: p.value };
  }

  private loadPrefix(address: Uint8Array, len: number): void {
    if (address.length < this.bytes) throw new RangeError(`address has ${address.length} bytes, need ${this.bytes}`);
    if (!Number.isInteger(len) || len < 0 || len > this.width) {
      throw new RangeError(`prefix length ${len} out of range 0-${this.width}`);
    }
    loadWords(this.key, this.trie.words, address, 0);
    for (let i = 0; i < this.trie.words; i++) {
      const keep = len - 32 * i;
      if (keep <= 0) this.key[i] = 0;
      else if (keep < 32) this.key[i] = this.key[i]! & (-1 << (32 - keep));
    }
  }
}

export class Ipv4Lpm<V> extends Lpm<V> {
  /** What lookups read (kept here rather than in Lpm: the field's one type keeps lookup32 faster). */
  private readonly fib = new Ipv4Fib<V>();

  constructor() {
    super(32);
  }

  override set(address: Uint8Array, len: number, value: V): void {
    super.set(address, len, value);
    this.fib.set(this.key[0]!, len, value, this.size);
  }

  override delete(address: Uint8Array, len: number): boolean {
    if (!super.delete(address, len)) return false;
    // The prefix's addresses fall back on its longest covering prefix.
    const up = this.trie.covering(this.key, len).pop();
    this.fib.delete(this.key[0]!, len, up?.value, up ? up.len : -1, this.size);
    return true;
  }

  lookup(bytes: Uint8Array, offset = 0): V | undefined {
    return this.fib.find((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!);
  }

  /** Value of the longest prefix containing the address (a 32-bit integer, signed or unsigned). */
  lookup32(address: number): V | undefined {
    return this.fib.find(address);
  }

  /**
   * lookup32 of addresses[0..count-1] into out[0..count-1]. Faster per address than lookup32 on a
   * large table, because the memory loads of many lookups overlap.
   */
  lookupMany(addresses: ArrayLike<number>, out: (V | undefined)[], count = addresses.length): void {
    this.fib.findMany(addresses, out, count);
  }
}

export class Ipv6Lpm<V> extends Lpm<V> {
  constructor() {
    super(128);
  }

  lookup(bytes: Uint8Array, offset = 0): V | undefined {
    loadWords(this.key, 4, bytes, offset);
    return this.trie.find128(this.key);
  }

  /** Value of the longest prefix containing the address given as four 32-bit words, most significant first. */
  lookupWords(w0: number, w1: number, w2: number, w3: number): V | undefined {
    const key = this.key;
    key[0] = w0;
    key[1] = w1;
    key[2] = w2;
    key[3] = w3;
    return this.trie.find128(key);
  }
}

function loadWords(out: Int32Array, words: number, bytes: Uint8Array, offset: number): void {
  for (let i = 0, o = offset; i < words; i++, o += 4) {
    out[i] = (bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!;
  }
}
