// Dense runs of host prefixes, what a Map-Server holds under its site prefixes: consecutive /32s and
// /128s inserted and deleted in several orders (also back to empty), a /19 of /25-/32s changed at
// random (its leaves grow, shrink and move inside their node's block), and inserts and deletes
// interleaved around stride boundaries, through Ipv4Lpm and Ipv6Lpm, checked against a per-length
// reference at every address of the region concerned, with seeded pseudo-random orders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ipv4Lpm, Ipv6Lpm } from '../../../src/table/index.js';
import { prng } from '../../helpers/prng.js';

const maskOf = (len: number): number => (len === 0 ? 0 : (-1 << (32 - len)) >>> 0);

/** Prefixes (low, len) over 32-bit words, by length: IPv4 addresses, or the last word of IPv6 ones in 2001:db8::/96. */
class Reference {
  private readonly byLen = Array.from({ length: 33 }, () => new Map<number, number>());
  /** The lengths in use, longest first. */
  private lengths: number[] = [];

  set(low: number, len: number, value: number): void {
    this.byLen[len]!.set((low & maskOf(len)) >>> 0, value);
    if (this.byLen[len]!.size === 1) this.used();
  }

  delete(low: number, len: number): boolean {
    const had = this.byLen[len]!.delete((low & maskOf(len)) >>> 0);
    if (this.byLen[len]!.size === 0) this.used();
    return had;
  }

  best(low: number): number | undefined {
    for (const len of this.lengths) {
      const v = this.byLen[len]!.get((low & maskOf(len)) >>> 0);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  get size(): number {
    return this.byLen.reduce((n, m) => n + m.size, 0);
  }

  /** Every prefix as "low/len=value", in prefix order. */
  entries(): string[] {
    const all: [number, number, number][] = [];
    this.byLen.forEach((m, len) => m.forEach((v, low) => all.push([low, len, v])));
    return all.sort((x, y) => x[0] - y[0] || x[1] - y[1]).map(([low, len, v]) => `${low}/${len}=${v}`);
  }

  private used(): void {
    this.lengths = this.byLen.flatMap((m, len) => (m.size > 0 ? [len] : [])).reverse();
  }
}

const bytes4 = (a: number): Uint8Array => Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255);
const V6_BASE = [0x20010db8, 0, 0] as const;
const bytes6 = (low: number): Uint8Array => {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  V6_BASE.forEach((w, i) => view.setInt32(4 * i, w));
  view.setInt32(12, low | 0);
  return out;
};

/** An Ipv4Lpm or an Ipv6Lpm (prefixes in 2001:db8::/96, lengths from 96) beside a Reference. */
class Checked {
  readonly ref = new Reference();
  private readonly v4?: Ipv4Lpm<number>;
  private readonly v6?: Ipv6Lpm<number>;
  private readonly batch: (number | undefined)[] = [];

  constructor(family: 'ipv4' | 'ipv6') {
    if (family === 'ipv4') this.v4 = new Ipv4Lpm<number>();
    else this.v6 = new Ipv6Lpm<number>();
  }

  /** len: the length within the 32 bits compared (an IPv6 prefix is 96 bits longer). */
  set(low: number, len: number, value: number): void {
    if (this.v4) this.v4.set(bytes4(low), len, value);
    else this.v6!.set(bytes6(low), 96 + len, value);
    this.ref.set(low, len, value);
  }

  delete(low: number, len: number): void {
    const deleted = this.v4 ? this.v4.delete(bytes4(low), len) : this.v6!.delete(bytes6(low), 96 + len);
    assert.equal(deleted, this.ref.delete(low, len), `delete ${low >>> 0}/${len}`);
  }

  lookup(low: number): number | undefined {
    return this.v4 ? this.v4.lookup32(low) : this.v6!.lookupWords(V6_BASE[0], V6_BASE[1], V6_BASE[2], low | 0);
  }

