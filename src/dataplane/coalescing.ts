// The decap side of the TUN device's offloads: GRO in user space. Decapsulated packets go to a
// TUN device opened with a virtio_net_hdr. Consecutive in-order TCP segments of one flow (same
// addresses, ports, ACK, window and options, ACK-only flags, full-size segments with valid
// checksums) are merged into one packet of up to 64 KB, written once with gsoType TCPv4/TCPv6, the
// segment size and a partial checksum: the kernel takes the whole run in one write() and hands it
// on as one GSO packet, as its own GRO would. Anything else is written alone, in arrival order.
import { checksumOf, fold, onesSum, pseudoHeaderSum, viewOf } from '../packet/checksum.js';
import { emptyVnetHeader, VNET_F_NEEDS_CSUM, VNET_GSO_TCPV4, VNET_GSO_TCPV6, VNET_HEADER_LENGTH, writeVnetHeader } from '../io/linux/vnet-header.js';
import { C, type DataCounters } from './counters.js';
import type { TunWriter } from './pipeline.js';

const V = VNET_HEADER_LENGTH;
const MAX_PACKET = 65535;
const PROTO_TCP = 6;
const TCP_ACK = 0x10;
const TCP_PSH = 0x08;

export class CoalescingTunWriter implements TunWriter {
  private readonly out = Buffer.alloc(V + MAX_PACKET);
  private readonly view = viewOf(this.out);
  private readonly header = emptyVnetHeader();
  private input: Uint8Array | undefined;
  private inputView: DataView | undefined;
  /** The pending merged packet at out[V..V+length): its segments (0: none), IP and IP+TCP header lengths, segment size, next sequence number. */
  private count = 0;
  private length = 0;
  private ipLength = 0;
  private headers = 0;
  private mss = 0;
  private nextSeq = 0;

  constructor(
    /** Writes one whole buffer (virtio_net_hdr and packet) to the TUN device. */
    private readonly tun: TunWriter,
    /** Merge TCP segments (false: every packet is written alone). */
    private readonly coalesce: boolean,
    /** decap.coalesced counts the segments merged into another's write; decap.write-error the merged ones the device refused. */
    private readonly counters: DataCounters,
  ) {}

  write(buf: Buffer, offset: number, length: number): boolean {
    if (this.coalesce) {
      if (this.count > 0 && this.join(buf, offset, length)) return true;
      this.flush();
      if (this.start(buf, offset, length)) return true;
    }
    this.out.fill(0, 0, V);
    buf.copy(this.out, V, offset, offset + length);
    return this.tun.write(this.out, 0, V + length);
  }

  /** Writes the pending merged packet. */
  flush(): void {
    if (this.count === 0) return;
    const h = this.header;
    if (this.count === 1) {
      h.flags = h.gsoType = h.hdrLength = h.gsoSize = h.csumStart = h.csumOffset = 0;
    } else {
      const { view, ipLength, length } = this;
      const version = this.out[V]! >>> 4;
      if (version === 4) {
        view.setUint16(V + 2, length);
        view.setUint16(V + 10, 0);
        view.setUint16(V + 10, checksumOf(view, V, ipLength, 0));
      } else view.setUint16(V + 4, length - 40);
      // A partial checksum: the pseudo-header sum, for the kernel to complete per segment.
      view.setUint16(V + ipLength + 16, fold(pseudoHeaderSum(view, V, PROTO_TCP, length - ipLength)));
      h.flags = VNET_F_NEEDS_CSUM;
      h.gsoType = version === 4 ? VNET_GSO_TCPV4 : VNET_GSO_TCPV6;
      h.hdrLength = this.headers;
      h.gsoSize = this.mss;
      h.csumStart = ipLength;
      h.csumOffset = 16;
    }
    writeVnetHeader(this.out, 0, h);
    if (this.tun.write(this.out, 0, V + this.length)) this.counters.inc(C['decap.coalesced'], this.count - 1);
    else this.counters.inc(C['decap.write-error'], this.count);
    this.count = 0;
  }

