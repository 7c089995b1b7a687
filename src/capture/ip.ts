// IP layer down to UDP: IPv4 (options, fragments), IPv6 (extension headers),
// and the GRE and IP-in-IP tunnels that may wrap the UDP datagram.
//
// IPv4:  0 version 4 | IHL 4 | ... | 2 total length | 6 flags 3 | fragment offset 13 | 9 protocol | 12 src | 16 dst
// IPv6:  0 version 4 | ... | 4 payload length | 6 next header | 8 src 16 | 24 dst 16 | 40 extension headers
//        hop-by-hop (0), routing (43), destination options (60): next 1 | length in 8-byte units, less one
//        fragment (44): next 1 | reserved 1 | offset 13 | flags 3 | id 4
// GRE:   0 C R K S s recursion 3 | flags 5 | version 3 | 2 protocol type
//        then checksum 2 + reserved 2 (if C), key 4 (if K), sequence number 4 (if S)
// UDP:   0 source port | 2 destination port | 4 length (header included) | 6 checksum
import type { UdpDatagram } from './types.js';
import { formatIpv4, formatIpv6 } from '../packet/ip-address.js';
import { ipByEtherType, ipPacketOf, LinkType, type IpPacket } from './link.js';

export type UdpSegment = Omit<UdpDatagram, 'frame' | 'timestampNs'>;

interface IpPayload {
  version: 4 | 6;
  protocol: number;
  src: string;
  dst: string;
  /** Bounded by the IP length field and the captured bytes. */
  payload: Buffer;
}

const PROTO_IPV4 = 4;
const PROTO_UDP = 17;
const PROTO_IPV6 = 41;
const PROTO_GRE = 47;
const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_DEST_OPTIONS = 60;
const GRE_CHECKSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;
const GRE_VERSION = 0x0007;
const ETHERTYPE_TRANSPARENT_ETHERNET = 0x6558;
const MAX_NESTING = 8;

/** Non-first fragments and malformed headers give undefined. */
function ipv4(bytes: Buffer): IpPayload | undefined {
  if (bytes.length < 20 || bytes.readUInt8(0) >> 4 !== 4) return undefined;
  const headerLength = (bytes.readUInt8(0) & 0x0f) * 4;
  const totalLength = bytes.readUInt16BE(2);
  if (headerLength < 20 || bytes.length < headerLength) return undefined;
  if (totalLength !== 0 && totalLength < headerLength) return undefined;
  if ((bytes.readUInt16BE(6) & 0x1fff) !== 0) return undefined;
  // Total length 0 is what TCP segmentation offload leaves in captures: trust the captured bytes.
  const end = totalLength === 0 ? bytes.length : Math.min(totalLength, bytes.length);
  return {
    version: 4,
    protocol: bytes.readUInt8(9),
    src: formatIpv4(bytes, 12),
    dst: formatIpv4(bytes, 16),
    payload: bytes.subarray(headerLength, end),
  };
}

function ipv6(bytes: Buffer): IpPayload | undefined {
  if (bytes.length < 40 || bytes.readUInt8(0) >> 4 !== 6) return undefined;
  const payloadLength = bytes.readUInt16BE(4);
  // Payload length 0 means a jumbogram: trust the captured bytes.
  const end = payloadLength === 0 ? bytes.length : Math.min(40 + payloadLength, bytes.length);
  let next = bytes.readUInt8(6);
  let offset = 40;
  while (next === IPV6_HOP_BY_HOP || next === IPV6_ROUTING || next === IPV6_DEST_OPTIONS || next === IPV6_FRAGMENT) {
    if (offset + 8 > end) return undefined;
    if (next === IPV6_FRAGMENT && bytes.readUInt16BE(offset + 2) >> 3 !== 0) return undefined;
    const length = next === IPV6_FRAGMENT ? 8 : (bytes.readUInt8(offset + 1) + 1) * 8;
    next = bytes.readUInt8(offset);
    offset += length;
  }
  if (offset > end) return undefined;
  return {
    version: 6,
    protocol: next,
    src: formatIpv6(bytes, 8),
    dst: formatIpv6(bytes, 24),
    payload: bytes.subarray(offset, end),
  };
}

/** Source-routed (RFC 1701) and enhanced (PPTP, version 1) GRE are not followed. */
function gre(bytes: Buffer): IpPacket | undefined {
  if (bytes.length < 4) return undefined;
  const flags = bytes.readUInt16BE(0);
  if (flags & (GRE_ROUTING | GRE_VERSION)) return undefined;
  let offset = 4;
  if (flags & GRE_CHECKSUM) offset += 4;
  if (flags & GRE_KEY) offset += 4;
  if (flags & GRE_SEQUENCE) offset += 4;
  if (offset > bytes.length) return undefined;
  const protocol = bytes.readUInt16BE(2);
  const payload = bytes.subarray(offset);
  if (protocol === ETHERTYPE_TRANSPARENT_ETHERNET) return ipPacketOf(LinkType.Ethernet, payload);
  return ipByEtherType(protocol, payload);
}

function udp(ip: IpPayload): UdpSegment | undefined {
  const segment = ip.payload;
  if (segment.length < 8) return undefined;
  const length = segment.readUInt16BE(4);
  if (length !== 0 && length < 8) return undefined;
  // Length 0 is an IPv6 jumbogram's: the IP layer bounds the datagram.
  const announced = length === 0 ? segment.length : length;
  const end = Math.min(announced, segment.length);
  return {
    ipVersion: ip.version,
    src: ip.src,
    dst: ip.dst,
    sport: segment.readUInt16BE(0),
    dport: segment.readUInt16BE(2),
    payload: segment.subarray(8, end),
    truncated: end < announced,
  };
}

/** The first UDP datagram in an IP packet, looking through GRE and IP-in-IP tunnels. */
export function udpOf(packet: IpPacket): UdpSegment | undefined {
  let current: IpPacket | undefined = packet;
  for (let depth = 0; current && depth < MAX_NESTING; depth++) {
    const ip: IpPayload | undefined = current.version === 4 ? ipv4(current.bytes) : ipv6(current.bytes);
    if (!ip) return undefined;
    if (ip.protocol === PROTO_UDP) return udp(ip);
    if (ip.protocol === PROTO_GRE) current = gre(ip.payload);
    else if (ip.protocol === PROTO_IPV4) current = { version: 4, bytes: ip.payload };
    else if (ip.protocol === PROTO_IPV6) current = { version: 6, bytes: ip.payload };
    else return undefined;
  }
  return undefined;
}
