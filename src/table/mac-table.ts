// Exact-match table of MAC addresses: LISP layer-2 EIDs are whole 48-bit addresses, so the
// LPM operations reduce to exact matches.
import type { LpmEntry } from './lpm.js';

export class MacTable<V> {
  private readonly map = new Map<number, V>();

  get size(): number {
    return this.map.size;
  }

  set(address: Uint8Array, _len: number, value: V): void {
    this.map.set(macKey(address, 0), value);
  }

  get(address: Uint8Array): V | undefined {
    return this.map.get(macKey(address, 0));
  }

  delete(address: Uint8Array): boolean {
    return this.map.delete(macKey(address, 0));
  }

  lookup(bytes: Uint8Array, offset = 0): V | undefined {
    return this.map.get(macKey(bytes, offset));
  }

  match(address: Uint8Array): LpmEntry<V> | undefined {
    const key = macKey(address, 0);
    return this.map.has(key) ? entry(key, this.map.get(key) as V) : undefined;
  }

  lessSpecifics(address: Uint8Array): LpmEntry<V>[] {
    const e = this.match(address);
    return e ? [e] : [];
  }

  moreSpecifics(address: Uint8Array): IterableIterator<LpmEntry<V>> {
    return this.lessSpecifics(address).values();
  }

  /** In address order. */
  entries(): IterableIterator<LpmEntry<V>> {
    return [...this.map.keys()]
      .sort((a, b) => a - b)
      .map((key) => entry(key, this.map.get(key) as V))
      .values();
  }

  /** 48 when the address is absent (only the address itself is free of entries), else -1. */
  uncoveredLength(address: Uint8Array): number {
    return this.map.has(macKey(address, 0)) ? -1 : 48;
  }
}

/** The 48-bit address as an integer (exact in a double). */
function macKey(b: Uint8Array, o: number): number {
  return ((b[o]! << 8) | b[o + 1]!) * 0x100000000 + (((b[o + 2]! << 24) | (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!) >>> 0);
}

function entry<V>(key: number, value: V): LpmEntry<V> {
  const address = new Uint8Array(6);
  for (let i = 5, k = key; i >= 0; i--, k = Math.floor(k / 256)) address[i] = k % 256;
  return { address, len: 48, value };
}