  /** Begins a merge with an ACK-only TCP segment carrying data; false when it cannot begin one. */
  private start(buf: Buffer, at: number, length: number): boolean {
    const version = buf[at]! >>> 4;
    let ipLength: number;
    if (version === 4) {
      // No options, DF set and not a fragment.
      if (buf[at] !== 0x45 || buf[at + 9] !== PROTO_TCP || (buf[at + 6]! & 0xbf) !== 0 || buf[at + 7] !== 0 || !(buf[at + 6]! & 0x40)) return false;
      ipLength = 20;
    } else {
      if (buf[at + 6] !== PROTO_TCP) return false;
      ipLength = 40;
    }
    const tcp = at + ipLength;
    const headers = ipLength + (buf[tcp + 12]! >>> 4) * 4;
    if (length <= headers || length > MAX_PACKET || buf[tcp + 13] !== TCP_ACK || !this.validTcp(buf, at, ipLength, length)) return false;
    buf.copy(this.out, V, at, at + length);
    this.count = 1;
    this.length = length;
    this.ipLength = ipLength;
    this.headers = headers;
    this.mss = length - headers;
    this.nextSeq = (this.view.getUint32(V + ipLength + 4) + this.mss) >>> 0;
    return true;
  }

  /** Appends the next segment of the pending flow; false when it does not continue it. */
  private join(buf: Buffer, at: number, length: number): boolean {
    const { out, ipLength, headers } = this;
    const n = length - headers;
    const tcp = at + ipLength;
    const flags = buf[tcp + 13];
    if (
      n <= 0 ||
      n > this.mss ||
      this.length + n > MAX_PACKET ||
      (flags !== TCP_ACK && flags !== (TCP_ACK | TCP_PSH)) ||
      buf[at]! !== out[V]! ||
      !sameIpHeader(buf, at, out, V, ipLength) ||
      !sameTcpHeader(buf, tcp, out, V + ipLength, headers - ipLength) ||
      this.inputViewOf(buf).getUint32(tcp + 4) !== this.nextSeq ||
      !this.validTcp(buf, at, ipLength, length)
    ) {
      return false;
    }
    buf.copy(out, V + this.length, at + headers, at + length);
    this.length += n;
    this.nextSeq = (this.nextSeq + n) >>> 0;
    this.count++;
    if (flags !== TCP_ACK) out[V + ipLength + 13] = flags;
    // A short segment or a push ends the run, as in the kernel's GRO.
    if (n < this.mss || flags !== TCP_ACK) this.flush();
    return true;
  }

  /** Whether the TCP checksum of the packet verifies (merging replaces it with one the kernel computes). */
  private validTcp(buf: Buffer, at: number, ipLength: number, length: number): boolean {
    const view = this.inputViewOf(buf);
    const tcpLength = length - ipLength;
    return fold(onesSum(view, at + ipLength, tcpLength, pseudoHeaderSum(view, at, PROTO_TCP, tcpLength))) === 0xffff;
  }

  private inputViewOf(buf: Buffer): DataView {
    if (buf !== this.input) {
      this.input = buf;
      this.inputView = viewOf(buf);
    }
    return this.inputView!;
  }
}

/** Same IP header but for the lengths, the IPv4 id and checksum. */
function sameIpHeader(a: Uint8Array, at: number, b: Uint8Array, bt: number, ipLength: number): boolean {
  if (ipLength === 20) return a[at + 1] === b[bt + 1] && equal(a, at + 6, b, bt + 6, 4) && equal(a, at + 12, b, bt + 12, 8);
  return equal(a, at, b, bt, 4) && equal(a, at + 6, b, bt + 6, 34);
}

/** Same ports, ACK number, header length, window and options (sequence number, flags and checksum aside). */
function sameTcpHeader(a: Uint8Array, at: number, b: Uint8Array, bt: number, tcpLength: number): boolean {
  return equal(a, at, b, bt, 4) && equal(a, at + 8, b, bt + 8, 5) && equal(a, at + 14, b, bt + 14, 2) && equal(a, at + 20, b, bt + 20, tcpLength - 20);
}

function equal(a: Uint8Array, at: number, b: Uint8Array, bt: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[at + i] !== b[bt + i]) return false;
  return true;
}
