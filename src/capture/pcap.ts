// Classic libpcap files: either byte order, microsecond or nanosecond timestamps.
//
// Global header (24 bytes)               Record header (16 bytes), then incl_len bytes
//   0  magic      a1b2c3d4 / a1b23c4d      0  ts_sec
//   4  version    major u16, minor u16     4  ts_usec or ts_nsec
//   8  thiszone   i32                      8  incl_len (captured)
//  12  sigfigs    u32                     12  orig_len
//  16  snaplen    u32
//  20  network    u32 (link type in the low 16 bits, FCS flags above)
import type { CaptureFrame } from './types.js';
import { bigEndian, captureError, littleEndian, need, type ByteOrder } from './file-bytes.js';

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

interface Format {
  order: ByteOrder;
  nsPerTick: bigint;
}

function format(buf: Buffer): Format | undefined {
  if (buf.length < 4) return undefined;
  for (const order of [littleEndian, bigEndian]) {
    const magic = order.u32(buf, 0);
    if (magic === MAGIC_MICRO) return { order, nsPerTick: 1000n };
    if (magic === MAGIC_NANO) return { order, nsPerTick: 1n };
  }
  return undefined;
}

export function isPcap(buf: Buffer): boolean {
  return format(buf) !== undefined;
}

export function readPcap(buf: Buffer): CaptureFrame[] {
  const fmt = format(buf);
  if (!fmt) throw captureError('not a pcap file: bad magic');
  const { order, nsPerTick } = fmt;
  need(buf, 0, GLOBAL_HEADER, 'pcap global header');
  const linkType = order.u32(buf, 20) & 0xffff;
  const frames: CaptureFrame[] = [];
  let offset = GLOBAL_HEADER;
  while (offset < buf.length) {
    const number = frames.length + 1;
    need(buf, offset, RECORD_HEADER, `pcap record header of frame ${number}`);
    const seconds = BigInt(order.u32(buf, offset));
    const ticks = BigInt(order.u32(buf, offset + 4));
    const capturedLength = order.u32(buf, offset + 8);
    const originalLength = order.u32(buf, offset + 12);
    const start = offset + RECORD_HEADER;
    need(buf, start, capturedLength, `pcap record data of frame ${number}`);
    frames.push({
      number,
      timestampNs: seconds * 1_000_000_000n + ticks * nsPerTick,
      linkType,
      data: buf.subarray(start, start + capturedLength),
      originalLength,
    });
    offset = start + capturedLength;
  }
  return frames;
}
