// The encap side of the TUN device's offloads, done in user space. With TSO on, the kernel hands
// the worker TCP packets of up to 64 KB (virtio_net_hdr gsoType TCPv4/TCPv6, gsoSize bytes of
// payload per segment) with a partial checksum; other packets may also come with a partial
// checksum (flags NEEDS_CSUM). The underlay must carry whole, checksummed packets, so:
//   segmentTcp       cuts a TCP packet into segments, each with its own IP and TCP headers
//                    (IPv4 length, id and header checksum; IPv6 payload length; TCP sequence
//                    number, FIN/PSH on the last segment only, CWR on the first only, checksum),
//                    laid out back to back with `gap` bytes before each for the LISP header, so
//                    the GSO sender sends a run of them in one system call;
//   completeChecksum fills in a partial checksum.
import { checksumOf, pseudoHeaderSum } from '../packet/checksum.js';

const PROTO_TCP = 6;
const TCP_FIN = 0x01;
const TCP_PSH = 0x08;
const TCP_CWR = 0x80;

/** Receives each segment written: the whole IP packet at out[offset..offset+length). */
export type SegmentSink = (offset: number, length: number) => void;

/**
 * Cuts the TCP packet at src[at..at+length) into segments of at most mss payload bytes, written to
 * out from outAt (each after gap bytes), passing each to emit in order. False when the packet is
 * not IPv4 or IPv6 (without extension headers) carrying TCP.
 */
export function segmentTcp(src: Buffer, srcView: DataView, at: number, length: number, mss: number, out: Buffer, outView: DataView, outAt: number, gap: number, emit: SegmentSink): boolean {
  const version = src[at]! >>> 4;
  const ipLength = version === 4 ? (src[at]! & 15) * 4 : 40;
  if ((version !== 4 && version !== 6) || src[at + (version === 4 ? 9 : 6)] !== PROTO_TCP || length < ipLength + 20 || mss <= 0) return false;
  const tcp = at + ipLength;
  const tcpHeaderLength = (src[tcp + 12]! >>> 4) * 4;
  const headers = ipLength + tcpHeaderLength;
  if (tcpHeaderLength < 20 || length < headers) return false;
  const payload = length - headers;
  // Without the length, which each segment adds.
  const pseudo = pseudoHeaderSum(srcView, at, PROTO_TCP, 0);
  const seq = srcView.getUint32(tcp + 4);
  const id = version === 4 ? srcView.getUint16(at + 4) : 0;
  const flags = src[tcp + 13]!;
  let pos = outAt;
  let done = 0;
  for (let k = 0; k === 0 || done < payload; k++) {
    const n = Math.min(mss, payload - done);
    const p = pos + gap;
    const total = headers + n;
    src.copy(out, p, at, at + headers);
    src.copy(out, p + headers, at + headers + done, at + headers + done + n);
    if (version === 4) {
      outView.setUint16(p + 2, total);
      outView.setUint16(p + 4, (id + k) & 0xffff);
      outView.setUint16(p + 10, 0);
      outView.setUint16(p + 10, checksumOf(outView, p, ipLength, 0));
    } else outView.setUint16(p + 4, total - 40);
    const t = p + ipLength;
    const last = done + n >= payload;
    outView.setUint32(t + 4, (seq + done) >>> 0);
    out[t + 13] = flags & ~((last ? 0 : TCP_FIN | TCP_PSH) | (k > 0 ? TCP_CWR : 0));
    outView.setUint16(t + 16, 0);
    outView.setUint16(t + 16, checksumOf(outView, t, tcpHeaderLength + n, pseudo + tcpHeaderLength + n));
    emit(p, total);
    done += n;
    pos = p + total;
  }
  return true;
}

/**
 * Completes the partial checksum of the packet at view[at..at+length): the field at
 * csumStart + csumOffset holds the pseudo-header sum; the checksum covers csumStart to the end.
 * Returns false when those offsets do not fit the packet.
 */
export function completeChecksum(view: DataView, at: number, length: number, csumStart: number, csumOffset: number): boolean {
  if (csumStart + csumOffset + 2 > length) return false;
  const sum = checksumOf(view, at + csumStart, length - csumStart, 0);
  // As the kernel does: 0 goes out as 0xffff, its one's-complement equal (and UDP's "computed zero").
  view.setUint16(at + csumStart + csumOffset, sum === 0 ? 0xffff : sum);
  return true;
}
