// Map-Referral (type 6), RFC 8111 section 6.4:
//
//   |Type=6 |                Reserved               | Record Count  |
//   |                         Nonce (64)                            |
//   then Record Count x referral record:
//   |                          Record TTL                           |
//   | Referral Count| EID mask-len  | ACT |A|I|     Reserved        |
//   | SigCnt |   Map Version Number  |            EID-AFI           |
//   | EID-prefix ... | Referral Count x Ref (RLOC-record layout) | SigCnt x signature
//
// Signature: Original Record TTL (32) | Expiration (32) | Inception (32) |
//   Key Tag (16) | Sig Length (16) | Sig-Algorithm (8) | Reserved (24) | Signature
import { messageCodec, checkBigUint, checkUint, encodeError } from './codec.js';
import { MESSAGE_TYPE_CODES } from './constants.js';
import { checkReserved, reservedBits } from './flags.js';
import type { Reader } from './reader.js';
import { addressLength } from './address.js';
import {
  locatorLength,
  readList,
  readLocator,
  readRecordHead,
  sumLength,
  writeList,
  writeLocator,
  writeRecordHead,
  type LocatorRecord,
  type MappingRecord,
} from './records.js';

const RESERVED = 0x0fffff00;

/** The referral actions (ACT of a referral record), by code (RFC 8111 section 6.4). */
export const REFERRAL_ACTIONS = ['node-referral', 'ms-referral', 'ms-ack', 'ms-not-registered', 'delegation-hole', 'not-authoritative'] as const;
export type ReferralAction = (typeof REFERRAL_ACTIONS)[number];

export interface ReferralSignature {
  originalTtl: number;
  /** Seconds since 1970-01-01 UTC. */
  expiration: number;
  inception: number;
  keyTag: number;
  algorithm: number;
  reserved?: number;
  signature: Buffer;
}

export interface ReferralRecord extends Omit<MappingRecord, 'locators' | 'versionReserved'> {
  /** I: the referral set is incomplete. */
  incomplete: boolean;
  refs: LocatorRecord[];
  signatures: ReferralSignature[];
}

export interface MapReferral {
  type: 'map-referral';
  reservedFlags?: number;
  nonce: bigint;
  records: ReferralRecord[];
}

function readSignature(r: Reader): ReferralSignature {
  const s: ReferralSignature = {
    originalTtl: r.u32('original record TTL'),
    expiration: r.u32('signature expiration'),
    inception: r.u32('signature inception'),
    keyTag: r.u16('key tag'),
    algorithm: 0,
    signature: Buffer.alloc(0),
  };
  const len = r.u16('signature length');
  const w = r.u32('signature algorithm');
  s.algorithm = w >>> 24;
  if (w & 0xffffff) s.reserved = w & 0xffffff;
  s.signature = r.bytes(len, 'signature');
  return s;
}

function writeSignature(s: ReferralSignature, buf: Buffer, off: number): number {
  buf.writeUInt32BE(checkUint(s.originalTtl, 32, 'original record TTL'), off);
  buf.writeUInt32BE(checkUint(s.expiration, 32, 'signature expiration'), off + 4);
  buf.writeUInt32BE(checkUint(s.inception, 32, 'signature inception'), off + 8);
  buf.writeUInt16BE(checkUint(s.keyTag, 16, 'key tag'), off + 12);
  buf.writeUInt16BE(checkUint(s.signature.length, 16, 'signature length'), off + 14);
  buf.writeUInt32BE(((checkUint(s.algorithm, 8, 'signature algorithm') << 24) | checkUint(s.reserved ?? 0, 24, 'signature reserved')) >>> 0, off + 16);
  return off + 20 + s.signature.copy(buf, off + 20);
}

function readReferralRecord(r: Reader): ReferralRecord {
  const h = readRecordHead(r);
  const rec: ReferralRecord = {
    ttl: h.ttl,
    maskLen: h.maskLen,
    eid: h.eid,
    act: h.actFlags >>> 13,
    authoritative: (h.actFlags & 0x1000) !== 0,
    incomplete: (h.actFlags & 0x0800) !== 0,
    mapVersion: h.versionWord & 0xfff,
    refs: readList(r, h.count, readLocator),
    signatures: [],
  };
  if (h.actFlags & 0x7ff) rec.reserved = h.actFlags & 0x7ff;
  rec.signatures = readList(r, h.versionWord >>> 12, readSignature);
  return rec;
}

function writeReferralRecord(rec: ReferralRecord, buf: Buffer, off: number): number {
  if (rec.refs.length > 255) encodeError(`a referral record holds at most 255 refs, got ${rec.refs.length}`);
  if (rec.signatures.length > 15) encodeError(`a referral record holds at most 15 signatures, got ${rec.signatures.length}`);
  const actFlags =
    (checkUint(rec.act, 3, 'ACT') << 13) |
    (rec.authoritative ? 0x1000 : 0) |
    (rec.incomplete ? 0x0800 : 0) |
    checkUint(rec.reserved ?? 0, 11, 'referral reserved bits');
  const versionWord = (rec.signatures.length << 12) | checkUint(rec.mapVersion, 12, 'map-version');
  let p = writeRecordHead({ ttl: rec.ttl, count: rec.refs.length, maskLen: rec.maskLen, actFlags, versionWord, eid: rec.eid }, buf, off);
  p = writeList(rec.refs, buf, p, writeLocator);
  return writeList(rec.signatures, buf, p, writeSignature);
}

const referralRecordLength = (rec: ReferralRecord): number =>
  10 + addressLength(rec.eid) + sumLength(rec.refs, locatorLength) + sumLength(rec.signatures, (s) => 20 + s.signature.length);

export function readMapReferral(r: Reader): MapReferral {
  const w = r.u32('Map-Referral header');
  const m: MapReferral = { type: 'map-referral', ...reservedBits(w, RESERVED), nonce: r.u64('nonce'), records: readList(r, w & 0xff, readReferralRecord) };
  r.done('Map-Referral');
  return m;
}

export function writeMapReferral(m: MapReferral, buf: Buffer, off: number): number {
  if (m.records.length > 255) encodeError(`a Map-Referral carries at most 255 records, got ${m.records.length}`);
  buf.writeUInt32BE(((MESSAGE_TYPE_CODES['map-referral'] << 28) | checkReserved(m.reservedFlags, RESERVED, 'Map-Referral') | m.records.length) >>> 0, off);
  buf.writeBigUInt64BE(checkBigUint(m.nonce, 64, 'nonce'), off + 4);
  return writeList(m.records, buf, off + 12, writeReferralRecord);
}

export const mapReferralLength = (m: MapReferral): number => 12 + sumLength(m.records, referralRecordLength);

export const mapReferral = messageCodec({ read: readMapReferral, write: writeMapReferral, length: mapReferralLength }, MESSAGE_TYPE_CODES['map-referral']);
