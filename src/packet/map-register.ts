// Map-Register (type 3), Map-Notify (type 4) and Map-Notify-Ack (type 5) share one
// body (RFC 9301 sections 5.6 and 5.7):
//
//   |Type |        flags (see below)                | Record Count  |
//   |                         Nonce (64)                            |
//   |    Key ID     | Algorithm ID  |  Authentication Data Length   |
//   |                     Authentication Data ...                   |
//   | Record Count x EID-record | xTR-ID (128) + Site-ID (64) if I
//
// Map-Register: |P|S|I|R| Reserved (11) |E|T|a|m|M|   (R = built for an RTR,
//   old NAT drafts; m = mobile node, lispers.net and OOR)
// Map-Notify(-Ack): |I|R| Reserved (18) |   (NAT drafts; RFC 9301 leaves them reserved).
//   With R, old NAT drafts append MS-RTR auth: Key ID (16) | Auth Length (16) | Auth Data.
//   lispers.net copies everything after the Map-Register's authentication data into its
//   Map-Notify, so an xTR-ID and site-ID follow the records with the I bit clear: exactly 24
//   bytes after the records of a Map-Notify(-Ack) without I are read as them (xtrIdUnflagged).
// Before RFC 9301 Key ID and Algorithm ID were one 16-bit "Key ID" (1 = SHA-1, 2 = SHA-256).
import { messageCodec, checkBigUint, checkUint, encodeError } from './codec.js';
import {
  AUTH_OFFSET,
  MAP_NOTIFY_FLAGS,
  MAP_NOTIFY_I,
  MAP_REGISTER_FLAGS,
  MAP_REGISTER_I,
  MESSAGE_TYPE_CODES,
  XTR_TRAILER_LENGTH,
} from './constants.js';
import { checkReserved, readFlags, reservedBits, writeFlags, type Flags } from './flags.js';
import { readUint128, writeUint128 } from './map-request.js';
import type { Reader } from './reader.js';
import { mappingRecordLength, readList, readMappingRecord, sumLength, writeList, writeMappingRecord, type MappingRecord } from './records.js';

const REGISTER_RESERVED = 0x00ffe000;
const NOTIFY_RESERVED = 0x03ffff00;

/** Fields every authenticated message (Map-Register, Map-Notify, Map-Notify-Ack, Info) carries. */
export interface AuthFields {
  nonce: bigint;
  keyId: number;
  /** 0 none, 1 HMAC-SHA-1-96, 2 HMAC-SHA-256-128, 3 HMAC-SHA-256-128 + HKDF-SHA256. */
  algorithmId: number;
  authData: Buffer;
}

interface RegisterBody extends AuthFields {
  reservedFlags?: number;
  records: MappingRecord[];
  /** 128-bit xTR-ID (I bit); always sent with a site-ID. */
  xtrId?: bigint;
  siteId?: bigint;
}

export interface MapRegister extends RegisterBody, Flags<typeof MAP_REGISTER_FLAGS> {
  type: 'map-register';
}

export interface MapNotify extends RegisterBody, Flags<typeof MAP_NOTIFY_FLAGS> {
  type: 'map-notify' | 'map-notify-ack';
  /** The xTR-ID and site-ID follow the records although the I bit is clear (lispers.net). */
  xtrIdUnflagged?: true;
  /** MS-RTR authentication after the xTR-ID (old NAT drafts, with R). */
  rtrAuth?: { keyId: number; authData: Buffer };
}

export function readAuthFields(r: Reader): AuthFields {
  const nonce = r.u64('nonce');
  const keyId = r.u8('key ID');
  const algorithmId = r.u8('algorithm ID');
  const len = r.u16('authentication data length');
  return { nonce, keyId, algorithmId, authData: r.bytes(len, 'authentication data') };
}

export function writeAuthFields(a: AuthFields, buf: Buffer, off: number): number {
  buf.writeBigUInt64BE(checkBigUint(a.nonce, 64, 'nonce'), off);
  buf[off + 8] = checkUint(a.keyId, 8, 'key ID');
  buf[off + 9] = checkUint(a.algorithmId, 8, 'algorithm ID');
  buf.writeUInt16BE(checkUint(a.authData.length, 16, 'authentication data length'), off + 10);
  return off + 12 + a.authData.copy(buf, off + 12);
}

function readBody(r: Reader, w: number, iBit: number, reserved: number): RegisterBody {
  const b: RegisterBody = { ...reservedBits(w, reserved), ...readAuthFields(r), records: readList(r, w & 0xff, readMappingRecord) };
  if (w & iBit) readXtrTrailer(r, b);
  return b;
}

function readXtrTrailer(r: Reader, b: RegisterBody): void {
  b.xtrId = readUint128(r, 'xTR-ID');
  b.siteId = r.u64('site-ID');
}

