// LPM table benchmark: 1 million IPv4 prefixes (/8 to /32, lengths weighted as in a routing table)
// and 1 million IPv6 prefixes (/32 to /64): insert rate, lookup rate on random addresses, memory per
// prefix, each beside a baseline measured in the same run: a Map with integer keys (Map.set, Map.get
// of the same addresses, memory per Map entry). Lookup timings alternate between the table and the
// baseline over several rounds and report medians, so that load on the machine hits both alike.
// Then insert and delete rates of dense host prefixes at 10k, 100k and 1M (table-updates.ts).
//
//   node --import tsx bench/table.ts [seed] [lookups|updates] [sizes of the update phase, comma-separated]
//
// Garbage collection is forced twice (through V8 flags set at startup) before each memory reading;
// memory is heap plus external (ArrayBuffer) bytes.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EidTable, Ipv4Lpm, Ipv6Lpm, parsePrefix } from '../src/table/index.js';
import { benchUpdates } from './table-updates.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SEED = Number(process.argv[2] ?? 1);
const PHASE = process.argv[3];
const UPDATE_SIZES = process.argv[4]?.split(',').map(Number) ?? [10_000, 100_000, 1_000_000];
const PREFIXES = 1_000_000;
const LOOKUPS = 1_000_000;
const ROUNDS = 7;

let state = SEED >>> 0 || 1;
/** xorshift32: the same prefixes and addresses on every run with the same seed. */
function random(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return state >>> 0;
}

/** Picks a length from [length, weight] pairs. */
function lengthPicker(weights: [number, number][]): () => number {
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  return () => {
    let r = (random() / 2 ** 32) * total;
    for (const [len, w] of weights) if ((r -= w) < 0) return len;
    return weights[weights.length - 1]![0];
  };
}

// IPv4 lengths roughly as in the global routing table (about 60% /24, then /22, /23, /21, /20, ...),
// plus a few percent of /25-/32 (LISP EID tables hold host routes).
const IPV4_LENGTHS: [number, number][] = [
  [8, 0.02], [9, 0.02], [10, 0.04], [11, 0.1], [12, 0.2], [13, 0.4], [14, 0.7], [15, 1], [16, 1.4],
  [17, 0.8], [18, 1.4], [19, 2.5], [20, 4], [21, 5], [22, 11], [23, 10], [24, 58],
  [25, 0.3], [26, 0.3], [27, 0.3], [28, 0.3], [29, 0.3], [30, 0.4], [31, 0.1], [32, 1.5],
];
// IPv6 lengths from /32 to /64, mostly on nibble boundaries, about half /48.
const IPV6_LENGTHS: [number, number][] = [
  [32, 10], [36, 4], [40, 8], [44, 8], [46, 1], [47, 1], [48, 45], [52, 3], [56, 10], [60, 2], [64, 8],
];

function memory(): number {
  // The first collection frees unreachable ArrayBuffers only when its sweeper has run: they still count
  // as external bytes until the second one.
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const fmt = (x: number, digits = 2): string => x.toFixed(digits).padStart(7);
const rate = (count: number, ms: number): string => `${fmt(count / ms / 1000)} M/s`;

/** Lookup timings of the table and of Map.get, alternating, in ns per lookup (medians). */
function compare(table: () => number, baseline: () => number): [number, number] {
  const ours: number[] = [];
  const map: number[] = [];
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t = performance.now();
    sink += table();
    ours.push(performance.now() - t);
    t = performance.now();
    sink += baseline();
    map.push(performance.now() - t);
  }
  if (sink === 0.5) console.log('');
  return [(median(ours) * 1e6) / LOOKUPS, (median(map) * 1e6) / LOOKUPS];
}

function lookupLine(label: string, [ours, map]: [number, number]): void {
  console.log(
    `  lookup, ${label.padEnd(32)} ${fmt(1000 / ours)} M/s (${fmt(ours, 1)} ns)   Map.get ${fmt(1000 / map)} M/s (${fmt(map, 1)} ns)   ratio ${fmt(map / ours)}`,
  );
}

/** A Map of integer keys to their index, filled in an order unrelated to the lookup order. */
function baselineMap(keys: Int32Array): Map<number, number> {
  const map = new Map<number, number>();
  for (let i = 0, j = 0; i < keys.length; i++, j = (j + 7919) % keys.length) map.set(keys[j]!, j);
  return map;
}

