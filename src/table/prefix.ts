// EID-prefixes: (instance-id, address family, address bytes, length), with text forms
// "198.18.0.0/15", "2001:db8::/32", "02:00:5e:00:53:01" and an optional instance-id "[1000]198.18.1.0/24".
import { formatIpv4, formatIpv6, formatMac, writeIpv4, writeIpv6, writeMac } from '../packet/ip-address.js';

export type Family = 'ipv4' | 'ipv6' | 'mac';

export const FAMILY_BYTES: Readonly<Record<Family, number>> = { ipv4: 4, ipv6: 16, mac: 6 };

export interface EidPrefix {
  /** Instance-id (24 bits in the data plane, 32 in LCAF). */
  readonly iid: number;
  readonly family: Family;
  /** Network byte order, host bits zero. MAC prefixes are always 48 bits long. */
  readonly address: Uint8Array;
  readonly len: number;
}

/** Builds a prefix from a copy of the address, clearing its host bits; len defaults to a host prefix. */
export function makePrefix(family: Family, address: Uint8Array, len = FAMILY_BYTES[family] * 8, iid = 0): EidPrefix {
  const bytes = FAMILY_BYTES[family];
  if (address.length !== bytes) throw new RangeError(`${family} address needs ${bytes} bytes, got ${address.length}`);
  if (!Number.isInteger(len) || len < 0 || len > bytes * 8 || (family === 'mac' && len !== 48)) {
    throw new RangeError(`bad ${family} prefix length ${len}`);
  }
  if (!Number.isInteger(iid) || iid < 0 || iid > 0xffffffff) throw new RangeError(`bad instance-id ${iid}`);
  const copy = Uint8Array.from(address);
  clearHostBits(copy, len);
  return { iid, family, address: copy, len };
}

/** Parses "[iid]address/len" (instance-id and length optional; without a length, a host prefix). */
export function parsePrefix(text: string): EidPrefix {
  const m = /^(?:\[(\d+)\])?([^/]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  if (!m) throw new RangeError(`bad EID-prefix "${text}"`);
  const address = m[2]!;
  const family: Family = address.includes('.') && !address.includes(':') ? 'ipv4' : isMac(address) ? 'mac' : 'ipv6';
  const bytes = parseAddress(family, address);
  const len = m[3] === undefined ? bytes.length * 8 : Number(m[3]);
  const prefix = makePrefix(family, bytes, len, m[1] === undefined ? 0 : Number(m[1]));
  if (!prefix.address.every((b, i) => b === bytes[i])) throw new RangeError(`EID-prefix "${text}" has host bits set`);
  return prefix;
}

/** "[iid]address/len"; the instance-id only when not 0, the length not for MAC addresses. */
export function formatPrefix(p: EidPrefix): string {
  const iid = p.iid === 0 ? '' : `[${p.iid}]`;
  const len = p.family === 'mac' ? '' : `/${p.len}`;
  return `${iid}${formatAddress(p.family, p.address)}${len}`;
}

export function parseAddress(family: Family, text: string): Uint8Array {
  const bytes = Buffer.alloc(FAMILY_BYTES[family]);
  try {
    (family === 'ipv4' ? writeIpv4 : family === 'ipv6' ? writeIpv6 : writeMac)(text, bytes, 0);
  } catch {
    throw new RangeError(`bad ${family} address "${text}"`);
  }
  return bytes;
}

/** Dotted quad, RFC 5952 IPv6 text (IPv4-mapped as ::ffff:a.b.c.d), or colon-separated lower-case MAC. */
export function formatAddress(family: Family, a: Uint8Array): string {
  const b = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return family === 'ipv4' ? formatIpv4(b, 0) : family === 'ipv6' ? formatIpv6(b, 0) : formatMac(b, 0);
}

/** Whether outer contains inner (same instance-id and family, outer no longer, same leading bits). */
export function prefixContains(outer: EidPrefix, inner: EidPrefix): boolean {
  if (outer.iid !== inner.iid || outer.family !== inner.family || outer.len > inner.len) return false;
  const full = outer.len >>> 3;
  for (let i = 0; i < full; i++) if (outer.address[i] !== inner.address[i]) return false;
  const rest = outer.len & 7;
  return rest === 0 || ((outer.address[full]! ^ inner.address[full]!) & (0xff << (8 - rest)) & 0xff) === 0;
}

export function prefixEquals(a: EidPrefix, b: EidPrefix): boolean {
  return a.len === b.len && prefixContains(a, b);
}

function clearHostBits(a: Uint8Array, len: number): void {
  for (let i = 0; i < a.length; i++) {
    const keep = len - 8 * i;
    if (keep <= 0) a[i] = 0;
    else if (keep < 8) a[i]! &= 0xff << (8 - keep);
  }
}

function isMac(text: string): boolean {
  return /^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(text);
}