  /** Checks the lookups of addresses lo..lo+count-1 (IPv4 also through lookupMany and lookup) and the size. */
  check(lo: number, count: number): void {
    const addresses = Array.from({ length: count }, (_, i) => (lo + i) >>> 0);
    if (this.v4) this.v4.lookupMany(addresses, this.batch);
    addresses.forEach((a, i) => {
      const want = this.ref.best(a);
      assert.equal(this.lookup(a), want, `lookup of ${a >>> 0}`);
      if (this.v4) assert.equal(this.batch[i], want, `lookupMany of ${a >>> 0}`);
    });
    if (this.v4) assert.equal(this.v4.lookup(bytes4(lo)), this.ref.best(lo));
    else assert.equal(this.v6!.lookup(bytes6(lo)), this.ref.best(lo));
    assert.equal(this.size, this.ref.size);
  }

  /** Checks entries() and get() of every prefix. */
  checkEntries(): void {
    const lpm = this.v4 ?? this.v6!;
    const offset = this.v4 ? 0 : 96;
    const seen = [...lpm.entries()].map((e) => {
      const view = new DataView(e.address.buffer);
      const low = view.getUint32(e.address.length - 4);
      assert.equal(lpm.get(e.address, e.len), e.value);
      return `${low}/${e.len - offset}=${e.value}`;
    });
    assert.deepEqual(seen, this.ref.entries());
  }