function benchIpv4(): void {
  const pickLength = lengthPicker(IPV4_LENGTHS);
  const addr = new Int32Array(PREFIXES);
  const len = new Uint8Array(PREFIXES);
  const seen = new Set<number>();
  for (let n = 0; n < PREFIXES; ) {
    const l = pickLength();
    const a = random() & (-1 << (32 - l));
    const key = (a >>> 0) * 64 + l;
    if (seen.has(key)) continue;
    seen.add(key);
    addr[n] = a;
    len[n++] = l;
  }
  seen.clear();

  // Addresses inside random stored prefixes (every lookup matches), and uniformly random ones.
  const inside = new Int32Array(LOOKUPS);
  const uniform = new Int32Array(LOOKUPS);
  for (let i = 0; i < LOOKUPS; i++) {
    const j = random() % PREFIXES;
    inside[i] = addr[j]! | (len[j] === 32 ? 0 : random() & (-1 >>> len[j]!));
    uniform[i] = random() | 0;
  }

  const before = memory();
  const table = new Ipv4Lpm<number>();
  const bytes = new Uint8Array(4);
  let t = performance.now();
  for (let i = 0; i < PREFIXES; i++) {
    const a = addr[i]!;
    bytes[0] = a >>> 24;
    bytes[1] = a >>> 16;
    bytes[2] = a >>> 8;
    bytes[3] = a;
    table.set(bytes, len[i]!, i);
  }
  const insertMs = performance.now() - t;
  const tableBytes = memory() - before;

  const mapBefore = memory();
  t = performance.now();
  const insideMap = baselineMap(inside);
  const mapInsertMs = performance.now() - t;
  const mapBytes = memory() - mapBefore;
  const uniformMap = baselineMap(uniform);

  // The same prefixes in instance 7 of an EidTable that also holds a few small instances.
  const eidTable = new EidTable<number>();
  for (let i = 0; i < 4000; i++) eidTable.set(parsePrefix(`[${i % 4}]198.18.${(i >>> 4) & 255}.0/24`), i);
  for (let i = 0; i < PREFIXES; i++) {
    const a = addr[i]!;
    eidTable.set({ iid: 7, family: 'ipv4', address: Uint8Array.of(a >>> 24, a >>> 16, a >>> 8, a), len: len[i]! }, i);
  }

  console.log(`IPv4: ${table.size} prefixes, /8 to /32 (58% /24, 3.5% longer than /24)`);
  console.log(`  insert                                   ${rate(PREFIXES, insertMs)}                 Map.set ${rate(LOOKUPS, mapInsertMs)}              ratio ${fmt(mapInsertMs / LOOKUPS / (insertMs / PREFIXES))}`);
  lookupLine('addresses in stored prefixes', compare(
    () => { let s = 0; for (let i = 0; i < LOOKUPS; i++) s += table.lookup32(inside[i]!) ?? 0; return s; },
    () => { let s = 0; for (let i = 0; i < LOOKUPS; i++) s += insideMap.get(inside[i]!) ?? 0; return s; },
  ));
  const batch: (number | undefined)[] = new Array<number | undefined>(64).fill(undefined);
  lookupLine('in prefixes, lookupMany by 64', compare(
    () => {
      let s = 0;
      for (let i = 0; i < LOOKUPS; i += 64) {
        table.lookupMany(inside.subarray(i, i + 64), batch);
        for (let k = 0; k < 64; k++) s += batch[k] ?? 0;
      }
      return s;
    },
    () => { let s = 0; for (let i = 0; i < LOOKUPS; i++) s += insideMap.get(inside[i]!) ?? 0; return s; },
  ));
  lookupLine('uniformly random addresses', compare(
    () => { let s = 0; for (let i = 0; i < LOOKUPS; i++) s += table.lookup32(uniform[i]!) ?? 0; return s; },
    () => { let s = 0; for (let i = 0; i < LOOKUPS; i++) s += uniformMap.get(uniform[i]!) ?? 0; return s; },
  ));
  lookupLine('in prefixes, EidTable.lookup4', compare(
    () => { let s = 0; for (let i = 0; i < LOOKUPS; i++) s += eidTable.lookup4(7, inside[i]!) ?? 0; return s; },
    () => { let s = 0; for (let i = 0; i < LOOKUPS; i++) s += insideMap.get(inside[i]!) ?? 0; return s; },
  ));
  console.log(
    `  memory                                   ${fmt(tableBytes / table.size, 1)} B/prefix            Map     ${fmt(mapBytes / insideMap.size, 1)} B/entry         ratio ${fmt(mapBytes / insideMap.size / (tableBytes / table.size))}`,
  );
}

