// Inner (EID) packets for the data-plane tests: IPv4 or IPv6 UDP with valid checksums.
import { ipHeaderLength, writeIpHeader, writeUdpHeader, type IpHeader } from '../../../src/packet/ip-header.js';

export interface InnerOptions {
  sport?: number;
  dport?: number;
  /** Whole packet length (header included); default 100. */
  size?: number;
  df?: boolean;
  ttl?: number;
}

export function innerPacket(src: string, dst: string, o: InnerOptions = {}): Buffer {
  const ttl = o.ttl ?? 64;
  const ip: IpHeader = src.includes(':')
    ? { version: 6, trafficClass: 0, flowLabel: 0, hopLimit: ttl, src, dst }
    : { version: 4, tos: 0, identification: 1, flags: o.df ? 2 : 0, fragmentOffset: 0, ttl, src, dst };
  const header = ipHeaderLength(ip);
  const size = o.size ?? 100;
  const buf = Buffer.alloc(size);
  writeIpHeader(ip, size - header, buf, 0);
  writeUdpHeader({ sport: o.sport ?? 40000, dport: o.dport ?? 7 }, ip, size - header - 8, buf, header, 0);
  return buf;
}
