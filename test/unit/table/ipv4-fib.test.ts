// The IPv4 forwarding structure (src/table/ipv4-fib.ts) through Ipv4Lpm: prefixes of every length
// around its stride boundaries (/4, /9, /14, /19, /24), nested and replaced, at every direct-array
// size, and a /24 full of longer prefixes, checked against a per-length reference while inserted and
// deleted back to empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ipv4Lpm } from '../../../src/table/index.js';
import { Ipv4Fib } from '../../../src/table/ipv4-fib.js';
import { prng } from '../../helpers/prng.js';

const maskOf = (len: number): number => (len === 0 ? 0 : (-1 << (32 - len)) >>> 0);
const bytesOf = (a: number): Uint8Array => Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255);

/** An Ipv4Lpm beside a per-length reference, checked at the edges of every prefix it was given. */
class Checked {
  readonly lpm = new Ipv4Lpm<number>();
  private readonly byLen = Array.from({ length: 33 }, () => new Map<number, number>());
  private readonly probes = new Set<number>();

  /** probe: whether to check lookups at the edges of this prefix. */
  set(a: number, len: number, value: number, probe = true): void {
    a = (a & maskOf(len)) >>> 0;
    this.lpm.set(bytesOf(a), len, value);
    this.byLen[len]!.set(a, value);
    if (!probe) return;
    const last = (a | ~maskOf(len)) >>> 0;
    for (const p of [a, last, (a - 1) >>> 0, (last + 1) >>> 0, (a + ((last - a) >>> 1)) >>> 0]) this.probes.add(p);
  }

  delete(a: number, len: number): void {
    a = (a & maskOf(len)) >>> 0;
    assert.equal(this.lpm.delete(bytesOf(a), len), this.byLen[len]!.delete(a));
  }

  best(a: number): number | undefined {
    for (let len = 32; len >= 0; len--) {
      const v = this.byLen[len]!.get((a & maskOf(len)) >>> 0);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  check(): void {
    const addresses = [...this.probes];
    const batch: (number | undefined)[] = [];
    this.lpm.lookupMany(addresses, batch);
    addresses.forEach((a, i) => {
      const want = this.best(a);
      assert.equal(this.lpm.lookup32(a), want, `lookup32 ${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`);
      assert.equal(this.lpm.lookup32(a | 0), want);
      assert.equal(batch[i], want);
      assert.equal(this.lpm.lookup(bytesOf(a)), want);
    });
    assert.equal(this.lpm.size, this.byLen.reduce((n, m) => n + m.size, 0));
  }
}

const LENGTHS = [0, 1, 3, 4, 5, 8, 9, 10, 13, 14, 15, 18, 19, 20, 23, 24, 25, 28, 29, 30, 31, 32];

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rnd() % (i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

// Table sizes that put the direct array at 4, 9, 14 and 19 bits.
for (const fillers of [0, 300, 6000, 140_000]) {
  test(`prefixes of every length around the stride boundaries, beside ${fillers} other prefixes`, () => {
    const rnd = prng(0xf1b + fillers);
    const t = new Checked();
    // Nested prefixes of every length around a few anchors, some of them twice (a new value).
    const anchors = [0xc6336414, 0xc6336415, 0x0a000000, 0xffffffff, 0x7ffff000];
    const mine: [number, number][] = [];
    for (const a of anchors) for (const len of LENGTHS) mine.push([a, len], [(a ^ (1 << (31 - Math.min(len, 31)))) >>> 0, len]);
    const fill: [number, number][] = [];
    for (let i = 0; i < fillers; i++) fill.push([rnd(), i % 4 === 0 ? 8 + (rnd() % 25) : 24]);
    const probed = new Set(mine.slice(0, 400));
    let value = 0;
    for (const p of shuffle([...mine, ...mine.slice(0, 20), ...fill], rnd)) t.set(p[0], p[1], value++, probed.has(p) || rnd() % 64 === 0);
    t.check();
    // Delete the nested prefixes (some twice, some never stored), then the rest.
    for (const [a, len] of shuffle([...mine, ...mine.slice(0, 10)], rnd).slice(0, mine.length)) {
      t.delete(a, len);
      if (rnd() % 16 === 0) t.check();
    }
    t.check();
    for (const [a, len] of fill) t.delete(a, len);
    for (const [a, len] of mine) t.delete(a, len);
    t.check();
    assert.equal(t.lpm.size, 0);
    assert.equal(t.lpm.lookup32(0x0a000001), undefined);
  });
}

test('a /24 full of longer prefixes, under shorter ones, inserted and deleted in any order', () => {
  const rnd = prng(0x1eaf);
  const t = new Checked();
  const base = 0xcb007100;
  const prefixes: [number, number][] = [
    [base, 16],
    [base, 23],
  ];
  for (let len = 25; len <= 32; len++) for (let i = 0; i < 1 << (len - 24); i += 1 + (rnd() % 3)) prefixes.push([base + (i << (32 - len)), len]);
  const probed = prefixes.length;
  // Enough other prefixes for a 19-bit direct array, whose nodes at depth 19 hold their leaves.
  for (let i = 0; i < 140_000; i++) prefixes.push([rnd(), 24]);
  const order = [...prefixes.keys()];
  for (let round = 0; round < 2; round++) {
    let value = 0;
    for (const i of shuffle(order, rnd)) t.set(prefixes[i]![0], prefixes[i]![1], value++, i < probed);
    t.set(base, 24, -1);
    t.check();
    t.delete(base, 24);
    let deleted = 0;
    for (const i of shuffle(order, rnd)) {
      t.delete(prefixes[i]![0], prefixes[i]![1]);
      if (i < probed && deleted++ % 16 === 0) t.check();
    }
    t.check();
    assert.equal(t.lpm.size, 0);
  }
});

test('the direct array grows as docs/tables.md says: 4, 9, 14 then 19 bits, above 128, 4,096 and 131,072 prefixes', () => {
  const fib = new Ipv4Fib<number>();
  // White-box: the size of the direct array is the private field `bits`.
  const bits = () => (fib as unknown as { bits: number }).bits;
  const seen: [number, number][] = [[0, bits()]];
  let size = 0;
  for (const threshold of [128, 4096, 131_072]) {
    while (size < threshold) {
      fib.set((0x0a000000 + size * 256) >>> 0, 24, size, ++size);
    }
    seen.push([size, bits()]);
    fib.set((0x0a000000 + size * 256) >>> 0, 24, size, ++size);
    seen.push([size, bits()]);
  }
  assert.deepEqual(seen, [
    [0, 4],
    [128, 4],
    [129, 9],
    [4096, 9],
    [4097, 14],
    [131_072, 14],
    [131_073, 19],
  ]);
  assert.equal(fib.find(0x0a000005), 0);
  assert.equal(fib.find((0x0a000000 + 131_072 * 256) >>> 0), 131_072);
});
