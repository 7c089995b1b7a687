// "Packet too big" answers for inner packets that would not fit the underlay once encapsulated
// (RFC 9300 section 7.1): ICMPv4 Fragmentation Needed (type 3 code 4) or ICMPv6 Packet Too Big
// (type 2), quoting the packet, built into out[outOffset...] to be written to the TUN device.
//
// ICMPv4 comes from 192.0.0.8 (RFC 7600, the address for ICMP from a node without a usable
// source); ICMPv6 from the destination the packet was sent to.

import { checksumOf, internetChecksum, pseudoHeaderSum, viewOf } from '../packet/checksum.js';

const IPV4_DUMMY = [192, 0, 0, 8];
/** IPv6 minimum MTU: an ICMPv6 error must fit it (RFC 4443 section 2.4). */
const IPV6_MIN_MTU = 1280;

/** Whether the IPv4 packet has DF set (IPv6 packets are never fragmented on the way). */
export function mayNotFragment(buf: Uint8Array, offset: number): boolean {
  return buf[offset]! >>> 4 === 6 || (buf[offset + 6]! & 0x40) !== 0;
}

/** Builds the ICMP error telling the sender of the packet at buf[offset..offset+length) to use mtu; returns its length. */
export function tooBig(buf: Uint8Array, offset: number, length: number, mtu: number, out: Uint8Array, outOffset: number): number {
  return buf[offset]! >>> 4 === 4 ? fragmentationNeeded(buf, offset, length, mtu, out, outOffset) : packetTooBig(buf, offset, length, mtu, out, outOffset);
}

function fragmentationNeeded(buf: Uint8Array, offset: number, length: number, mtu: number, out: Uint8Array, o: number): number {
  const quoted = Math.min(length, (buf[offset]! & 15) * 4 + 8);
  const total = 20 + 8 + quoted;
  out.fill(0, o, o + 28);
  out[o] = 0x45;
  put16(out, o + 2, total);
  out[o + 8] = 64;
  out[o + 9] = 1;
  out.set(IPV4_DUMMY, o + 12);
  out.set(buf.subarray(offset + 12, offset + 16), o + 16);
  put16(out, o + 10, internetChecksum(out, o, o + 20, 0));
  out[o + 20] = 3;
  out[o + 21] = 4;
  put16(out, o + 26, mtu);
  out.set(buf.subarray(offset, offset + quoted), o + 28);
  put16(out, o + 22, internetChecksum(out, o + 20, o + 28 + quoted, 0));
  return total;
}

function packetTooBig(buf: Uint8Array, offset: number, length: number, mtu: number, out: Uint8Array, o: number): number {
  const quoted = Math.min(length, IPV6_MIN_MTU - 48);
  const icmpLength = 8 + quoted;
  out.fill(0, o, o + 48);
  out[o] = 0x60;
  put16(out, o + 4, icmpLength);
  out[o + 6] = 58;
  out[o + 7] = 64;
  out.set(buf.subarray(offset + 24, offset + 40), o + 8);
  out.set(buf.subarray(offset + 8, offset + 24), o + 24);
  out[o + 40] = 2;
  put16(out, o + 44, mtu >>> 16);
  put16(out, o + 46, mtu & 0xffff);
  out.set(buf.subarray(offset, offset + quoted), o + 48);
  const view = viewOf(out);
  put16(out, o + 42, checksumOf(view, o + 40, icmpLength, pseudoHeaderSum(view, o, 58, icmpLength)));
  return 40 + icmpLength;
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}
