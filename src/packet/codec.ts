// The codec shape every wire type follows (after dns-packet):
// encode(value, buf?, offset?) -> buf, decode(buf, offset?) -> { value, bytes },
// encodingLength(value). decode throws LispDecodeError only.
import { LispError } from './errors.js';
import { Reader } from './reader.js';

export interface Decoded<T> {
  value: T;
  /** Bytes consumed from the offset. */
  bytes: number;
}

export interface Codec<T> {
  encode(value: T, buf?: Buffer, offset?: number): Buffer;
  decode(buf: Buffer, offset?: number): Decoded<T>;
  encodingLength(value: T): number;
}

/** The pieces a codec is made of: read from a bounded reader, write at an offset (returning the end), length. */
export interface Parts<T> {
  read(r: Reader): T;
  write(value: T, buf: Buffer, offset: number): number;
  length(value: T): number;
}

export function makeCodec<T>(parts: Parts<T>, msgType: number): Codec<T> {
  return {
    encode(value, buf, offset = 0) {
      const len = parts.length(value);
      const out = buf ?? Buffer.alloc(offset + len);
      if (out.length < offset + len) {
        throw new LispError('ERR_LISP_ENCODE', `buffer too small: need ${offset + len} bytes, have ${out.length}`);
      }
      const end = parts.write(value, out, offset);
      if (end !== offset + len) {
        throw new LispError('ERR_LISP_ENCODE', `internal: wrote ${end - offset} bytes, expected ${len}`);
      }
      return out;
    },
    decode(buf, offset = 0) {
      const r = new Reader(buf, offset, buf.length, msgType);
      const value = parts.read(r);
      return { value, bytes: r.pos - offset };
    },
    encodingLength: parts.length,
  };
}

export function encodeError(message: string): never {
  throw new LispError('ERR_LISP_ENCODE', message);
}

/** Checks an unsigned integer field fits its width before it is written. */
export function checkUint(value: number, bits: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    encodeError(`${what} must be an integer in 0..${2 ** bits - 1}, got ${value}`);
  }
  return value;
}

export function checkBigUint(value: bigint, bits: number, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= 1n << BigInt(bits)) {
    encodeError(`${what} must be a ${bits}-bit unsigned bigint, got ${String(value)}`);
  }
  return value;
}

/** A codec for one kind of control message: decode first checks the 4-bit type field. */
export function messageCodec<T>(parts: Parts<T>, ...types: number[]): Codec<T> {
  const read = (r: Reader): T => {
    r.need(1, 'message type');
    const type = r.buf[r.pos]! >>> 4;
    if (!types.includes(type)) r.fail('ERR_LISP_BAD_FIELD', `message type ${type} where type ${types.join(' or ')} was expected`);
    return parts.read(r);
  };
  return makeCodec({ ...parts, read }, types[0]!);
}
