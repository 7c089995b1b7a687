// Bounds-checked reads for the capture file formats: any overrun is ERR_LISP_CAPTURE.
import { LispError } from '../packet/errors.js';

export function captureError(message: string): LispError {
  return new LispError('ERR_LISP_CAPTURE', message);
}

/** Throws ERR_LISP_CAPTURE unless buf holds `length` bytes at `offset`. */
export function need(buf: Buffer, offset: number, length: number, what: string): void {
  if (offset + length > buf.length) {
    throw captureError(`${what} truncated: needs ${length} bytes at offset ${offset}, file has ${buf.length}`);
  }
}

/** Integer reads in one byte order (callers check bounds with need()). */
export interface ByteOrder {
  u16(buf: Buffer, offset: number): number;
  u32(buf: Buffer, offset: number): number;
  i64(buf: Buffer, offset: number): bigint;
}

export const littleEndian: ByteOrder = {
  u16: (buf, offset) => buf.readUInt16LE(offset),
  u32: (buf, offset) => buf.readUInt32LE(offset),
  i64: (buf, offset) => buf.readBigInt64LE(offset),
};

export const bigEndian: ByteOrder = {
  u16: (buf, offset) => buf.readUInt16BE(offset),
  u32: (buf, offset) => buf.readUInt32BE(offset),
  i64: (buf, offset) => buf.readBigInt64BE(offset),
};
