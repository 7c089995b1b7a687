// The Internet checksum (RFC 1071): one implementation for the codecs and the data plane's hot
// path. The sum reads 32-bit big-endian words through a DataView (about twice as fast as byte
// pairs) and adds their halves; callers on the hot path keep one DataView per buffer.

/** A DataView over exactly the bytes of buf (for onesSum). */
export const viewOf = (buf: Uint8Array): DataView => new DataView(buf.buffer, buf.byteOffset, buf.byteLength);

/**
 * The one's-complement sum of the big-endian 16-bit words of view[at..at+length) plus initial,
 * not yet folded (an odd last byte counts as its word's high byte).
 */
export function onesSum(view: DataView, at: number, length: number, initial: number): number {
  let sum = initial;
  let i = at;
  const end = at + length;
  for (const end4 = at + (length & ~3); i < end4; i += 4) {
    const w = view.getUint32(i);
    sum += (w >>> 16) + (w & 0xffff);
  }
  if (i + 1 < end) {
    sum += view.getUint16(i);
    i += 2;
  }
  if (i < end) sum += view.getUint8(i) << 8;
  return sum;
}

/** A sum from onesSum folded into 16 bits (not complemented). */
export function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum field for view[at..at+length) with a starting (pseudo-header) sum: folded and complemented. */
export function checksumOf(view: DataView, at: number, length: number, initial: number): number {
  return ~fold(onesSum(view, at, length, initial)) & 0xffff;
}

/** checksumOf for buf[start..end), for paths that keep no DataView. */
export function internetChecksum(buf: Uint8Array, start: number, end: number, initial: number): number {
  return checksumOf(viewOf(buf), start, end - start, initial);
}

/**
 * The pseudo-header sum of the IPv4 or IPv6 packet at view[at..] for an upper-layer protocol and
 * length: its source and destination addresses, the protocol and the length (not folded).
 */
export function pseudoHeaderSum(view: DataView, at: number, protocol: number, length: number): number {
  const v4 = view.getUint8(at) >>> 4 === 4;
  return onesSum(view, at + (v4 ? 12 : 8), v4 ? 8 : 32, protocol + length);
}
