// Authentication data of Map-Register, Map-Notify, Map-Notify-Ack and Info messages
// (RFC 9301 sections 5.6-5.7). All four carry, from the message start:
//   word0 (4) | nonce (8) | Key ID (1) | Algorithm ID (1) | Auth Data Length (2) | Auth Data
// The HMAC is computed with the auth data zeroed. Like lispers.net and OOR, it covers
// the whole message (xTR-ID and site-ID included) and is sent in full (20 / 32 bytes);
// verification compares the first Auth Data Length bytes (so truncated -96/-128 peers
// pass too) and falls back to RFC 9301's coverage, which stops before the xTR-ID.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LispError } from './errors.js';
import { encodeMessage } from './message.js';
import type { InfoMessage } from './info.js';
import type { MapNotify, MapRegister } from './map-register.js';

export const ALGORITHM_ID = { none: 0, 'hmac-sha1': 1, 'hmac-sha256': 2 } as const;
export type AuthAlgorithm = 'hmac-sha1' | 'hmac-sha256';

const DIGEST: Record<number, { hash: string; length: number }> = {
  1: { hash: 'sha1', length: 20 },
  2: { hash: 'sha256', length: 32 },
};

const AUTH_OFFSET = 16;
const XTR_TRAILER = 24;

function digestOf(algorithmId: number) {
  const d = DIGEST[algorithmId];
  if (!d) throw new LispError('ERR_LISP_AUTH', `unsupported authentication algorithm ID ${algorithmId}`);
  return d;
}

/** Auth data length for an algorithm: the full HMAC output, as every deployed implementation sends. */
export function authDataLength(algorithm: AuthAlgorithm): number {
  return digestOf(ALGORITHM_ID[algorithm]).length;
}

function hmacOver(buf: Buffer, start: number, end: number, authLen: number, key: string | Buffer, hash: string): Buffer {
  const h = createHmac(hash, key);
  h.update(buf.subarray(start, start + AUTH_OFFSET));
  h.update(Buffer.alloc(authLen));
  h.update(buf.subarray(start + AUTH_OFFSET + authLen, end));
  return h.digest();
}

function fields(buf: Buffer, start: number, end: number) {
  if (end - start < AUTH_OFFSET) throw new LispError('ERR_LISP_AUTH', 'message too short to carry authentication data');
  const type = buf[start]! >>> 4;
  if (type < 3 || type > 7 || type === 6) throw new LispError('ERR_LISP_AUTH', `message type ${type} carries no authentication data`);
  const authLen = buf.readUInt16BE(start + 14);
  if (AUTH_OFFSET + authLen > end - start) throw new LispError('ERR_LISP_AUTH', 'authentication data runs past the message');
  const word0 = buf.readUInt32BE(start);
  const xtrBit = type === 3 ? 0x02000000 : type === 7 ? 0 : 0x08000000;
  return { algorithmId: buf[start + 13]!, authLen, hasXtrId: (word0 & xtrBit) !== 0 };
}

/** Fills in the authentication data of an encoded message in buf[start, end), in place. */
export function signMessage(buf: Buffer, key: string | Buffer, start = 0, end = buf.length): void {
  const f = fields(buf, start, end);
  const d = digestOf(f.algorithmId);
  if (f.authLen > d.length) throw new LispError('ERR_LISP_AUTH', `auth data length ${f.authLen} exceeds the ${d.length}-byte HMAC`);
  hmacOver(buf, start, end, f.authLen, key, d.hash).copy(buf, start + AUTH_OFFSET, 0, f.authLen);
}

/** True when the authentication data of the encoded message in buf[start, end) verifies with key. */
export function verifyMessage(buf: Buffer, key: string | Buffer, start = 0, end = buf.length): boolean {
  let f;
  try {
    f = fields(buf, start, end);
  } catch {
    return false;
  }
  const d = DIGEST[f.algorithmId];
  if (!d || f.authLen === 0 || f.authLen > d.length) return false;
  const got = buf.subarray(start + AUTH_OFFSET, start + AUTH_OFFSET + f.authLen);
  const matches = (stop: number) => timingSafeEqual(hmacOver(buf, start, stop, f.authLen, key, d.hash).subarray(0, f.authLen), got);
  return matches(end) || (f.hasXtrId && end - start - XTR_TRAILER >= AUTH_OFFSET + f.authLen && matches(end - XTR_TRAILER));
}

/** Encodes a message with the auth data of its algorithm (its authData is ignored) and signs it. */
export function encodeAuthenticated(m: MapRegister | MapNotify | InfoMessage, key: string | Buffer): Buffer {
  const d = digestOf(m.algorithmId);
  const buf = encodeMessage({ ...m, authData: Buffer.alloc(d.length) });
  signMessage(buf, key);
  return buf;
}
