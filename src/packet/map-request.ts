// Map-Request (type 1), RFC 9301 section 5.2:
//
//   |Type=1 |A|M|P|S|p|s|m|I|  Rsvd   |L|D|   IRC   | Record Count  |
//   |                         Nonce (64)                            |
//   | Source-EID-AFI | Source EID ...
//   | ITR-RLOC-AFI 1 | ITR-RLOC 1 ... (IRC + 1 of them)
//   | EID-records ... | Map-Reply record if M | xTR-ID (128) + Site-ID (64) if I
//
// m (bit 10) is the mobile-node bit of lispers.net; I (bit 11) is RFC 9437's xTR-ID bit.
// lispers.net sends only the xTR-ID after I, so the Site-ID is optional.
import { addressLength, readAddress, writeAddress, type Address } from './address.js';
import { messageCodec, checkBigUint, encodeError } from './codec.js';
import { MAP_REQUEST_FLAGS, MAP_REQUEST_I, MAP_REQUEST_M, MESSAGE_TYPE_CODES, SITE_ID_LENGTH, XTR_ID_LENGTH } from './constants.js';
import { checkReserved, readFlags, reservedBits, writeFlags, type Flags } from './flags.js';
import type { Reader } from './reader.js';
import {
  mappingRecordLength,
  readList,
  readMappingRecord,
  readRequestRecord,
  requestRecordLength,
  sumLength,
  writeList,
  writeMappingRecord,
  writeRequestRecord,
  type MappingRecord,
  type RequestRecord,
} from './records.js';

const TYPE = MESSAGE_TYPE_CODES['map-request'];
const RESERVED = 0x000f8000;

export interface MapRequest extends Flags<typeof MAP_REQUEST_FLAGS> {
  type: 'map-request';
  reservedFlags?: number;
  nonce: bigint;
  sourceEid: Address;
  itrRlocs: Address[];
  records: RequestRecord[];
  /** The sender's own mapping (M bit). */
  mapReply?: MappingRecord;
  /** 128-bit xTR-ID (I bit). */
  xtrId?: bigint;
  /** 64-bit Site-ID, after the xTR-ID. */
  siteId?: bigint;
}

export function readMapRequest(r: Reader): MapRequest {
  const w = r.u32('Map-Request header');
  const nonce = r.u64('nonce');
  const sourceEid = readAddress(r, 'source EID');
  const itrRlocs = readList(r, ((w >>> 8) & 0x1f) + 1, (x) => readAddress(x, 'ITR-RLOC'));
  const records = readList(r, w & 0xff, readRequestRecord);
  const m: MapRequest = { type: 'map-request', ...readFlags(w, MAP_REQUEST_FLAGS), ...reservedBits(w, RESERVED), nonce, sourceEid, itrRlocs, records };
  if (w & MAP_REQUEST_M) m.mapReply = readMappingRecord(r);
  if (w & MAP_REQUEST_I) {
    m.xtrId = readUint128(r, 'xTR-ID');
    if (r.left > 0) m.siteId = r.u64('site-ID');
  }
  r.done('Map-Request');
  return m;
}

export function writeMapRequest(m: MapRequest, buf: Buffer, off: number): number {
  const irc = m.itrRlocs.length - 1;
  if (irc < 0 || irc > 31) encodeError(`a Map-Request carries 1 to 32 ITR-RLOCs, got ${m.itrRlocs.length}`);
  if (m.records.length > 255) encodeError(`a Map-Request carries at most 255 records, got ${m.records.length}`);
  if (m.siteId !== undefined && m.xtrId === undefined) encodeError('a site-ID needs an xTR-ID');
  const w =
    (TYPE << 28) |
    writeFlags(m, MAP_REQUEST_FLAGS) |
    (m.mapReply ? MAP_REQUEST_M : 0) |
    (m.xtrId !== undefined ? MAP_REQUEST_I : 0) |
    checkReserved(m.reservedFlags, RESERVED, 'Map-Request') |
    (irc << 8) |
    m.records.length;
  buf.writeUInt32BE(w >>> 0, off);
  buf.writeBigUInt64BE(checkBigUint(m.nonce, 64, 'nonce'), off + 4);
  let p = writeAddress(m.sourceEid, buf, off + 12);
  p = writeList(m.itrRlocs, buf, p, writeAddress);
  p = writeList(m.records, buf, p, writeRequestRecord);
  if (m.mapReply) p = writeMappingRecord(m.mapReply, buf, p);
  if (m.xtrId !== undefined) p = writeUint128(m.xtrId, buf, p);
  if (m.siteId !== undefined) {
    buf.writeBigUInt64BE(checkBigUint(m.siteId, 64, 'site-ID'), p);
    p += 8;
  }
  return p;
}

export function mapRequestLength(m: MapRequest): number {
  return (
    12 +
    addressLength(m.sourceEid) +
    sumLength(m.itrRlocs, addressLength) +
    sumLength(m.records, requestRecordLength) +
    (m.mapReply ? mappingRecordLength(m.mapReply) : 0) +
    (m.xtrId !== undefined ? XTR_ID_LENGTH : 0) +
    (m.siteId !== undefined ? SITE_ID_LENGTH : 0)
  );
}

export function readUint128(r: Reader, what: string): bigint {
  return (r.u64(what) << 64n) | r.u64(what);
}

export function writeUint128(v: bigint, buf: Buffer, off: number): number {
  checkBigUint(v, 128, 'xTR-ID');
  buf.writeBigUInt64BE(v >> 64n, off);
  buf.writeBigUInt64BE(v & 0xffffffffffffffffn, off + 8);
  return off + 16;
}

export const mapRequest = messageCodec({ read: readMapRequest, write: writeMapRequest, length: mapRequestLength }, TYPE);
