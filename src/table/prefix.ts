// EID-prefixes: (instance-id, address family, address bytes, length), with text forms
// "198.18.0.0/15", "2001:db8::/32", "02:00:5e:00:53:01" and an optional instance-id "[1000]198.18.1.0/24".

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
  const bytes = family === 'ipv4' ? parseIpv4(text) : family === 'ipv6' ? parseIpv6(text) : parseMac(text);
  if (!bytes) throw new RangeError(`bad ${family} address "${text}"`);
  return bytes;
}

/** Dotted quad, RFC 5952 IPv6 text (IPv4-mapped as ::ffff:a.b.c.d), or colon-separated lower-case MAC. */
export function formatAddress(family: Family, a: Uint8Array): string {
  if (family === 'ipv4') return `${a[0]}.${a[1]}.${a[2]}.${a[3]}`;
  if (family === 'mac') return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join(':');
  const groups = Array.from({ length: 8 }, (_, i) => (a[2 * i]! << 8) | a[2 * i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(groups);
  if (best === 0 && bestLen === 5 && groups[5] === 0xffff) return `::ffff:${formatAddress('ipv4', a.subarray(12))}`;
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
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

function parseMac(text: string): Uint8Array | undefined {
  if (!isMac(text)) return undefined;
  return Uint8Array.from(text.split(/[:-]/), (h) => parseInt(h, 16));
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return Uint8Array.from(parts, Number);
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string, last: boolean): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (last && i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >>> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}
