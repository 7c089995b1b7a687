// Text <-> bytes for IPv4, IPv6 (RFC 5952 canonical text) and IEEE 802 MAC addresses.
import { isIP } from 'node:net';
import { encodeError } from './codec.js';

export function formatIpv4(buf: Buffer, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

export function writeIpv4(text: string, buf: Buffer, off: number): void {
  const parts = text.split('.');
  if (parts.length !== 4) encodeError(`bad IPv4 address "${text}"`);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    const n = Number(p);
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || n > 255) encodeError(`bad IPv4 address "${text}"`);
    buf[off + i] = n;
  }
}

const formatGroups = (groups: number[]): string => groups.map((g) => g.toString(16)).join(':');

export function formatIpv6(buf: Buffer, off: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(off + 2 * i));
  // Longest run (>= 2) of zero groups becomes "::" (RFC 5952 section 4.2).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return formatGroups(groups);
  if (bestStart === 0 && bestLen === 5 && groups[5] === 0xffff) {
    return `::ffff:${formatIpv4(buf, off + 12)}`; // IPv4-mapped keeps its dotted tail
  }
  return `${formatGroups(groups.slice(0, bestStart))}::${formatGroups(groups.slice(bestStart + bestLen))}`;
}

/** The 16-bit groups of one side of "::" (text is the whole address, for the error). */
function parseGroups(half: string | undefined, text: string): number[] {
  if (half === undefined || half === '') return [];
  return half.split(':').map((g) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) encodeError(`bad IPv6 address "${text}"`);
    return parseInt(g, 16);
  });
}

export function writeIpv6(text: string, buf: Buffer, off: number): void {
  let s = text;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    // A dotted IPv4 tail becomes its two hex groups.
    const v4 = Buffer.alloc(4);
    writeIpv4(s.slice(lastColon + 1), v4, 0);
    s = `${s.slice(0, lastColon + 1)}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) encodeError(`bad IPv6 address "${text}"`);
  const head = parseGroups(halves[0], text);
  const rest = parseGroups(halves[1], text);
  const explicit = head.length + rest.length;
  if (halves.length === 2 ? explicit > 7 : explicit !== 8) encodeError(`bad IPv6 address "${text}"`);
  const groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...rest];
  for (let i = 0; i < 8; i++) buf.writeUInt16BE(groups[i]!, off + 2 * i);
}

export function formatMac(buf: Buffer, off: number): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push(buf[off + i]!.toString(16).padStart(2, '0'));
  return out.join(':');
}

export function writeMac(text: string, buf: Buffer, off: number): void {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) encodeError(`bad MAC address "${text}"`);
  for (let i = 0; i < 6; i++) buf[off + i] = parseInt(parts[i]!, 16);
}

/** What kind of address that cannot be a locator this is, if any. */
function unusableKind(b: Buffer): string | undefined {
  if (b.every((x) => x === 0)) return 'unspecified';
  if (b.length === 4) {
    if (b[0]! >= 224 && b[0]! <= 239) return 'multicast';
    if (b.readUInt32BE(0) === 0xffffffff) return 'the limited broadcast';
    return b[0] === 169 && b[1] === 254 ? 'link-local' : undefined;
  }
  if (b[0] === 0xff) return 'multicast';
  return b[0] === 0xfe && (b[1]! & 0xc0) === 0x80 ? 'link-local' : undefined;
}

/**
 * Why text cannot be a locator (RLOC) on the wire, or undefined when it can: it must be an IPv4 or
 * IPv6 unicast address without a zone index, and not unspecified, multicast, the limited broadcast
 * or link-local (none of those reaches a peer as an outer destination).
 */
export function rlocProblem(text: string): string | undefined {
  if (text.includes('%')) return `"${text}" has a zone index, which cannot go on the wire`;
  const v = isIP(text);
  if (v === 0) return `"${text}" is not an IPv4 or IPv6 address`;
  const b = Buffer.alloc(v === 4 ? 4 : 16);
  try {
    (v === 4 ? writeIpv4 : writeIpv6)(text, b, 0);
  } catch {
    return `"${text}" is not an IPv4 or IPv6 address`;
  }
  const kind = unusableKind(b);
  return kind ? `"${text}" is ${kind}: not usable as a locator` : undefined;
}
