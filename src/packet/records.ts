// EID-records and RLOC-records shared by Map-Reply, Map-Register, Map-Notify,
// Map-Notify-Ack and Map-Request (RFC 9301 section 5.4):
//
//    Record TTL (32)
//   | Locator Count (8) | EID mask-len (8) | ACT (3) | A | Reserved (12) |
//   | Rsvd (4) | Map-Version Number (12)  | EID-Prefix-AFI (16)         |
//   | EID-Prefix ...
//   then Locator Count x:
//   | Priority (8) | Weight (8) | M Priority (8) | M Weight (8) |
//   | Unused Flags (13) | L | p | R | Loc-AFI (16) | Locator ...
import { addressLength, readAddress, writeAddress, type Address } from './address.js';
import { checkUint, encodeError } from './codec.js';
import type { Reader } from './reader.js';

export interface LocatorRecord {
  priority: number;
  weight: number;
  mPriority: number;
  mWeight: number;
  /** L: the locator is local to the sender. */
  local: boolean;
  /** p: the RLOC being probed (RLOC-probe replies). */
  probed: boolean;
  /** R: the sender can reach this RLOC. */
  reachable: boolean;
  /** The 13 unused flag bits above L, p, R. */
  unusedFlags?: number;
  address: Address;
}

export interface MappingRecord {
  /** Minutes; 0xffffffff lets the receiver decide. */
  ttl: number;
  maskLen: number;
  eid: Address;
  /** Negative Map-Reply action (0-7); meaningful when there are no locators. */
  act: number;
  authoritative: boolean;
  /** The 12 reserved bits after A. */
  reserved?: number;
  /** The 4 reserved bits above the map-version. */
  versionReserved?: number;
  mapVersion: number;
  locators: LocatorRecord[];
}

/** A Map-Request EID-record. */
export interface RequestRecord {
  /** N (RFC 9437): the requester asks to be notified of changes (pub/sub). */
  notify: boolean;
  /** The 7 reserved bits below N. */
  reserved?: number;
  maskLen: number;
  eid: Address;
}

export const ACT_NAMES = [
  'no-action',
  'natively-forward',
  'send-map-request',
  'drop',
  'drop-policy-denied',
  'drop-auth-failure',
  'act-6',
  'act-7',
] as const;

export function readLocator(r: Reader): LocatorRecord {
  const priority = r.u8('locator priority');
  const weight = r.u8('locator weight');
  const mPriority = r.u8('locator M priority');
  const mWeight = r.u8('locator M weight');
  const f = r.u16('locator flags');
  const loc: LocatorRecord = {
    priority,
    weight,
    mPriority,
    mWeight,
    local: (f & 4) !== 0,
    probed: (f & 2) !== 0,
    reachable: (f & 1) !== 0,
    address: readAddress(r, 'locator'),
  };
  if (f >>> 3) loc.unusedFlags = f >>> 3;
  return loc;
}

export function writeLocator(l: LocatorRecord, buf: Buffer, off: number): number {
  buf[off] = checkUint(l.priority, 8, 'priority');
  buf[off + 1] = checkUint(l.weight, 8, 'weight');
  buf[off + 2] = checkUint(l.mPriority, 8, 'M priority');
  buf[off + 3] = checkUint(l.mWeight, 8, 'M weight');
  const flags = (checkUint(l.unusedFlags ?? 0, 13, 'locator unused flags') << 3) | (l.local ? 4 : 0) | (l.probed ? 2 : 0) | (l.reachable ? 1 : 0);
  buf.writeUInt16BE(flags, off + 4);
  return writeAddress(l.address, buf, off + 6);
}

export const locatorLength = (l: LocatorRecord): number => 6 + addressLength(l.address);

/** The 12-byte head shared by mapping and referral records, up to and including the EID. */
export interface RecordHead {
  ttl: number;
  count: number;
  maskLen: number;
  /** ACT (3) | A | 12 more bits, as on the wire. */
  actFlags: number;
  /** 4 bits | Map-Version (12), as on the wire. */
  versionWord: number;
  eid: Address;
}

