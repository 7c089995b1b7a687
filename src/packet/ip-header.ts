// IPv4 / IPv6 and UDP headers, as found inside an Encapsulated Control Message.
// Lengths and checksums are kept as received (so a message re-encodes exactly);
// when left undefined the encoder computes them.
import { checksumOf, internetChecksum, pseudoHeaderSum, viewOf } from './checksum.js';
import { checkUint, encodeError } from './codec.js';
import { IPPROTO_UDP } from './constants.js';
import { formatIpv4, formatIpv6, writeIpv4, writeIpv6 } from './ip-address.js';
import type { Reader } from './reader.js';

export interface Ipv4Header {
  version: 4;
  tos: number;
  totalLength?: number;
  identification: number;
  /** The 3 flag bits (reserved, DF, MF). */
  flags: number;
  fragmentOffset: number;
  ttl: number;
  checksum?: number;
  src: string;
  dst: string;
  /** Options, a multiple of 4 bytes. */
  options?: Buffer;
}

export interface Ipv6Header {
  version: 6;
  trafficClass: number;
  flowLabel: number;
  payloadLength?: number;
  hopLimit: number;
  src: string;
  dst: string;
}

export type IpHeader = Ipv4Header | Ipv6Header;

export interface UdpHeader {
  sport: number;
  dport: number;
  length?: number;
  checksum?: number;
}

export function readIpHeader(r: Reader): IpHeader {
  const at = r.pos;
  r.need(1, 'inner IP version');
  const version = r.buf[r.pos]! >>> 4;
  if (version === 4) {
    const b0 = r.u8('IPv4 header');
    const ihl = (b0 & 0xf) * 4;
    if (ihl < 20) r.fail('ERR_LISP_BAD_FIELD', `inner IPv4 header length ${ihl} < 20`, at);
    const h: Ipv4Header = {
      version: 4,
      tos: r.u8('IPv4 TOS'),
      totalLength: r.u16('IPv4 total length'),
      identification: r.u16('IPv4 identification'),
      flags: 0,
      fragmentOffset: 0,
      ttl: 0,
      src: '',
      dst: '',
    };
    const frag = r.u16('IPv4 fragment');
    h.flags = frag >>> 13;
    h.fragmentOffset = frag & 0x1fff;
    h.ttl = r.u8('IPv4 TTL');
    if (r.u8('IPv4 protocol') !== IPPROTO_UDP) r.fail('ERR_LISP_BAD_FIELD', 'inner IPv4 packet is not UDP', at + 9);
    h.checksum = r.u16('IPv4 checksum');
    r.need(8, 'IPv4 addresses');
    h.src = formatIpv4(r.buf, r.pos);
    h.dst = formatIpv4(r.buf, r.pos + 4);
    r.pos += 8;
    if (ihl > 20) h.options = r.bytes(ihl - 20, 'IPv4 options');
    return h;
  }
  if (version === 6) {
    const w = r.u32('IPv6 header');
    const payloadLength = r.u16('IPv6 payload length');
    if (r.u8('IPv6 next header') !== IPPROTO_UDP) r.fail('ERR_LISP_BAD_FIELD', 'inner IPv6 packet is not UDP', at + 6);
    const hopLimit = r.u8('IPv6 hop limit');
    r.need(32, 'IPv6 addresses');
    const h: Ipv6Header = {
      version: 6,
      trafficClass: (w >>> 20) & 0xff,
      flowLabel: w & 0xfffff,
      payloadLength,
      hopLimit,
      src: formatIpv6(r.buf, r.pos),
      dst: formatIpv6(r.buf, r.pos + 16),
    };
    r.pos += 32;
    return h;
  }
  return r.fail('ERR_LISP_BAD_FIELD', `inner IP version ${version}`, at);
}

export const ipHeaderLength = (h: IpHeader): number => (h.version === 4 ? 20 + (h.options?.length ?? 0) : 40);

/** Writes the IP header for a UDP payload of udpLength bytes; the checksum is computed unless given. */
export function writeIpHeader(h: IpHeader, udpLength: number, buf: Buffer, off: number): number {
  if (h.version === 4) {
    const opt = h.options?.length ?? 0;
    if (opt % 4 !== 0 || opt > 40) encodeError(`IPv4 options must be a multiple of 4 bytes up to 40, got ${opt}`);
    buf[off] = 0x40 | ((20 + opt) / 4);
    buf[off + 1] = checkUint(h.tos, 8, 'IPv4 TOS');
    buf.writeUInt16BE(checkUint(h.totalLength ?? 20 + opt + udpLength, 16, 'IPv4 total length'), off + 2);
    buf.writeUInt16BE(checkUint(h.identification, 16, 'IPv4 identification'), off + 4);
    buf.writeUInt16BE((checkUint(h.flags, 3, 'IPv4 flags') << 13) | checkUint(h.fragmentOffset, 13, 'IPv4 fragment offset'), off + 6);
    buf[off + 8] = checkUint(h.ttl, 8, 'IPv4 TTL');
    buf[off + 9] = IPPROTO_UDP;
    buf.writeUInt16BE(0, off + 10);
    writeIpv4(h.src, buf, off + 12);
    writeIpv4(h.dst, buf, off + 16);
    h.options?.copy(buf, off + 20);
    const end = off + 20 + opt;
    buf.writeUInt16BE(h.checksum ?? internetChecksum(buf, off, end, 0), off + 10);
    return end;
  }
  buf.writeUInt32BE(((6 << 28) | (checkUint(h.trafficClass, 8, 'IPv6 traffic class') << 20) | checkUint(h.flowLabel, 20, 'IPv6 flow label')) >>> 0, off);
  buf.writeUInt16BE(checkUint(h.payloadLength ?? udpLength, 16, 'IPv6 payload length'), off + 4);
  buf[off + 6] = IPPROTO_UDP;
  buf[off + 7] = checkUint(h.hopLimit, 8, 'IPv6 hop limit');
  writeIpv6(h.src, buf, off + 8);
  writeIpv6(h.dst, buf, off + 24);
  return off + 40;
}

export function readUdpHeader(r: Reader): UdpHeader {
  return { sport: r.u16('UDP source port'), dport: r.u16('UDP destination port'), length: r.u16('UDP length'), checksum: r.u16('UDP checksum') };
}

/** Writes the UDP header in front of a payload already in place at off + 8 .. off + 8 + payloadLength. */
export function writeUdpHeader(u: UdpHeader, ip: IpHeader, payloadLength: number, buf: Buffer, off: number, ipOff: number): number {
  const len = 8 + payloadLength;
  buf.writeUInt16BE(checkUint(u.sport, 16, 'UDP source port'), off);
  buf.writeUInt16BE(checkUint(u.dport, 16, 'UDP destination port'), off + 2);
  buf.writeUInt16BE(checkUint(u.length ?? len, 16, 'UDP length'), off + 4);
  buf.writeUInt16BE(0, off + 6);
  const sum = u.checksum ?? udpChecksum(buf, ipOff, off, off + len);
  buf.writeUInt16BE(sum, off + 6);
  return off + len;
}

/** The UDP checksum of buf[start..end), behind the IP header written at ipOff. */
function udpChecksum(buf: Buffer, ipOff: number, start: number, end: number): number {
  const view = viewOf(buf);
  const c = checksumOf(view, start, end - start, pseudoHeaderSum(view, ipOff, IPPROTO_UDP, end - start));
  return c === 0 ? 0xffff : c;
}
