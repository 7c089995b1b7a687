// The update phase of bench/table.ts: dense runs of host prefixes (consecutive /32s from
// 198.18.0.0, the same under their covering /16s, consecutive /128s from 2001:db8::), inserted and
// then deleted back to empty in the same order, at several table sizes, each beside a Map with
// equivalent integer keys (the address; for IPv6 its words XORed) measured in the same run.
//
// Rates are medians over rounds that alternate between the table and the Map (about a million
// operations each per size). A last round times every single operation, both sides alike, and
// reports the longest one: the stalls that a rate averages away (a Map rehashes when it grows or
// shrinks).
import { Ipv4Lpm, Ipv6Lpm } from '../src/table/index.js';

/** A kind of dense run: how to insert and delete its prefix i, and its Map key. */
interface Run {
  readonly label: string;
  /** Sets up an empty table of this kind (with the run's covering prefixes, if any). */
  table(count: number): Ipv4Lpm<number> | Ipv6Lpm<number>;
  insert(t: Ipv4Lpm<number> | Ipv6Lpm<number>, i: number): void;
  delete(t: Ipv4Lpm<number> | Ipv6Lpm<number>, i: number): void;
  key(i: number): number;
}

const V4_BASE = 0xc6120000;
const bytes4 = new Uint8Array(4);
const bytes16 = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
const V6_KEY = 0x20010db8;

function load4(a: number): Uint8Array {
  bytes4[0] = a >>> 24;
  bytes4[1] = a >>> 16;
  bytes4[2] = a >>> 8;
  bytes4[3] = a;
  return bytes4;
}

function load6(i: number): Uint8Array {
  bytes16[12] = i >>> 24;
  bytes16[13] = i >>> 16;
  bytes16[14] = i >>> 8;
  bytes16[15] = i;
  return bytes16;
}

const RUNS: Run[] = [
  {
    label: '/32s from 198.18.0.0',
    table: () => new Ipv4Lpm<number>(),
    insert: (t, i) => t.set(load4(V4_BASE + i), 32, i),
    delete: (t, i) => t.delete(load4(V4_BASE + i), 32),
    key: (i) => V4_BASE + i,
  },
  {
    label: '/32s under their /16s',
    table: (count) => {
      const t = new Ipv4Lpm<number>();
      for (let i = 0; i < count; i += 65536) t.set(load4(V4_BASE + i), 16, -1);
      return t;
    },
    insert: (t, i) => t.set(load4(V4_BASE + i), 32, i),
    delete: (t, i) => t.delete(load4(V4_BASE + i), 32),
    key: (i) => V4_BASE + i,
  },
  {
    label: '/128s from 2001:db8::',
    table: () => new Ipv6Lpm<number>(),
    insert: (t, i) => t.set(load6(i), 128, i),
    delete: (t, i) => t.delete(load6(i), 128),
    key: (i) => V6_KEY ^ i,
  },
];

const OPERATIONS = 1_000_000;

interface Timing {
  insertMs: number[];
  deleteMs: number[];
  insertMax: number;
  deleteMax: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** One round: count inserts then count deletes through the functions, timed as a whole or per operation. */
function round(count: number, insert: (i: number) => void, del: (i: number) => void, t: Timing, each: boolean): void {
  let start = performance.now();
  if (each) {
    for (let i = 0; i < count; i++) {
      const s = performance.now();
      insert(i);
      t.insertMax = Math.max(t.insertMax, performance.now() - s);
    }
  } else for (let i = 0; i < count; i++) insert(i);
  if (!each) t.insertMs.push(performance.now() - start);
  start = performance.now();
  if (each) {
    for (let i = 0; i < count; i++) {
      const s = performance.now();
      del(i);
      t.deleteMax = Math.max(t.deleteMax, performance.now() - s);
    }
  } else for (let i = 0; i < count; i++) del(i);
  if (!each) t.deleteMs.push(performance.now() - start);
}

const fmt = (x: number, digits = 2): string => x.toFixed(digits).padStart(7);

function line(op: string, count: number, ours: number[], map: number[], oursMax: number, mapMax: number, base: string): string {
  const o = median(ours);
  const m = median(map);
  return (
    `  ${op.padEnd(6)} ${fmt(count / o / 1000, 3)} M/s (${fmt((o * 1000) / count)} us, max ${fmt(oursMax)} ms)` +
    `   ${base.padEnd(10)} ${fmt(count / m / 1000)} M/s (max ${fmt(mapMax)} ms)   ratio ${fmt(m / o, 3)}`
  );
}

function benchRun(run: Run, count: number): void {
  const ours: Timing = { insertMs: [], deleteMs: [], insertMax: 0, deleteMax: 0 };
  const map: Timing = { insertMs: [], deleteMs: [], insertMax: 0, deleteMax: 0 };
  const rounds = Math.max(3, Math.ceil(OPERATIONS / count));
  for (let r = 0; r <= rounds; r++) {
    const each = r === rounds;
    const t = run.table(count);
    const before = t.size;
    round(count, (i) => run.insert(t, i), (i) => run.delete(t, i), ours, each);
    if (t.size !== before) throw new Error(`${run.label}: ${t.size - before} prefixes left`);
    const m = new Map<number, number>();
    round(count, (i) => m.set(run.key(i), i), (i) => m.delete(run.key(i)), map, each);
  }
  console.log(`${run.label}: ${count}, ${rounds} rounds`);
  console.log(line('insert', count, ours.insertMs, map.insertMs, ours.insertMax, map.insertMax, 'Map.set'));
  console.log(line('delete', count, ours.deleteMs, map.deleteMs, ours.deleteMax, map.deleteMax, 'Map.delete'));
}

/** The update phase, at these table sizes. */
export function benchUpdates(sizes: readonly number[]): void {
  console.log('Dense updates: consecutive prefixes inserted, then deleted in the same order (max: the longest single operation)');
  for (const run of RUNS) for (const count of sizes) benchRun(run, count);
}
