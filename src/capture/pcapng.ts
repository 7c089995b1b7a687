// pcapng files: sections of either byte order, several interfaces, per-interface
// timestamp resolution; blocks other than SHB, IDB, EPB, SPB and PB are skipped.
//
// Every block:  0 type u32 | 4 total length u32 | body | total length u32 again
// SHB 0x0a0d0d0a:  8 byte-order magic 1a2b3c4d | 12 major u16 | 14 minor u16 | 16 section length i64 | 24 options
// IDB 1:           8 link type u16 | 10 reserved | 12 snaplen u32 | 16 options
// EPB 6:           8 interface u32 | 12 ts high | 16 ts low | 20 captured len | 24 original len | 28 data
// PB 2 (obsolete): as EPB, but 8 interface u16 | 10 drops u16
// SPB 3:           8 original len | 12 data (captured length = min(original, snaplen, what fits))
// Options:         code u16 | length u16 | value padded to 4 bytes; code 0 ends the list
import type { CaptureFrame } from './types.js';
import { bigEndian, captureError, littleEndian, need, type ByteOrder } from './file-bytes.js';

const SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;
const OPT_END = 0;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;
const MIN_LENGTH: Readonly<Record<number, number>> = { [SHB]: 28, [IDB]: 20, [PB]: 32, [SPB]: 16, [EPB]: 32 };

interface Interface {
  linkType: number;
  snapLen: number;
  toNs(ticks: bigint): bigint;
}

export function isPcapng(buf: Buffer): boolean {
  return buf.length >= 4 && buf.readUInt32BE(0) === SHB;
}

function sectionByteOrder(buf: Buffer, offset: number): ByteOrder {
  need(buf, offset, 12, 'pcapng section header');
  if (littleEndian.u32(buf, offset + 8) === BYTE_ORDER_MAGIC) return littleEndian;
  if (bigEndian.u32(buf, offset + 8) === BYTE_ORDER_MAGIC) return bigEndian;
  throw captureError(`pcapng section header at offset ${offset}: bad byte-order magic`);
}

function* options(buf: Buffer, start: number, end: number, order: ByteOrder): Generator<[number, Buffer]> {
  let offset = start;
  while (offset + 4 <= end) {
    const code = order.u16(buf, offset);
    const length = order.u16(buf, offset + 2);
    if (code === OPT_END) return;
    const valueEnd = offset + 4 + length;
    if (valueEnd > end) throw captureError(`pcapng option ${code} at offset ${offset} overruns its block`);
    yield [code, buf.subarray(offset + 4, valueEnd)];
    offset = offset + 4 + ((length + 3) & ~3);
  }
}

function readInterface(buf: Buffer, offset: number, end: number, order: ByteOrder): Interface {
  let tsresol = 6;
  let offsetNs = 0n;
  for (const [code, value] of options(buf, offset + 16, end, order)) {
    if (code === IF_TSRESOL && value.length >= 1) tsresol = value.readUInt8(0);
    if (code === IF_TSOFFSET && value.length >= 8) offsetNs = order.i64(value, 0) * 1_000_000_000n;
  }
  // if_tsresol: high bit clear = 10^-n seconds per tick, set = 2^-n.
  const ticksPerSecond = (tsresol & 0x80 ? 2n : 10n) ** BigInt(tsresol & 0x7f);
  return {
    linkType: order.u16(buf, offset + 8),
    snapLen: order.u32(buf, offset + 12),
    toNs: (ticks) => offsetNs + (ticks * 1_000_000_000n) / ticksPerSecond,
  };
}

type Packet = Omit<CaptureFrame, 'number'>;

function enhancedPacket(buf: Buffer, offset: number, end: number, order: ByteOrder, ifaces: Interface[]): Packet {
  const type = order.u32(buf, offset);
  const id = type === EPB ? order.u32(buf, offset + 8) : order.u16(buf, offset + 8);
  const { linkType, toNs } = iface(ifaces, id, offset);
  const ticks = (BigInt(order.u32(buf, offset + 12)) << 32n) | BigInt(order.u32(buf, offset + 16));
  const capturedLength = order.u32(buf, offset + 20);
  if (offset + 28 + capturedLength > end) {
    throw captureError(`pcapng packet block at offset ${offset}: captured length ${capturedLength} overruns it`);
  }
  return {
    timestampNs: toNs(ticks),
    linkType,
    data: buf.subarray(offset + 28, offset + 28 + capturedLength),
    originalLength: order.u32(buf, offset + 24),
  };
}

function simplePacket(buf: Buffer, offset: number, end: number, order: ByteOrder, ifaces: Interface[]): Packet {
  const { linkType, snapLen } = iface(ifaces, 0, offset);
  const originalLength = order.u32(buf, offset + 8);
  const capturedLength = Math.min(originalLength, snapLen || originalLength, end - (offset + 12));
  return { timestampNs: 0n, linkType, data: buf.subarray(offset + 12, offset + 12 + capturedLength), originalLength };
}

function iface(ifaces: Interface[], id: number, blockOffset: number): Interface {
  const found = ifaces[id];
  if (!found) throw captureError(`pcapng packet block at offset ${blockOffset} names unknown interface ${id}`);
  return found;
}

export function readPcapng(buf: Buffer): CaptureFrame[] {
  if (!isPcapng(buf)) throw captureError('not a pcapng file: it does not start with a section header block');
  const frames: CaptureFrame[] = [];
  let order = littleEndian;
  let interfaces: Interface[] = [];
  let offset = 0;
  while (offset < buf.length) {
    need(buf, offset, 8, 'pcapng block header');
    const type = order.u32(buf, offset); // SHB's type reads the same in both orders
    if (type === SHB) order = sectionByteOrder(buf, offset);
    const length = order.u32(buf, offset + 4);
    if (length < (MIN_LENGTH[type] ?? 12) || length % 4 !== 0) {
      throw captureError(`pcapng block type ${type} at offset ${offset}: bad length ${length}`);
    }
    need(buf, offset, length, `pcapng block type ${type}`);
    const end = offset + length - 4;
    if (order.u32(buf, end) !== length) {
      throw captureError(`pcapng block type ${type} at offset ${offset}: trailing length differs`);
    }

    if (type === SHB) {
      const major = order.u16(buf, offset + 12);
      if (major !== 1) throw captureError(`pcapng section at offset ${offset}: unsupported major version ${major}`);
      interfaces = [];
    } else if (type === IDB) {
      interfaces.push(readInterface(buf, offset, end, order));
    } else if (type === EPB || type === PB) {
      frames.push({ number: frames.length + 1, ...enhancedPacket(buf, offset, end, order, interfaces) });
    } else if (type === SPB) {
      frames.push({ number: frames.length + 1, ...simplePacket(buf, offset, end, order, interfaces) });
    }
    offset += length;
  }
  return frames;
}
