// A Map-Register as the workers read it, without decoding its records (RFC 9301 section 5.6):
//
//   |Type=3 |P|S|I|R| Reserved    |E|T|a|m|M| Record Count  |
//   |                         Nonce (64)                            |
//   |    Key ID     | Algorithm ID  |  Authentication Data Length   |
//   |                     Authentication Data ...                   |
//   | EID-records ... | xTR-ID (128) + Site-ID (64) if I
//
// An ETR's refresh repeats its accepted Map-Register except for the nonce and the authentication
// data. The fingerprint is everything else: the first word, Key ID and Algorithm ID, and every byte
// after the authentication data. Its hash (FNV-1a) finds the accepted Map-Register a refresh repeats
// among many (a thousand sites behind one address, each its own registration).
import { AUTH_OFFSET, type MessageAuth } from '../packet/auth.js';

const I_BIT = 0x02000000;
const M_BIT = 0x00000100;
const NOTIFY_I_BIT = 0x08000000;
const XTR_TRAILER = 24;

export const isMapRegister = (buf: Buffer, start: number, end: number): boolean => end - start >= AUTH_OFFSET && buf[start]! >>> 4 === 3;

export const hasXtrId = (buf: Buffer, start: number): boolean => (buf.readUInt32BE(start) & I_BIT) !== 0;

export const wantsMapNotify = (buf: Buffer, start: number): boolean => (buf.readUInt32BE(start) & M_BIT) !== 0;

/** Where the records start: after the authentication data, or -1 when the message is too short for what its header says. */
function bodyStart(buf: Buffer, start: number, end: number): number {
  const at = start + AUTH_OFFSET + buf.readUInt16BE(start + 14);
  const need = at + (hasXtrId(buf, start) ? XTR_TRAILER : 0);
  return need <= end ? at : -1;
}

/** A copy of the authentication data of the Map-Register at buf[start..] (whose length was checked: etrIdOf). */
export const authDataOf = (buf: Buffer, start: number): Buffer => Buffer.from(buf.subarray(start + AUTH_OFFSET, start + AUTH_OFFSET + buf.readUInt16BE(start + 14)));

/** The key the Map-Server merges an ETR's registrations under: its xTR-ID in hex when it sent one, else its source address. */
export function etrIdOf(buf: Buffer, start: number, end: number, source: string): string | undefined {
  if (bodyStart(buf, start, end) < 0) return undefined;
  return hasXtrId(buf, start) ? buf.toString('hex', end - XTR_TRAILER, end - 8) : source;
}

/** The Map-Register in buf[start, end) without its nonce and authentication data. */
export function fingerprintOf(buf: Buffer, start = 0, end = buf.length): Buffer {
  const body = bodyStart(buf, start, end);
  if (body < 0) throw new RangeError('the Map-Register is shorter than its header says');
  return Buffer.concat([buf.subarray(start, start + 4), buf.subarray(start + 12, start + 14), buf.subarray(body, end)]);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv(h: number, buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ buf[i]!, FNV_PRIME);
  return h >>> 0;
}

/** The hash of a fingerprint. */
export const hashOf = (fingerprint: Uint8Array): number => fnv(FNV_OFFSET, fingerprint, 0, fingerprint.length);

/** The hash of the fingerprint of the Map-Register in buf[start, end) (hashOf(fingerprintOf(...))); -1 when too short. */
export function fingerprintHash(buf: Buffer, start: number, end: number): number {
  const body = bodyStart(buf, start, end);
  if (body < 0) return -1;
  return fnv(fnv(fnv(FNV_OFFSET, buf, start, start + 4), buf, start + 12, start + 14), buf, body, end);
}

/** True when the Map-Register in buf[start, end) has this fingerprint. */
export function hasFingerprint(fingerprint: Buffer, buf: Buffer, start: number, end: number): boolean {
  const body = bodyStart(buf, start, end);
  if (body < 0 || end - body !== fingerprint.length - 6) return false;
  for (let i = 0; i < 4; i++) if (fingerprint[i] !== buf[start + i]) return false;
  if (fingerprint[4] !== buf[start + 12] || fingerprint[5] !== buf[start + 13]) return false;
  return fingerprint.compare(buf, body, end, 6) === 0;
}

/**
 * The Map-Notify acknowledging the Map-Register in buf[start, end): its nonce, Key ID, Algorithm
 * ID, records, xTR-ID and site-ID, the full HMAC of auth (MapServer builds the same one).
 */
export function notifyFor(buf: Buffer, start: number, end: number, auth: MessageAuth): Buffer {
  const body = bodyStart(buf, start, end);
  const authEnd = AUTH_OFFSET + auth.digestLength;
  const out = Buffer.alloc(authEnd + end - body);
  out.writeUInt32BE(((4 << 28) | (hasXtrId(buf, start) ? NOTIFY_I_BIT : 0) | buf[start + 3]!) >>> 0, 0);
  buf.copy(out, 4, start + 4, start + 14);
  out.writeUInt16BE(auth.digestLength, 14);
  buf.copy(out, authEnd, body, end);
  auth.sign(out, 0, out.length);
  return out;
}