export function readRecordHead(r: Reader): RecordHead {
  return {
    ttl: r.u32('record TTL'),
    count: r.u8('locator count'),
    maskLen: r.u8('EID mask-len'),
    actFlags: r.u16('record ACT/flags'),
    versionWord: r.u16('map-version'),
    eid: readAddress(r, 'EID-prefix'),
  };
}

export function writeRecordHead(h: RecordHead, buf: Buffer, off: number): number {
  buf.writeUInt32BE(checkUint(h.ttl, 32, 'record TTL'), off);
  buf[off + 4] = checkUint(h.count, 8, 'locator count');
  buf[off + 5] = checkUint(h.maskLen, 8, 'EID mask-len');
  buf.writeUInt16BE(h.actFlags, off + 6);
  buf.writeUInt16BE(h.versionWord, off + 8);
  return writeAddress(h.eid, buf, off + 10);
}

export function readMappingRecord(r: Reader): MappingRecord {
  const h = readRecordHead(r);
  const rec: MappingRecord = {
    ttl: h.ttl,
    maskLen: h.maskLen,
    eid: h.eid,
    act: h.actFlags >>> 13,
    authoritative: (h.actFlags & 0x1000) !== 0,
    mapVersion: h.versionWord & 0xfff,
    locators: [],
  };
  if (h.actFlags & 0xfff) rec.reserved = h.actFlags & 0xfff;
  if (h.versionWord >>> 12) rec.versionReserved = h.versionWord >>> 12;
  for (let i = 0; i < h.count; i++) rec.locators.push(readLocator(r));
  return rec;
}

export function writeMappingRecord(rec: MappingRecord, buf: Buffer, off: number): number {
  if (rec.locators.length > 255) encodeError(`a record holds at most 255 locators, got ${rec.locators.length}`);
  const actFlags =
    (checkUint(rec.act, 3, 'ACT') << 13) | (rec.authoritative ? 0x1000 : 0) | checkUint(rec.reserved ?? 0, 12, 'record reserved bits');
  const versionWord = (checkUint(rec.versionReserved ?? 0, 4, 'map-version reserved bits') << 12) | checkUint(rec.mapVersion, 12, 'map-version');
  let p = writeRecordHead({ ttl: rec.ttl, count: rec.locators.length, maskLen: rec.maskLen, actFlags, versionWord, eid: rec.eid }, buf, off);
  for (const l of rec.locators) p = writeLocator(l, buf, p);
  return p;
}

export function mappingRecordLength(rec: MappingRecord): number {
  return rec.locators.reduce((n, l) => n + locatorLength(l), 10 + addressLength(rec.eid));
}

export function readRequestRecord(r: Reader): RequestRecord {
  const b = r.u8('EID-record reserved');
  const rec: RequestRecord = { notify: (b & 0x80) !== 0, maskLen: r.u8('EID mask-len'), eid: readAddress(r, 'EID-prefix') };
  if (b & 0x7f) rec.reserved = b & 0x7f;
  return rec;
}

export function writeRequestRecord(rec: RequestRecord, buf: Buffer, off: number): number {
  buf[off] = (rec.notify ? 0x80 : 0) | checkUint(rec.reserved ?? 0, 7, 'EID-record reserved bits');
  buf[off + 1] = checkUint(rec.maskLen, 8, 'EID mask-len');
  return writeAddress(rec.eid, buf, off + 2);
}

export const requestRecordLength = (rec: RequestRecord): number => 2 + addressLength(rec.eid);

export function readList<T>(r: Reader, count: number, read: (r: Reader) => T): T[] {
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(read(r));
  return out;
}

export function writeList<T>(items: T[], buf: Buffer, off: number, write: (v: T, buf: Buffer, off: number) => number): number {
  let p = off;
  for (const v of items) p = write(v, buf, p);
  return p;
}

export const sumLength = <T>(items: T[], length: (v: T) => number): number => items.reduce((n, v) => n + length(v), 0);
