// Checks and changes on an inner (EID) IP packet in the hot path, without allocating: is it a
// whole IPv4 or IPv6 packet, its TTL and traffic class, and what decapsulation changes in them.

/** The IP version (4 or 6) of the packet at buf[offset..offset+length), or 0 when it is not a whole IP packet. */
export function ipVersion(buf: Uint8Array, offset: number, length: number): 0 | 4 | 6 {
  const v = buf[offset]! >>> 4;
  if (v === 4) {
    if (length < 20 || (buf[offset]! & 15) < 5) return 0;
    return ((buf[offset + 2]! << 8) | buf[offset + 3]!) === length ? 4 : 0;
  }
  if (v === 6) {
    if (length < 40) return 0;
    return 40 + ((buf[offset + 4]! << 8) | buf[offset + 5]!) === length ? 6 : 0;
  }
  return 0;
}

/** TTL (IPv4) or hop limit (IPv6). */
export function ttlOf(buf: Uint8Array, offset: number): number {
  return buf[offset]! >>> 4 === 4 ? buf[offset + 8]! : buf[offset + 7]!;
}

/**
 * Lowers the TTL or hop limit to at most ttl (RFC 9300 section 5.3: after decapsulation the inner
 * TTL is min(inner, outer)); fixes the IPv4 header checksum incrementally (RFC 1624).
 */
export function capTtl(buf: Uint8Array, offset: number, ttl: number): void {
  if (buf[offset]! >>> 4 === 6) {
    if (buf[offset + 7]! > ttl) buf[offset + 7] = ttl;
    return;
  }
  const old = buf[offset + 8]!;
  if (old <= ttl) return;
  buf[offset + 8] = ttl;
  // The TTL is the high byte of the 16-bit word TTL|protocol.
  adjustIpv4Checksum(buf, offset, old << 8, ttl << 8);
}

/**
 * Marks the packet Congestion Experienced (ECN 11), as decapsulation must when the outer header
 * carries CE (RFC 9300 section 5.3); fixes the IPv4 header checksum.
 */
export function markCongestion(buf: Uint8Array, offset: number): void {
  if (buf[offset]! >>> 4 === 6) {
    // The ECN bits are the low two bits of the traffic class: bits 4-5 of byte 1.
    buf[offset + 1] = buf[offset + 1]! | 0x30;
    return;
  }
  const old = buf[offset + 1]!;
  if ((old & 3) === 3) return;
  buf[offset + 1] = old | 3;
  // The TOS is the low byte of the 16-bit word version|IHL|TOS.
  adjustIpv4Checksum(buf, offset, old, old | 3);
}

/** Updates the IPv4 header checksum for a 16-bit word that changed from old to now (RFC 1624). */
function adjustIpv4Checksum(buf: Uint8Array, offset: number, old: number, now: number): void {
  let sum = (~((buf[offset + 10]! << 8) | buf[offset + 11]!) & 0xffff) + (~old & 0xffff) + now;
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  const check = ~sum & 0xffff;
  buf[offset + 10] = check >>> 8;
  buf[offset + 11] = check & 0xff;
}

/** The DSCP and ECN bits (IPv4 TOS, IPv6 traffic class). */
export function trafficClassOf(buf: Uint8Array, offset: number): number {
  return buf[offset]! >>> 4 === 4 ? buf[offset + 1]! : ((buf[offset]! & 15) << 4) | (buf[offset + 1]! >>> 4);
}

/** Whether the destination is unicast and routable: not multicast, broadcast or IPv6 link-local (the kernel's own chatter on the TUN device). */
export function unicastDestination(buf: Uint8Array, offset: number): boolean {
  if (buf[offset]! >>> 4 === 4) {
    const first = buf[offset + 16]!;
    return first < 224;
  }
  const first = buf[offset + 24]!;
  return first !== 0xff && !(first === 0xfe && (buf[offset + 25]! & 0xc0) === 0x80);
}
