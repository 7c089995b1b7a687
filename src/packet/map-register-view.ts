// A Map-Register read in place, without decoding its records (RFC 9301 section 5.6; the codec is
// map-register.ts), and the Map-Notify that acknowledges it, built from its bytes:
//
//   |Type=3 |P|S|I|R| Reserved    |E|T|a|m|M| Record Count  |
//   |                         Nonce (64)                            |
//   |    Key ID     | Algorithm ID  |  Authentication Data Length   |
//   |                     Authentication Data ...                   |
//   | EID-records ... | xTR-ID (128) + Site-ID (64) if I
//
// The fingerprint is what an ETR's refresh repeats of its Map-Register: everything but the nonce
// and the authentication data, that is the first word, Key ID and Algorithm ID, and every byte
// after the authentication data. Its hash (FNV-1a) finds the Map-Register a refresh repeats among
// many (the Map-Server workers' refresh detection, src/ms-workers).
// Imports constants.js only (and a type): the worker threads load this module.
import type { MessageAuth } from './auth.js';
import {
  ALGORITHM_ID_OFFSET,
  AUTH_LENGTH_OFFSET,
  AUTH_OFFSET,
  KEY_ID_OFFSET,
  MAP_NOTIFY_I,
  MAP_REGISTER_FLAGS,
  MAP_REGISTER_I,
  MESSAGE_TYPE_CODES,
  NONCE_OFFSET,
  SITE_ID_LENGTH,
  XTR_ID_LENGTH,
  XTR_TRAILER_LENGTH,
} from './constants.js';

const MAP_REGISTER = MESSAGE_TYPE_CODES['map-register'];
const MAP_NOTIFY = MESSAGE_TYPE_CODES['map-notify'];

export const isMapRegister = (buf: Buffer, start: number, end: number): boolean => end - start >= AUTH_OFFSET && buf[start]! >>> 4 === MAP_REGISTER;

export const hasXtrId = (buf: Buffer, start: number): boolean => (buf.readUInt32BE(start) & MAP_REGISTER_I) !== 0;

export const wantsMapNotify = (buf: Buffer, start: number): boolean => (buf.readUInt32BE(start) & MAP_REGISTER_FLAGS.wantMapNotify) !== 0;

/** Where the records start: after the authentication data, or -1 when the message is too short for what its header says. */
function bodyStart(buf: Buffer, start: number, end: number): number {
  const at = start + AUTH_OFFSET + buf.readUInt16BE(start + AUTH_LENGTH_OFFSET);
  const need = at + (hasXtrId(buf, start) ? XTR_TRAILER_LENGTH : 0);
  return need <= end ? at : -1;
}

/** A copy of the authentication data of the Map-Register at buf[start..] (whose length was checked: etrIdOf). */
export const authDataOf = (buf: Buffer, start: number): Buffer =>
  Buffer.from(buf.subarray(start + AUTH_OFFSET, start + AUTH_OFFSET + buf.readUInt16BE(start + AUTH_LENGTH_OFFSET)));

/** An xTR-ID as the Map-Server keys an ETR by it: 32 hex digits. */
export const formatXtrId = (xtrId: bigint): string => xtrId.toString(16).padStart(2 * XTR_ID_LENGTH, '0');

/**
 * The key the Map-Server merges an ETR's registrations under: its xTR-ID in hex (formatXtrId) when
 * it sent one, else its source address; undefined when the message is too short for its header.
 */
export function etrIdOf(buf: Buffer, start: number, end: number, source: string): string | undefined {
  if (bodyStart(buf, start, end) < 0) return undefined;
  return hasXtrId(buf, start) ? buf.toString('hex', end - XTR_TRAILER_LENGTH, end - SITE_ID_LENGTH) : source;
}

/** The Map-Register in buf[start, end) without its nonce and authentication data. */
export function fingerprintOf(buf: Buffer, start = 0, end = buf.length): Buffer {
  const body = bodyStart(buf, start, end);
  if (body < 0) throw new RangeError('the Map-Register is shorter than its header says');
  return Buffer.concat([buf.subarray(start, start + NONCE_OFFSET), buf.subarray(start + KEY_ID_OFFSET, start + AUTH_LENGTH_OFFSET), buf.subarray(body, end)]);
}

/** Bytes of a fingerprint before the records: the first word, Key ID and Algorithm ID. */
const HEAD = NONCE_OFFSET + AUTH_LENGTH_OFFSET - KEY_ID_OFFSET;

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
  return fnv(fnv(fnv(FNV_OFFSET, buf, start, start + NONCE_OFFSET), buf, start + KEY_ID_OFFSET, start + AUTH_LENGTH_OFFSET), buf, body, end);
}

/** True when the Map-Register in buf[start, end) has this fingerprint. */
export function hasFingerprint(fingerprint: Buffer, buf: Buffer, start: number, end: number): boolean {
  const body = bodyStart(buf, start, end);
  if (body < 0 || end - body !== fingerprint.length - HEAD) return false;
  for (let i = 0; i < NONCE_OFFSET; i++) if (fingerprint[i] !== buf[start + i]) return false;
  if (fingerprint[NONCE_OFFSET] !== buf[start + KEY_ID_OFFSET] || fingerprint[NONCE_OFFSET + 1] !== buf[start + ALGORITHM_ID_OFFSET]) return false;
  return fingerprint.compare(buf, body, end, HEAD) === 0;
}

/**
 * The Map-Notify acknowledging the Map-Register in buf[start, end): its nonce, Key ID, Algorithm
 * ID, records, xTR-ID and site-ID, the full HMAC of auth (the Map-Server's codec builds the same one).
 */
export function notifyFor(buf: Buffer, start: number, end: number, auth: MessageAuth): Buffer {
  const body = bodyStart(buf, start, end);
  const authEnd = AUTH_OFFSET + auth.digestLength;
  const out = Buffer.alloc(authEnd + end - body);
  out.writeUInt32BE(((MAP_NOTIFY << 28) | (hasXtrId(buf, start) ? MAP_NOTIFY_I : 0) | buf[start + 3]!) >>> 0, 0);
  buf.copy(out, NONCE_OFFSET, start + NONCE_OFFSET, start + AUTH_LENGTH_OFFSET);
  out.writeUInt16BE(auth.digestLength, AUTH_LENGTH_OFFSET);
  buf.copy(out, authEnd, body, end);
  auth.sign(out, 0, out.length);
  return out;
}
