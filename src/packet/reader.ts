// Bounds-checked cursor over a buffer. Every read checks its length first and
// throws LispDecodeError (never RangeError), so decoders built on it are total.
// The nesting depths travel with the reader (no module state), so decoding is re-entrant.
import { LispDecodeError, type LispErrorCode } from './errors.js';

export class Reader {
  pos: number;
  /** LCAFs around the current position (lcaf.ts bounds it). */
  lcafDepth = 0;
  /** ECMs around the current position (message.ts bounds it). */
  ecmDepth = 0;
  constructor(
    readonly buf: Buffer,
    pos: number,
    readonly end: number,
    /** Message type reported in errors. */
    public msgType: number,
  ) {
    this.pos = pos;
  }

  get left(): number {
    return this.end - this.pos;
  }

  fail(code: LispErrorCode, message: string, at: number = this.pos): never {
    throw new LispDecodeError(code, message, this.msgType, at);
  }

  need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      this.fail('ERR_LISP_TRUNCATED', `${what}: needs ${n} bytes, ${this.end - this.pos} left`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(what: string): bigint {
    this.need(8, what);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A copy of the next n bytes (decoded values never alias the input buffer). */
  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }

  /** A reader over the next n bytes, at this reader's nesting depths; this reader skips past them. */
  sub(n: number, what: string): Reader {
    this.need(n, what);
    const r = new Reader(this.buf, this.pos, this.pos + n, this.msgType);
    r.lcafDepth = this.lcafDepth;
    r.ecmDepth = this.ecmDepth;
    this.pos += n;
    return r;
  }

  /** Fails unless every byte up to the end has been read. */
  done(what: string): void {
    if (this.pos !== this.end) {
      this.fail('ERR_LISP_TRAILING_BYTES', `${what}: ${this.end - this.pos} bytes left over`);
    }
  }
}
