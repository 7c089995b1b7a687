// Classic libpcap files of IPv4 / IPv6 UDP datagrams, with correct IPv4 header and
// UDP checksums, so Loci-made packets can be read by tshark, tcpdump and Loci itself.
// Layout as in pcap.ts: little-endian, microsecond timestamps, version 2.4.
import { LispError } from '../packet/errors.js';
import { ipHeaderLength, writeIpHeader, writeUdpHeader, type IpHeader } from '../packet/ip-header.js';
import { LinkType } from './link.js';

/** A UDP datagram to write; the IP version follows from the addresses. */
export interface OutgoingDatagram {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Buffer;
  /** Nanoseconds since the Unix epoch; 0 when absent. */
  timestampNs?: bigint;
}

export type PcapLinkType = typeof LinkType.Raw | typeof LinkType.Ethernet;

const MAGIC_MICRO = 0xa1b2c3d4;
const SNAPLEN = 262144;
const TTL = 64;
const ETHERNET_HEADER = 14;
// Locally administered unicast MACs: the frames never leave the file.
const ETHERNET_DST = Buffer.from('020000000002', 'hex');
const ETHERNET_SRC = Buffer.from('020000000001', 'hex');

function ipHeaderFor(d: OutgoingDatagram): IpHeader {
  const v6 = d.src.includes(':');
  if (v6 !== d.dst.includes(':')) throw new LispError('ERR_LISP_ENCODE', `mixed address families: ${d.src} -> ${d.dst}`);
  return v6
    ? { version: 6, trafficClass: 0, flowLabel: 0, hopLimit: TTL, src: d.src, dst: d.dst }
    : { version: 4, tos: 0, identification: 0, flags: 0, fragmentOffset: 0, ttl: TTL, src: d.src, dst: d.dst };
}

/** The IP packet (IP header, UDP header, payload) that carries the datagram. */
export function ipUdpPacket(d: OutgoingDatagram): Buffer {
  const ip = ipHeaderFor(d);
  const udpOffset = ipHeaderLength(ip);
  const udpLength = 8 + d.payload.length;
  if (udpLength > 0xffff) throw new LispError('ERR_LISP_ENCODE', `UDP payload of ${d.payload.length} bytes is too long`);
  const buf = Buffer.alloc(udpOffset + udpLength);
  writeIpHeader(ip, udpLength, buf, 0);
  d.payload.copy(buf, udpOffset + 8);
  writeUdpHeader({ sport: d.sport, dport: d.dport }, ip, d.payload.length, buf, udpOffset, 0);
  return buf;
}

function frameOf(d: OutgoingDatagram, linkType: PcapLinkType): Buffer {
  const packet = ipUdpPacket(d);
  if (linkType === LinkType.Raw) return packet;
  const ethernet = Buffer.alloc(ETHERNET_HEADER);
  ETHERNET_DST.copy(ethernet, 0);
  ETHERNET_SRC.copy(ethernet, 6);
  ethernet.writeUInt16BE(packet[0]! >>> 4 === 6 ? 0x86dd : 0x0800, 12);
  return Buffer.concat([ethernet, packet]);
}

/** A whole pcap file holding one frame per datagram, in order. */
export function writePcap(datagrams: readonly OutgoingDatagram[], linkType: PcapLinkType = LinkType.Raw): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(MAGIC_MICRO, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(SNAPLEN, 16);
  header.writeUInt32LE(linkType, 20);
  const records = datagrams.flatMap((d) => {
    const frame = frameOf(d, linkType);
    const ns = d.timestampNs ?? 0n;
    const record = Buffer.alloc(16);
    record.writeUInt32LE(Number(ns / 1_000_000_000n), 0);
    record.writeUInt32LE(Number((ns % 1_000_000_000n) / 1000n), 4);
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    return [record, frame];
  });
  return Buffer.concat([header, ...records]);
}
