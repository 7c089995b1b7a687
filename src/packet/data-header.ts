// The 8-byte LISP data-plane header, RFC 9300 section 5.3 (RFC 8061 KK, RFC 9305 P):
//
//   |N|L|E|V|I|P|K|K|           Nonce / Map-Version (24)            |
//   |        Instance ID (24) / Locator-Status-Bits         |  LSBs |
//
// Bits 8-31 hold the nonce when N=1 (also when V=1: N wins), the source and destination
// map-versions (12 bits each) when only V=1, and raw bits otherwise (sent 0).
// Word 1 is Instance ID (24) + LSBs (8) when I=1, else 32 locator-status-bits.
import { checkUint, makeCodec, type Parts } from './codec.js';
import { DATA_FLAGS, DATA_HEADER_LENGTH, DATA_KK } from './constants.js';
import { readFlags, writeFlags, type Flags } from './flags.js';
import type { Reader } from './reader.js';

export interface DataHeader extends Flags<typeof DATA_FLAGS> {
  /** KK: data key ID (RFC 8061); 0 = not encrypted. */
  kk: number;
  /** Bits 8-31 unless they hold map-versions. */
  nonce: number;
  sourceMapVersion: number;
  destMapVersion: number;
  instanceId: number;
  /** 8 bits with I, 32 bits without. */
  lsb: number;
}

function read(r: Reader): DataHeader {
  const w0 = r.u32('LISP data header');
  const w1 = r.u32('LISP data header word 1');
  const f = readFlags(w0, DATA_FLAGS);
  const versions = f.v && !f.n;
  const low = w0 & 0xffffff;
  return {
    ...f,
    kk: (w0 & DATA_KK) >>> 24,
    nonce: versions ? 0 : low,
    sourceMapVersion: versions ? low >>> 12 : 0,
    destMapVersion: versions ? low & 0xfff : 0,
    instanceId: f.i ? w1 >>> 8 : 0,
    lsb: f.i ? w1 & 0xff : w1,
  };
}

function write(h: DataHeader, buf: Buffer, off: number): number {
  const low =
    h.v && !h.n
      ? (checkUint(h.sourceMapVersion, 12, 'source map-version') << 12) | checkUint(h.destMapVersion, 12, 'destination map-version')
      : checkUint(h.nonce, 24, 'nonce');
  buf.writeUInt32BE((writeFlags(h, DATA_FLAGS) | (checkUint(h.kk, 2, 'KK') << 24) | low) >>> 0, off);
  const w1 = h.i ? (checkUint(h.instanceId, 24, 'instance-id') << 8) | checkUint(h.lsb, 8, 'LSBs') : checkUint(h.lsb, 32, 'LSBs');
  buf.writeUInt32BE(w1 >>> 0, off + 4);
  return off + 8;
}

const parts: Parts<DataHeader> = { read, write, length: () => DATA_HEADER_LENGTH };
/** Data-plane header codec; decode errors report message type -1. */
export const dataHeader = makeCodec(parts, -1);

/**
 * A LISP data packet: the header, then the inner packet. Without P (LISP-GPE next
 * protocol), the inner packet must be a whole IPv4 or IPv6 packet that fits the payload.
 */
function readDataPacket(r: Reader): { header: DataHeader; inner: Buffer } {
  const header = read(r);
  const at = r.pos;
  if (!header.p) {
    r.need(1, 'inner IP header');
    const version = r.buf[at]! >>> 4;
    const [min, total] =
      version === 4 && r.left >= 20
        ? [(r.buf[at]! & 0xf) * 4, r.buf.readUInt16BE(at + 2)]
        : version === 6 && r.left >= 40
          ? [40, 40 + r.buf.readUInt16BE(at + 4)]
          : [0, -1];
    if (total < 0) r.fail('ERR_LISP_BAD_FIELD', `inner packet is not a whole IPv4 or IPv6 header (version ${version}, ${r.left} bytes)`);
    if (min < 20 || total < min || total > r.left) r.fail('ERR_LISP_BAD_LENGTH', `inner IPv${version} length ${total} does not fit the ${r.left} bytes after the LISP header`);
  }
  return { header, inner: r.bytes(r.left, 'inner packet') };
}

function writeDataPacket(p: { header: DataHeader; inner: Buffer }, buf: Buffer, off: number): number {
  const end = write(p.header, buf, off);
  return end + p.inner.copy(buf, end);
}

/** Data packet codec (LISP header + inner packet); decode errors report message type -1. */
export const dataPacket = makeCodec({ read: readDataPacket, write: writeDataPacket, length: (p) => DATA_HEADER_LENGTH + p.inner.length }, -1);
