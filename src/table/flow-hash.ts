// Per-flow hash of an inner packet (RFC 9300 section 12): the 5-tuple, or the addresses (and the
// IPv6 flow label) when there are no ports. It picks the RLOC (rloc-select.ts) and the outer UDP
// source port, so that a flow stays on one RLOC and one underlay path. MurmurHash3 mixing.

const TCP = 6;
const UDP = 17;
const SCTP = 132;

/** Hash of an IPv4 5-tuple (addresses as 32-bit integers), a 32-bit unsigned integer. */
export function flowHash4(src: number, dst: number, protocol: number, srcPort: number, dstPort: number): number {
  let h = mix(0, src);
  h = mix(h, dst);
  h = mix(h, (srcPort << 16) | dstPort);
  h = mix(h, protocol);
  return finish(h, 16);
}

/**
 * Hash of the flow of the IPv4 or IPv6 packet at packet[offset...]. Ports count for TCP, UDP and SCTP
 * (not in IPv4 fragments after the first, nor behind IPv6 extension headers); 0 if not IP.
 */
export function packetFlowHash(packet: Uint8Array, offset = 0): number {
  const version = packet[offset]! >>> 4;
  if (version === 4 && packet.length >= offset + 20) {
    const ihl = (packet[offset]! & 15) * 4;
    const protocol = packet[offset + 9]!;
    const fragmentOffset = ((packet[offset + 6]! & 0x1f) << 8) | packet[offset + 7]!;
    const ports = fragmentOffset === 0 ? portsAt(packet, offset + ihl, protocol) : 0;
    return flowHash4(word(packet, offset + 12), word(packet, offset + 16), protocol, ports >>> 16, ports & 0xffff);
  }
  if (version === 6 && packet.length >= offset + 40) {
    const protocol = packet[offset + 6]!;
    let h = mix(0, word(packet, offset) & 0xfffff);
    for (let o = offset + 8; o < offset + 40; o += 4) h = mix(h, word(packet, o));
    h = mix(h, portsAt(packet, offset + 40, protocol));
    h = mix(h, protocol);
    return finish(h, 44);
  }
  return 0;
}

/** Outer UDP source port for a flow hash: in the dynamic range 49152-65535 (RFC 6335). */
export function udpSourcePort(hash: number): number {
  return 0xc000 | (hash & 0x3fff);
}

/** Source and destination ports as srcPort << 16 | dstPort, or 0 when the protocol has none or they are cut off. */
function portsAt(packet: Uint8Array, at: number, protocol: number): number {
  if ((protocol !== TCP && protocol !== UDP && protocol !== SCTP) || packet.length < at + 4) return 0;
  return word(packet, at) >>> 0;
}

function word(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