  get size(): number {
    return (this.v4 ?? this.v6!).size;
  }
}

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rnd() % (i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

const ORDERS = ['ascending', 'descending', 'shuffled'] as const;

function ordered(count: number, order: (typeof ORDERS)[number], rnd: () => number): number[] {
  const xs = Array.from({ length: count }, (_, i) => i);
  return order === 'ascending' ? xs : order === 'descending' ? xs.reverse() : shuffle(xs, rnd);
}

// Three /19s and a bit: runs that cross /24 and /19 boundaries and end inside a /24.
const RUN4 = 3 * 8192 + 300;
const BASE4 = 0xc6120000;

for (const order of ORDERS) {
  for (const cover of [false, true]) {
    test(`dense /32s, ${order}${cover ? ', under their /16' : ''}, inserted then deleted back to empty in another order`, () => {
      const rnd = prng(0xde45e + RUN4);
      const t = new Checked('ipv4');
      if (cover) t.set(BASE4, 16, -1);
      const inserts = ordered(RUN4, order, rnd);
      inserts.forEach((i, n) => {
        t.set(BASE4 + i, 32, i);
        if (n % 8192 === 8191) t.check(BASE4 - 8, RUN4 + 16);
      });
      t.check(BASE4 - 8, RUN4 + 16);
      t.checkEntries();
      const deletes = ordered(RUN4, ORDERS[(ORDERS.indexOf(order) + 1) % 3]!, rnd);
      deletes.forEach((i, n) => {
        t.delete(BASE4 + i, 32);
        if (n % 8192 === 8191) t.check(BASE4 - 8, RUN4 + 16);
      });
      t.delete(BASE4 + 7, 32);
      if (cover) t.delete(BASE4, 16);
      t.check(BASE4 - 8, RUN4 + 16);
      assert.equal(t.size, 0);
      t.checkEntries();
    });
  }
}

// Table sizes that put the IPv4 direct array at 14 and 19 bits, and so the /19's node below it or in it.
for (const fillers of [0, 140_000]) {
  test(`a /19 of /25-/32s changed at random, beside ${fillers} other prefixes`, () => {
    const rnd = prng(0x19 + fillers);
    const t = new Checked('ipv4');
    const base = 0xcb000000;
    for (let i = 0; i < fillers; i++) t.set(0x0a000000 + (rnd() & 0xffffff), 24, i);
    t.set(base, 19, -19);
    const live: [number, number][] = [];
    for (let op = 0; op < 16_000; op++) {
      const len = 25 + (rnd() % 8);
      // Mostly inserts at first, then mostly deletes, so that the /19 fills up and empties again.
      const adding = live.length === 0 || rnd() % 16_000 > op;
      let a: number;
      if (adding) {
        a = (base + (rnd() & 8191)) & maskOf(len);
        t.set(a, len, op);
        live.push([a, len]);
      } else {
        const [x, l] = live.splice(rnd() % live.length, 1)[0]!;
        a = x;
        t.delete(x, l);
      }
      t.check(a - 1, 2 ** (32 - len) + 2);
      // The leaves that moved to make room, or left gaps.
      if (op % 250 === 0) t.check(base, 8192);
    }
    t.check(base - 1, 8194);
    for (const [a, len] of live) t.delete(a, len);
    t.delete(base, 19);
    t.check(base - 1, 8194);
  });
}

test('IPv4 inserts and deletes interleaved around /24, /19 and /16 boundaries', () => {
  const rnd = prng(0xb0a);
  const t = new Checked('ipv4');
  const boundaries = [0xc6121f00, 0xc6122000, 0xc6130000, 0xc6140100];
  const lengths = [16, 18, 19, 20, 23, 24, 25, 27, 29, 30, 31, 32, 32, 32, 32];
  for (let op = 0; op < 12_000; op++) {
    const b = boundaries[op % boundaries.length]!;
    const len = lengths[rnd() % lengths.length]!;
    const a = ((b - 300 + (rnd() % 600)) & maskOf(len)) >>> 0;
    if (rnd() % 5 < 3) t.set(a, len, op);
    else t.delete(a, len);
    t.check(a - 2, Math.min(2 ** (32 - len), 512) + 4);
    if (op % 1000 === 999) for (const x of boundaries) t.check(x - 300, 600);
  }
  t.checkEntries();
});

// Past the IPv6 trie's direct-array sizes (2048 and 65536 prefixes) and back.
const RUN6 = 70_000;

for (const order of ORDERS) {
  test(`dense /128s, ${order}, under a /96 for half of the run, inserted then deleted back to empty`, () => {
    const rnd = prng(0x128 + RUN6);
    const t = new Checked('ipv6');
    const inserts = ordered(RUN6, order, rnd);
    inserts.forEach((i, n) => {
      t.set(i, 32, i);
      if (n === RUN6 >>> 1) t.set(0, 0, -96);
      if (n % 8192 === 8191) t.check(0, 1024);
    });
    t.check(RUN6 - 1024, 1100);
    t.check(0x7fffffff, 2);
    t.checkEntries();
    ordered(RUN6, ORDERS[(ORDERS.indexOf(order) + 2) % 3]!, rnd).forEach((i, n) => {
      t.delete(i, 32);
      if (n === RUN6 >>> 1) t.delete(0, 0);
      if (n % 8192 === 8191) t.check(0, 1024);
    });
    t.check(0, 1024);
    assert.equal(t.size, 0);
    t.checkEntries();
  });
}

test('IPv6 inserts and deletes interleaved around the trie strides of the last word (bits 14, 8 and 2 from the end)', () => {
  const rnd = prng(0x6b0a);
  const t = new Checked('ipv6');
  const boundaries = [1 << 14, 3 << 14, 5 << 8, 0x12345600];
  for (let op = 0; op < 12_000; op++) {
    const b = boundaries[op % boundaries.length]!;
    const len = rnd() % 3 === 0 ? 16 + (rnd() % 17) : 32;
    const a = ((b - 200 + (rnd() % 400)) & maskOf(len)) >>> 0;
    if (rnd() % 5 < 3) t.set(a, len, op);
    else t.delete(a, len);
    t.check(a - 2, Math.min(2 ** (32 - len), 512) + 4);
    if (op % 1000 === 999) for (const x of boundaries) t.check(x - 200, 400);
  }
  t.checkEntries();
});
