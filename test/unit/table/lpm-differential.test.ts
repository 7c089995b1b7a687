// Random insert/delete/lookup sequences through the public API of EidTable (IPv4 and IPv6, random
// prefix lengths, several instance-ids), checked against a naive linear scan (wireguard-go's
// allowed-IPs random test), and large seeded runs that cross every table-size threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EidTable, Ipv4Lpm, Ipv6Lpm, makePrefix, type EidPrefix } from '../../../src/table/index.js';
import { prng } from '../../helpers/prng.js';

type Fam = 'ipv4' | 'ipv6';
const WIDTH: Record<Fam, number> = { ipv4: 32, ipv6: 128 };

interface Ref {
  iid: number;
  family: Fam;
  bits: bigint;
  len: number;
  value: number;
}

const mask = (bits: bigint, len: number, w: number): bigint =>
  len === 0 ? 0n : (bits >> BigInt(w - len)) << BigInt(w - len);

const toBytes = (bits: bigint, w: number): Uint8Array => {
  const out = new Uint8Array(w / 8);
  for (let i = out.length - 1; i >= 0; i--, bits >>= 8n) out[i] = Number(bits & 0xffn);
  return out;
};

const toBits = (bytes: Uint8Array): bigint => bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

const prefixOf = (r: Pick<Ref, 'iid' | 'family' | 'bits' | 'len'>): EidPrefix =>
  makePrefix(r.family, toBytes(r.bits, WIDTH[r.family]), r.len, r.iid);

const covers = (r: Ref, bits: bigint, len: number): boolean =>
  r.len <= len && mask(bits, r.len, WIDTH[r.family]) === r.bits;

/** The naive reference: a list of entries, scanned linearly. */
class Reference {
  readonly entries: Ref[] = [];

  private find(iid: number, family: Fam, bits: bigint, len: number): number {
    return this.entries.findIndex((r) => r.iid === iid && r.family === family && r.bits === bits && r.len === len);
  }

  set(r: Ref): void {
    const i = this.find(r.iid, r.family, r.bits, r.len);
    if (i >= 0) this.entries[i] = r;
    else this.entries.push(r);
  }

  delete(iid: number, family: Fam, bits: bigint, len: number): boolean {
    const i = this.find(iid, family, bits, len);
    if (i >= 0) this.entries.splice(i, 1);
    return i >= 0;
  }

  covering(iid: number, family: Fam, bits: bigint, len: number): Ref[] {
    return this.entries
      .filter((r) => r.iid === iid && r.family === family && covers(r, bits, len))
      .sort((a, b) => a.len - b.len);
  }

  inside(iid: number, family: Fam, bits: bigint, len: number): Ref[] {
    const w = WIDTH[family];
    return sorted(this.entries.filter((r) => r.iid === iid && r.family === family && r.len >= len && mask(r.bits, len, w) === bits));
  }

  /** Least-specific prefix of the address containing no entry, or undefined if an entry contains it. */
  uncovered(iid: number, family: Fam, bits: bigint): { bits: bigint; len: number } | undefined {
    const w = WIDTH[family];
    let longest = -1;
    for (const r of this.entries) {
      if (r.iid !== iid || r.family !== family) continue;
      if (covers(r, bits, w)) return undefined;
      const x = bits ^ r.bits;
      longest = Math.max(longest, w - x.toString(2).length);
    }
    return { bits: mask(bits, longest + 1, w), len: longest + 1 };
  }
}

const FAMILY_ORDER: Record<Fam, number> = { ipv4: 0, ipv6: 1 };

function sorted(refs: Ref[]): Ref[] {
  return refs.sort(
    (a, b) =>
      a.iid - b.iid ||
      FAMILY_ORDER[a.family] - FAMILY_ORDER[b.family] ||
      (a.bits < b.bits ? -1 : a.bits > b.bits ? 1 : 0) ||
      a.len - b.len,
  );
}

