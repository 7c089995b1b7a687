// Named single-bit flags of a message's first 32-bit word.
import { encodeError } from './codec.js';

export type FlagTable = Readonly<Record<string, number>>;
export type Flags<T extends FlagTable> = { [K in keyof T]: boolean };

export function readFlags<T extends FlagTable>(word: number, table: T): Flags<T> {
  const out = {} as Record<string, boolean>;
  for (const k in table) out[k] = (word & table[k]!) !== 0;
  return out as Flags<T>;
}

export function writeFlags<T extends FlagTable>(value: Flags<T>, table: T): number {
  let w = 0;
  for (const k in table) if (value[k]) w |= table[k]!;
  return w >>> 0;
}

/** The bits of a word that no named flag or field covers: kept so messages re-encode exactly. */
export function reservedBits(word: number, mask: number): { reservedFlags?: number } {
  const r = (word & mask) >>> 0;
  return r ? { reservedFlags: r } : {};
}

export function checkReserved(value: number | undefined, mask: number, what: string): number {
  const v = value ?? 0;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff || (v & ~mask) !== 0) {
    encodeError(`${what}: reservedFlags 0x${v.toString(16)} outside mask 0x${mask.toString(16)}`);
  }
  return v;
}

/** Every flag of a table cleared: the start of a new message, e.g. `{ ...noFlags(MAP_REQUEST_FLAGS), probe: true }`. */
export function noFlags<T extends FlagTable>(table: T): Flags<T> {
  return readFlags(0, table);
}
