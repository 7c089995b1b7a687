// Map-Reply (type 2), RFC 9301 section 5.4:
//
//   |Type=2 |P|E|S|          Reserved               | Record Count  |
//   |                         Nonce (64)                            |
//   | Record Count x EID-record | Authentication Data if S (LISP-SEC, RFC 9303)
import { messageCodec, checkBigUint, encodeError } from './codec.js';
import { MESSAGE_TYPE_CODES } from './constants.js';
import { checkReserved, readFlags, reservedBits, writeFlags, type Flags } from './flags.js';
import type { Reader } from './reader.js';
import { mappingRecordLength, readList, readMappingRecord, sumLength, writeList, writeMappingRecord, type MappingRecord } from './records.js';

export const MAP_REPLY_FLAGS = { probe: 0x08000000, echoNonceCapable: 0x04000000 } as const;
const S_BIT = 0x02000000;
const RESERVED = 0x01ffff00;

export interface MapReply extends Flags<typeof MAP_REPLY_FLAGS> {
  type: 'map-reply';
  reservedFlags?: number;
  nonce: bigint;
  records: MappingRecord[];
  /** LISP-SEC Map-Reply authentication data (S bit), kept as bytes. */
  authData?: Buffer;
}

export function readMapReply(r: Reader): MapReply {
  const w = r.u32('Map-Reply header');
  const m: MapReply = {
    type: 'map-reply',
    ...readFlags(w, MAP_REPLY_FLAGS),
    ...reservedBits(w, RESERVED),
    nonce: r.u64('nonce'),
    records: readList(r, w & 0xff, readMappingRecord),
  };
  if (w & S_BIT) m.authData = r.bytes(r.left, 'authentication data');
  r.done('Map-Reply');
  return m;
}

export function writeMapReply(m: MapReply, buf: Buffer, off: number): number {
  if (m.records.length > 255) encodeError(`a Map-Reply carries at most 255 records, got ${m.records.length}`);
  const w =
    (MESSAGE_TYPE_CODES['map-reply'] << 28) | writeFlags(m, MAP_REPLY_FLAGS) | (m.authData ? S_BIT : 0) | checkReserved(m.reservedFlags, RESERVED, 'Map-Reply') | m.records.length;
  buf.writeUInt32BE(w >>> 0, off);
  buf.writeBigUInt64BE(checkBigUint(m.nonce, 64, 'nonce'), off + 4);
  const p = writeList(m.records, buf, off + 12, writeMappingRecord);
  return m.authData ? p + m.authData.copy(buf, p) : p;
}

export function mapReplyLength(m: MapReply): number {
  return 12 + sumLength(m.records, mappingRecordLength) + (m.authData?.length ?? 0);
}

export const mapReply = messageCodec({ read: readMapReply, write: writeMapReply, length: mapReplyLength }, MESSAGE_TYPE_CODES['map-reply']);