const summary = (refs: readonly Ref[]): string[] => refs.map((r) => `${r.iid}/${r.family}/${r.bits}/${r.len}=${r.value}`);
const summaryOf = (entries: Iterable<{ prefix: EidPrefix; value: number }>): string[] =>
  [...entries].map(({ prefix: p, value }) => `${p.iid}/${p.family}/${toBits(p.address)}/${p.len}=${value}`);

/** Cluster bases: a few dense regions plus any address, so prefixes nest and share paths. */
const BASES: Record<Fam, bigint[]> = {
  ipv4: [0xc6120000n, 0xcb007100n, 0x0a000000n],
  ipv6: [0x20010db8000000000000000000000000n, 0x20010db8ffff00000000000000000000n, 0xfd000000000000000000000000000000n],
};

const opArbitrary = fc.record({
  kind: fc.constantFrom('set', 'set', 'set', 'delete', 'lookup', 'query'),
  iid: fc.constantFrom(0, 1, 0xffffff),
  family: fc.constantFrom<Fam>('ipv4', 'ipv6'),
  base: fc.nat(2),
  spread: fc.constantFrom(6, 14, 26, 40, 128),
  low: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
  len: fc.nat(128),
  value: fc.nat(),
});

type Op = typeof opArbitrary extends fc.Arbitrary<infer T> ? T : never;

function addressOf(op: Op): bigint {
  const w = WIDTH[op.family];
  const spread = BigInt(Math.min(op.spread, w));
  const low = op.low & ((1n << spread) - 1n);
  return ((BASES[op.family][op.base]! >> spread) << spread) | low;
}

function lookupTable(table: EidTable<number>, iid: number, family: Fam, bits: bigint): number | undefined {
  if (family === 'ipv4') return table.lookup4(iid, Number(bits) | 0);
  const buf = new Uint8Array(20);
  buf.set(toBytes(bits, 128), 4);
  return table.lookup6(iid, buf, 4);
}

function run(ops: Op[]): void {
  const table = new EidTable<number>();
  const ref = new Reference();
  for (const op of ops) {
    const w = WIDTH[op.family];
    const address = addressOf(op);
    const len = op.len % (w + 1);
    const bits = mask(address, len, w);
    const p = prefixOf({ iid: op.iid, family: op.family, bits, len });
    switch (op.kind) {
      case 'set':
        table.set(p, op.value);
        ref.set({ iid: op.iid, family: op.family, bits, len, value: op.value });
        break;
      case 'delete':
        assert.equal(table.delete(p), ref.delete(op.iid, op.family, bits, len));
        break;
      case 'lookup': {
        const best = ref.covering(op.iid, op.family, address, w).pop();
        assert.equal(lookupTable(table, op.iid, op.family, address), best?.value);
        const m = table.match(prefixOf({ iid: op.iid, family: op.family, bits: address, len: w }));
        assert.deepEqual(m && summaryOf([m]), best && summary([best]));
        break;
      }
      case 'query': {
        assert.equal(table.get(p), ref.covering(op.iid, op.family, bits, len).find((r) => r.len === len)?.value);
        assert.deepEqual(summaryOf(table.lessSpecifics(p)), summary(ref.covering(op.iid, op.family, bits, len)));
        assert.deepEqual(summaryOf(table.moreSpecifics(p)), summary(ref.inside(op.iid, op.family, bits, len)));
        const hole = table.uncoveredPrefix(prefixOf({ iid: op.iid, family: op.family, bits: address, len: w }));
        const want = ref.uncovered(op.iid, op.family, address);
        assert.deepEqual(hole && [toBits(hole.address), hole.len], want && [want.bits, want.len]);
        break;
      }
    }
    assert.equal(table.size, ref.entries.length);
  }
  assert.deepEqual(summaryOf(table.entries()), summary(sorted([...ref.entries])));
}

test('random operations agree with a linear scan (IPv4 and IPv6, several instance-ids)', () => {
  fc.assert(
    fc.property(fc.array(opArbitrary, { minLength: 20, maxLength: 400, size: 'max' }), (ops) => run(ops)),
    { numRuns: 150 },
  );
});