function writeBody(m: RegisterBody, type: number, flags: number, buf: Buffer, off: number): number {
  // The trailer goes out with or without the I bit: the caller decides the flag.
  if (m.records.length > 255) encodeError(`at most 255 records, got ${m.records.length}`);
  if ((m.xtrId === undefined) !== (m.siteId === undefined)) encodeError('xTR-ID and site-ID go together');
  buf.writeUInt32BE(((type << 28) | flags | m.records.length) >>> 0, off);
  let p = writeAuthFields(m, buf, off + 4);
  p = writeList(m.records, buf, p, writeMappingRecord);
  if (m.xtrId !== undefined && m.siteId !== undefined) {
    p = writeUint128(m.xtrId, buf, p);
    buf.writeBigUInt64BE(checkBigUint(m.siteId, 64, 'site-ID'), p);
    p += 8;
  }
  return p;
}

const bodyLength = (m: RegisterBody): number =>
  AUTH_OFFSET + m.authData.length + sumLength(m.records, mappingRecordLength) + (m.xtrId !== undefined ? XTR_TRAILER_LENGTH : 0);

export function readMapRegister(r: Reader): MapRegister {
  const w = r.u32('Map-Register header');
  const m: MapRegister = { type: 'map-register', ...readFlags(w, MAP_REGISTER_FLAGS), ...readBody(r, w, MAP_REGISTER_I, REGISTER_RESERVED) };
  r.done('Map-Register');
  return m;
}

export function writeMapRegister(m: MapRegister, buf: Buffer, off: number): number {
  const flags =
    writeFlags(m, MAP_REGISTER_FLAGS) | (m.xtrId !== undefined ? MAP_REGISTER_I : 0) | checkReserved(m.reservedFlags, REGISTER_RESERVED, 'Map-Register');
  return writeBody(m, MESSAGE_TYPE_CODES['map-register'], flags, buf, off);
}

export const mapRegisterLength = bodyLength;

export function readMapNotify(r: Reader): MapNotify {
  const w = r.u32('Map-Notify header');
  const type = w >>> 28 === MESSAGE_TYPE_CODES['map-notify-ack'] ? 'map-notify-ack' : 'map-notify';
  const m: MapNotify = { type, ...readFlags(w, MAP_NOTIFY_FLAGS), ...readBody(r, w, MAP_NOTIFY_I, NOTIFY_RESERVED) };
  if (!(w & MAP_NOTIFY_I) && !m.rtr && r.left === XTR_TRAILER_LENGTH) {
    readXtrTrailer(r, m);
    m.xtrIdUnflagged = true;
  }
  if (m.rtr && r.left > 0) {
    const keyId = r.u16('MS-RTR key ID');
    m.rtrAuth = { keyId, authData: r.bytes(r.u16('MS-RTR authentication length'), 'MS-RTR authentication data') };
  }
  r.done(type === 'map-notify' ? 'Map-Notify' : 'Map-Notify-Ack');
  return m;
}

export function writeMapNotify(m: MapNotify, buf: Buffer, off: number): number {
  if (m.rtrAuth && !m.rtr) encodeError('MS-RTR authentication needs the R bit');
  if (m.xtrIdUnflagged && (m.xtrId === undefined || m.rtr)) encodeError('xtrIdUnflagged needs an xTR-ID and no R bit');
  const iBit = m.xtrId !== undefined && !m.xtrIdUnflagged ? MAP_NOTIFY_I : 0;
  const flags = writeFlags(m, MAP_NOTIFY_FLAGS) | iBit | checkReserved(m.reservedFlags, NOTIFY_RESERVED, 'Map-Notify');
  let p = writeBody(m, MESSAGE_TYPE_CODES[m.type], flags, buf, off);
  if (m.rtrAuth) {
    buf.writeUInt16BE(checkUint(m.rtrAuth.keyId, 16, 'MS-RTR key ID'), p);
    buf.writeUInt16BE(checkUint(m.rtrAuth.authData.length, 16, 'MS-RTR authentication length'), p + 2);
    p += 4 + m.rtrAuth.authData.copy(buf, p + 4);
  }
  return p;
}

export const mapNotifyLength = (m: MapNotify): number => bodyLength(m) + (m.rtrAuth ? 4 + m.rtrAuth.authData.length : 0);

export const mapRegister = messageCodec<MapRegister>({ read: readMapRegister, write: writeMapRegister, length: mapRegisterLength }, MESSAGE_TYPE_CODES['map-register']);
/** Map-Notify and Map-Notify-Ack (the type field tells them apart). */
export const mapNotify = messageCodec({ read: readMapNotify, write: writeMapNotify, length: mapNotifyLength }, MESSAGE_TYPE_CODES['map-notify'], MESSAGE_TYPE_CODES['map-notify-ack']);
