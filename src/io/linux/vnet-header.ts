// struct virtio_net_hdr (linux/virtio_net.h), which a TUN device opened with IFF_VNET_HDR puts
// before every packet it reads and expects before every packet written: it carries TCP
// segmentation (GSO) and checksum offload between the kernel and the packet loop. Fields are
// little-endian (x86 and arm64 hosts).

export const VNET_HEADER_LENGTH = 10;

/** flags: the checksum from csumStart to the end is still to be computed, into csumStart + csumOffset. */
export const VNET_F_NEEDS_CSUM = 1;

/** gsoType values. */
export const VNET_GSO_NONE = 0;
export const VNET_GSO_TCPV4 = 1;
export const VNET_GSO_TCPV6 = 4;
/** Or'ed into gsoType: the TCP segments carry ECN CWR. */
export const VNET_GSO_ECN = 0x80;

export interface VnetHeader {
  flags: number;
  gsoType: number;
  /** Bytes of headers (IP + TCP) before the payload. */
  hdrLength: number;
  /** Payload bytes per segment. */
  gsoSize: number;
  csumStart: number;
  csumOffset: number;
}

export const emptyVnetHeader = (): VnetHeader => ({ flags: 0, gsoType: VNET_GSO_NONE, hdrLength: 0, gsoSize: 0, csumStart: 0, csumOffset: 0 });

/** Reads the header at b[at..at+10) into h. */
export function readVnetHeader(b: Uint8Array, at: number, h: VnetHeader): void {
  h.flags = b[at]!;
  h.gsoType = b[at + 1]!;
  h.hdrLength = b[at + 2]! | (b[at + 3]! << 8);
  h.gsoSize = b[at + 4]! | (b[at + 5]! << 8);
  h.csumStart = b[at + 6]! | (b[at + 7]! << 8);
  h.csumOffset = b[at + 8]! | (b[at + 9]! << 8);
}

/** Writes h at b[at..at+10). */
export function writeVnetHeader(b: Uint8Array, at: number, h: VnetHeader): void {
  b[at] = h.flags;
  b[at + 1] = h.gsoType;
  put16le(b, at + 2, h.hdrLength);
  put16le(b, at + 4, h.gsoSize);
  put16le(b, at + 6, h.csumStart);
  put16le(b, at + 8, h.csumOffset);
}

function put16le(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = v >>> 8;
}
