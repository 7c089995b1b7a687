// A table keyed by (instance-id, address family, prefix): one LPM table per instance-id for IPv4 and
// IPv6, and one exact-match table per instance-id for MAC addresses. The map-cache, the local
// database and the Map-Server's site table are all EidTables.
import { Ipv4Lpm, Ipv6Lpm, type LpmEntry } from './lpm.js';
import { MacTable } from './mac-table.js';
import { makePrefix, type EidPrefix, type Family } from './prefix.js';

export interface TableEntry<V> {
  readonly prefix: EidPrefix;
  readonly value: V;
}

/** What EidTable needs from the table of one (instance-id, family). */
interface FamilyTable<V> {
  readonly size: number;
  set(address: Uint8Array, len: number, value: V): void;
  get(address: Uint8Array, len: number): V | undefined;
  delete(address: Uint8Array, len: number): boolean;
  match(address: Uint8Array, len: number): LpmEntry<V> | undefined;
  lessSpecifics(address: Uint8Array, len: number): LpmEntry<V>[];
  moreSpecifics(address: Uint8Array, len: number): IterableIterator<LpmEntry<V>>;
  entries(): IterableIterator<LpmEntry<V>>;
  uncoveredLength(address: Uint8Array): number;
}

const FAMILIES: readonly Family[] = ['ipv4', 'ipv6', 'mac'];

export class EidTable<V> {
  private readonly ipv4 = new Map<number, Ipv4Lpm<V>>();
  private readonly ipv6 = new Map<number, Ipv6Lpm<V>>();
  private readonly mac = new Map<number, MacTable<V>>();
  private count = 0;
  /** The IPv4 and IPv6 tables of the last instance-id looked up (a data plane mostly sees one). */
  private lastIid4 = -1;
  private last4: Ipv4Lpm<V> | undefined;
  private lastIid6 = -1;
  private last6: Ipv6Lpm<V> | undefined;

  get size(): number {
    return this.count;
  }

  set(p: EidPrefix, value: V): void {
    let t = this.table(p.family, p.iid);
    if (!t) {
      t = p.family === 'ipv4' ? new Ipv4Lpm<V>() : p.family === 'ipv6' ? new Ipv6Lpm<V>() : new MacTable<V>();
      this.tables(p.family).set(p.iid, t);
      this.lastIid4 = this.lastIid6 = -1;
    }
    const before = t.size;
    t.set(p.address, p.len, value);
    this.count += t.size - before;
  }

  /** The value of exactly this prefix. */
  get(p: EidPrefix): V | undefined {
    return this.table(p.family, p.iid)?.get(p.address, p.len);
  }

  delete(p: EidPrefix): boolean {
    const t = this.table(p.family, p.iid);
    if (!t?.delete(p.address, p.len)) return false;
    this.count--;
    if (t.size === 0) {
      this.tables(p.family).delete(p.iid);
      this.lastIid4 = this.lastIid6 = -1;
    }
    return true;
  }

  /** Longest match of an IPv4 address given as a 32-bit integer. */
  lookup4(iid: number, address: number): V | undefined {
    if (iid !== this.lastIid4) {
      this.last4 = this.ipv4.get(iid);
      this.lastIid4 = iid;
    }
    return this.last4?.lookup32(address);
  }

  /** lookup4 of addresses[0..count-1] into out[0..count-1] (see Ipv4Lpm.lookupMany). */
  lookup4Many(iid: number, addresses: ArrayLike<number>, out: (V | undefined)[], count = addresses.length): void {
    const t = this.ipv4.get(iid);
    if (t) t.lookupMany(addresses, out, count);
    else out.fill(undefined, 0, count);
  }

  /** Longest match of the IPv6 address at bytes[offset...]. */
  lookup6(iid: number, bytes: Uint8Array, offset = 0): V | undefined {
    if (iid !== this.lastIid6) {
      this.last6 = this.ipv6.get(iid);
      this.lastIid6 = iid;
    }
    return this.last6?.lookup(bytes, offset);
  }

  /** Exact match of the MAC address at bytes[offset...]. */
  lookupMac(iid: number, bytes: Uint8Array, offset = 0): V | undefined {
    return this.mac.get(iid)?.lookup(bytes, offset);
  }

  /** The longest stored prefix containing p, p itself included. */
  match(p: EidPrefix): TableEntry<V> | undefined {
    const e = this.table(p.family, p.iid)?.match(p.address, p.len);
    return e && toEntry(p.family, p.iid, e);
  }

  /** Stored prefixes containing p, p itself included, shortest first. */
  lessSpecifics(p: EidPrefix): TableEntry<V>[] {
    return (this.table(p.family, p.iid)?.lessSpecifics(p.address, p.len) ?? []).map((e) => toEntry(p.family, p.iid, e));
  }

  /** Stored prefixes inside p, p itself included, in prefix order. Do not change the table while iterating. */
  *moreSpecifics(p: EidPrefix): IterableIterator<TableEntry<V>> {
    const t = this.table(p.family, p.iid);
    if (!t) return;
    for (const e of t.moreSpecifics(p.address, p.len)) yield toEntry(p.family, p.iid, e);
  }

  /**
   * Every entry, by instance-id, then family (IPv4, IPv6, MAC), then prefix order (by address, a prefix
   * before its more-specifics). Do not change the table while iterating.
   */
  *entries(): IterableIterator<TableEntry<V>> {
    const iids = [...new Set([...this.ipv4.keys(), ...this.ipv6.keys(), ...this.mac.keys()])].sort((a, b) => a - b);
    for (const iid of iids) {
      for (const family of FAMILIES) {
        const t = this.table(family, iid);
        if (t) for (const e of t.entries()) yield toEntry(family, iid, e);
      }
    }
  }

  /**
   * The least-specific prefix containing p's address and no stored prefix (what a Map-Resolver or
   * Map-Server returns in a negative Map-Reply, RFC 9301 section 8.4), or undefined if a stored
   * prefix contains the address.
   */
  uncoveredPrefix(p: EidPrefix): EidPrefix | undefined {
    const t = this.table(p.family, p.iid);
    const len = t ? t.uncoveredLength(p.address) : 0;
    return len < 0 ? undefined : makePrefix(p.family, p.address, p.family === 'mac' ? 48 : len, p.iid);
  }

  private tables(family: Family): Map<number, FamilyTable<V>> {
    return family === 'ipv4' ? this.ipv4 : family === 'ipv6' ? this.ipv6 : this.mac;
  }

  private table(family: Family, iid: number): FamilyTable<V> | undefined {
    return this.tables(family).get(iid);
  }
}

function toEntry<V>(family: Family, iid: number, e: LpmEntry<V>): TableEntry<V> {
  return { prefix: { iid, family, address: e.address, len: e.len }, value: e.value };
}