test('a large IPv4 table agrees with a per-length reference while it grows past and shrinks below every dp size', () => {
  const rnd = prng(0x5eed);
  const lpm = new Ipv4Lpm<number>();
  const byLen = Array.from({ length: 33 }, () => new Map<number, number>());
  const best = (a: number): number | undefined => {
    for (let len = 32; len >= 0; len--) {
      const v = byLen[len]!.get(len === 0 ? 0 : (a & (-1 << (32 - len))) >>> 0);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  // Addresses in 198.0.0.0/8 (dense) with lengths from /8 to /32, mostly /24.
  const randomAddress = (): number => (0xc6000000 | (rnd() & 0xffffff)) >>> 0;
  const randomLength = (): number => (rnd() % 4 === 0 ? 8 + (rnd() % 25) : 24);
  const check = (): void => {
    const addresses = Array.from({ length: 3000 }, randomAddress);
    const batch: (number | undefined)[] = [];
    lpm.lookupMany(addresses, batch);
    addresses.forEach((a, i) => {
      assert.equal(lpm.lookup32(a), best(a));
      assert.equal(batch[i], best(a));
    });
    const a = randomAddress();
    assert.equal(lpm.lookup(Uint8Array.of(9, a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255), 1), best(a));
  };
  const inserted: [number, number][] = [];
  for (let i = 0; i < 300_000; i++) {
    const len = randomLength();
    const a = (randomAddress() & (-1 << (32 - len))) >>> 0;
    lpm.set(Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255), len, i);
    byLen[len]!.set(a, i);
    inserted.push([a, len]);
    if (i % 50_000 === 0) check();
  }
  check();
  for (let i = inserted.length - 1; i >= 0; i--) {
    const [a, len] = inserted[i]!;
    const had = byLen[len]!.delete(a);
    assert.equal(lpm.delete(Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255), len), had);
    if (i % 50_000 === 0) check();
  }
  assert.equal(lpm.size, 0);
  assert.deepEqual([...lpm.entries()], []);
});

test('a large sparse IPv6 table with churn agrees with a per-length reference', () => {
  const rnd = prng(0x6eed);
  const lpm = new Ipv6Lpm<number>();
  const byLen = Array.from({ length: 129 }, () => new Map<bigint, number>());
  const randomAddress = (): bigint =>
    (0x2n << 124n) | (BigInt(rnd() & 0x0fffffff) << 96n) | (BigInt(rnd()) << 64n) | (BigInt(rnd()) << 32n) | BigInt(rnd());
  const best = (a: bigint): number | undefined => {
    for (let len = 128; len >= 0; len--) {
      const v = byLen[len]!.get(mask(a, len, 128));
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const live: [bigint, number][] = [];
  for (let i = 0; i < 60_000; i++) {
    if (live.length > 0 && rnd() % 3 === 0) {
      const [bits, len] = live.splice(rnd() % live.length, 1)[0]!;
      assert.equal(lpm.delete(toBytes(bits, 128), len), byLen[len]!.delete(bits));
      continue;
    }
    const len = [32, 40, 48, 56, 64, 127, 128][rnd() % 7]!;
    const bits = mask(randomAddress(), len, 128);
    lpm.set(toBytes(bits, 128), len, i);
    byLen[len]!.set(bits, i);
    live.push([bits, len]);
  }
  for (let i = 0; i < 5000; i++) {
    // Half the probes inside a stored prefix, half anywhere.
    const [bits, len] = live[rnd() % live.length]!;
    const a = i % 2 === 0 ? bits | (randomAddress() & ((1n << BigInt(128 - len)) - 1n)) : randomAddress();
    const words = [96n, 64n, 32n, 0n].map((s) => Number((a >> s) & 0xffffffffn) | 0) as [number, number, number, number];
    assert.equal(lpm.lookupWords(...words), best(a));
    assert.equal(lpm.lookup(toBytes(a, 128)), best(a));
  }
  assert.equal(lpm.size, byLen.reduce((n, m) => n + m.size, 0));
});