function benchIpv6(): void {
  const pickLength = lengthPicker(IPV6_LENGTHS);
  // Prefixes in 2000::/3; only the first two words matter for lengths up to /64.
  const w0 = new Int32Array(PREFIXES);
  const w1 = new Int32Array(PREFIXES);
  const len = new Uint8Array(PREFIXES);
  const seen = new Set<string>();
  for (let n = 0; n < PREFIXES; ) {
    const l = pickLength();
    const a = (random() & 0x1fffffff) | 0x20000000;
    const b = l === 32 ? 0 : random() & (-1 << (64 - l));
    const key = `${a}/${b}/${l}`;
    if (seen.has(key)) continue;
    seen.add(key);
    w0[n] = a;
    w1[n] = b;
    len[n++] = l;
  }
  seen.clear();

  const inside = new Int32Array(LOOKUPS * 4);
  const uniform = new Int32Array(LOOKUPS * 4);
  const insideKeys = new Int32Array(LOOKUPS);
  const uniformKeys = new Int32Array(LOOKUPS);
  for (let i = 0; i < LOOKUPS; i++) {
    const j = random() % PREFIXES;
    const o = 4 * i;
    inside.set([w0[j]!, w1[j]! | (len[j] === 64 ? 0 : random() & (-1 >>> (len[j]! - 32))), random(), random()], o);
    uniform.set([(random() & 0x1fffffff) | 0x20000000, random(), random(), random()], o);
    insideKeys[i] = inside[o]! ^ inside[o + 1]! ^ inside[o + 2]! ^ inside[o + 3]!;
    uniformKeys[i] = uniform[o]! ^ uniform[o + 1]! ^ uniform[o + 2]! ^ uniform[o + 3]!;
  }

  const before = memory();
  const table = new Ipv6Lpm<number>();
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  let t = performance.now();
  for (let i = 0; i < PREFIXES; i++) {
    view.setInt32(0, w0[i]!);
    view.setInt32(4, w1[i]!);
    table.set(bytes, len[i]!, i);
  }
  const insertMs = performance.now() - t;
  const tableBytes = memory() - before;

  const mapBefore = memory();
  t = performance.now();
  const insideMap = baselineMap(insideKeys);
  const mapInsertMs = performance.now() - t;
  const mapBytes = memory() - mapBefore;
  const uniformMap = baselineMap(uniformKeys);

  console.log(`IPv6: ${table.size} prefixes in 2000::/3, /32 to /64 (45% /48); Map keys: the address words XORed`);
  console.log(`  insert                                   ${rate(PREFIXES, insertMs)}                 Map.set ${rate(LOOKUPS, mapInsertMs)}              ratio ${fmt(mapInsertMs / LOOKUPS / (insertMs / PREFIXES))}`);
  lookupLine('addresses in stored prefixes', compare(
    () => { let s = 0; for (let i = 0; i < 4 * LOOKUPS; i += 4) s += table.lookupWords(inside[i]!, inside[i + 1]!, inside[i + 2]!, inside[i + 3]!) ?? 0; return s; },
    () => { let s = 0; for (let i = 0; i < LOOKUPS; i++) s += insideMap.get(insideKeys[i]!) ?? 0; return s; },
  ));
  lookupLine('random addresses in 2000::/3', compare(
    () => { let s = 0; for (let i = 0; i < 4 * LOOKUPS; i += 4) s += table.lookupWords(uniform[i]!, uniform[i + 1]!, uniform[i + 2]!, uniform[i + 3]!) ?? 0; return s; },
    () => { let s = 0; for (let i = 0; i < LOOKUPS; i++) s += uniformMap.get(uniformKeys[i]!) ?? 0; return s; },
  ));
  console.log(
    `  memory                                   ${fmt(tableBytes / table.size, 1)} B/prefix            Map     ${fmt(mapBytes / insideMap.size, 1)} B/entry         ratio ${fmt(mapBytes / insideMap.size / (tableBytes / table.size))}`,
  );
}

console.log(`Loci LPM tables, seed ${SEED}, Node ${process.version} ${process.arch}; ratio > 1: the table is ahead of the Map`);
if (PHASE !== 'updates') {
  benchIpv4();
  benchIpv6();
}
if (PHASE !== 'lookups') benchUpdates(UPDATE_SIZES);
