// Link-layer headers, by pcap LINKTYPE, down to the IP packet they carry.
//
// Ethernet (1):     dst 6 | src 6 | ethertype 2, optionally 802.1Q/802.1ad tags (TPID 2 | TCI 2) before it
// Linux SLL (113):  packet type 2 | ARPHRD 2 | address length 2 | address 8 | protocol 2   (16 bytes)
// Linux SLL2 (276): protocol 2 | reserved 2 | ifindex 4 | ARPHRD 2 | packet type 1 | address length 1
//                   | address 8   (20 bytes)
// Null (0), Loop (108): address family u32 in the capturing host's byte order (Loop: network order)

export interface IpPacket {
  version: 4 | 6;
  /** From the IP header to the end of the captured frame. */
  bytes: Buffer;
}

export const LinkType = {
  Null: 0,
  Ethernet: 1,
  RawDltBsd: 12,
  RawDltOpenBsd: 14,
  Raw: 101,
  Loop: 108,
  LinuxSll: 113,
  Ipv4: 228,
  Ipv6: 229,
  LinuxSll2: 276,
} as const;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TPIDS = new Set([0x8100, 0x88a8, 0x9100]);
const AF_INET = 2;
const AF_INET6 = new Set([10, 24, 28, 30]); // Linux, NetBSD/OpenBSD, FreeBSD, Darwin

/** The IP packet that an ethertype (or GRE protocol type) announces, or undefined for anything else. */
export function ipByEtherType(etherType: number, bytes: Buffer): IpPacket | undefined {
  if (etherType === ETHERTYPE_IPV4) return { version: 4, bytes };
  if (etherType === ETHERTYPE_IPV6) return { version: 6, bytes };
  return undefined;
}

function byEtherType(data: Buffer, typeOffset: number, payloadOffset: number): IpPacket | undefined {
  if (data.length < typeOffset + 2) return undefined;
  let etherType = data.readUInt16BE(typeOffset);
  let offset = payloadOffset;
  while (VLAN_TPIDS.has(etherType)) {
    if (data.length < offset + 4) return undefined;
    etherType = data.readUInt16BE(offset + 2);
    offset += 4;
  }
  return offset <= data.length ? ipByEtherType(etherType, data.subarray(offset)) : undefined;
}

function byVersionNibble(bytes: Buffer): IpPacket | undefined {
  const version = bytes.length > 0 ? bytes.readUInt8(0) >> 4 : 0;
  return version === 4 || version === 6 ? { version, bytes } : undefined;
}

function byAddressFamily(data: Buffer): IpPacket | undefined {
  if (data.length < 4) return undefined;
  const little = data.readUInt32LE(0);
  const family = little > 0xffff ? data.readUInt32BE(0) : little;
  if (family === AF_INET) return { version: 4, bytes: data.subarray(4) };
  if (AF_INET6.has(family)) return { version: 6, bytes: data.subarray(4) };
  return undefined;
}

/** The IP packet in a frame of the given link type, or undefined for non-IP or unsupported frames. */
export function ipPacketOf(linkType: number, data: Buffer): IpPacket | undefined {
  switch (linkType) {
    case LinkType.Ethernet:
      return byEtherType(data, 12, 14);
    case LinkType.LinuxSll:
      return byEtherType(data, 14, 16);
    case LinkType.LinuxSll2:
      return byEtherType(data, 0, 20);
    case LinkType.Null:
    case LinkType.Loop:
      return byAddressFamily(data);
    case LinkType.Raw:
    case LinkType.RawDltBsd:
    case LinkType.RawDltOpenBsd:
      return byVersionNibble(data);
    case LinkType.Ipv4:
      return { version: 4, bytes: data };
    case LinkType.Ipv6:
      return { version: 6, bytes: data };
    default:
      return undefined;
  }
}
