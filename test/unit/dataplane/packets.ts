// Inner (EID) packets for the data-plane tests: IPv4 or IPv6, UDP or TCP, with valid checksums.
import { internetChecksum, pseudoHeaderSum, viewOf } from '../../../src/packet/index.js';
import { ipHeaderLength, writeIpHeader, writeUdpHeader, type IpHeader } from '../../../src/packet/ip-header.js';

export interface InnerOptions {
  sport?: number;
  dport?: number;
  /** Whole packet length (header included); default 100. */
  size?: number;
  df?: boolean;
  ttl?: number;
  /** IPv4 TOS or IPv6 traffic class (DSCP and ECN). */
  tos?: number;
}

export function innerPacket(src: string, dst: string, o: InnerOptions = {}): Buffer {
  const ttl = o.ttl ?? 64;
  const ip: IpHeader = src.includes(':')
    ? { version: 6, trafficClass: o.tos ?? 0, flowLabel: 0, hopLimit: ttl, src, dst }
    : { version: 4, tos: o.tos ?? 0, identification: 1, flags: o.df ? 2 : 0, fragmentOffset: 0, ttl, src, dst };
  const header = ipHeaderLength(ip);
  const size = o.size ?? 100;
  const buf = Buffer.alloc(size);
  writeIpHeader(ip, size - header, buf, 0);
  writeUdpHeader({ sport: o.sport ?? 40000, dport: o.dport ?? 7 }, ip, size - header - 8, buf, header, 0);
  return buf;
}

export interface TcpOptions {
  payload: Buffer;
  seq?: number;
  ack?: number;
  /** TCP flags byte; default ACK (0x10). */
  flags?: number;
  /** TCP options (a multiple of 4 bytes), e.g. a timestamp. */
  options?: Buffer;
  window?: number;
  id?: number;
}

/** An IPv4 (DF set) or IPv6 TCP packet with valid checksums. */
export function tcpPacket(src: string, dst: string, o: TcpOptions): Buffer {
  const v6 = src.includes(':');
  const options = o.options ?? Buffer.alloc(0);
  const tcpLength = 20 + options.length + o.payload.length;
  const ip: IpHeader = v6
    ? { version: 6, trafficClass: 0, flowLabel: 0, hopLimit: 64, src, dst }
    : { version: 4, tos: 0, identification: o.id ?? 7, flags: 2, fragmentOffset: 0, ttl: 64, src, dst };
  const ipLength = ipHeaderLength(ip);
  const buf = Buffer.alloc(ipLength + tcpLength);
  writeIpHeader(ip, tcpLength, buf, 0);
  buf[v6 ? 6 : 9] = 6;
  if (!v6) {
    buf.writeUInt16BE(0, 10);
    buf.writeUInt16BE(internetChecksum(buf, 0, 20, 0), 10);
  }
  const t = ipLength;
  buf.writeUInt16BE(40000, t);
  buf.writeUInt16BE(5201, t + 2);
  buf.writeUInt32BE(o.seq ?? 1000, t + 4);
  buf.writeUInt32BE(o.ack ?? 5000, t + 8);
  buf[t + 12] = ((20 + options.length) / 4) << 4;
  buf[t + 13] = o.flags ?? 0x10;
  buf.writeUInt16BE(o.window ?? 512, t + 14);
  options.copy(buf, t + 20);
  o.payload.copy(buf, t + 20 + options.length);
  buf.writeUInt16BE(internetChecksum(buf, t, buf.length, pseudoSum(buf, tcpLength)), t + 16);
  return buf;
}

/** The pseudo-header sum of the packet in buf (addresses, its protocol, and length). */
export function pseudoSum(buf: Buffer, length: number): number {
  return pseudoHeaderSum(viewOf(buf), 0, buf[buf[0]! >>> 4 === 6 ? 6 : 9]!, length);
}

/** Whether the TCP checksum of the whole packet in buf verifies. */
export function tcpChecksumOk(buf: Buffer): boolean {
  const ipLength = buf[0]! >>> 4 === 6 ? 40 : (buf[0]! & 15) * 4;
  return internetChecksum(buf, ipLength, buf.length, pseudoSum(buf, buf.length - ipLength)) === 0;
}
