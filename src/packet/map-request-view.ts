// An ECM Map-Request read in place: offsets and the few fields a proxy reply needs, with no
// allocation (RFC 9301 sections 5.2 and 5.8). The Map-Server workers answer with it (the codec is
// map-request.ts and ecm.ts):
//
//   ECM |Type=8 |S|D|E|M| ...| -> inner IPv4 or IPv6 header (UDP) -> UDP header (source port)
//   |Type=1 |A|M|P|S|p|s|m|I| Rsvd |L|D| IRC | Record Count | Nonce (64) |
//   | Source EID | ITR-RLOC x (IRC + 1) | EID-records: reserved, mask-len, EID | xTR-ID (+ site-ID) if I
//
// It reads the common shape only: no ECM authentication data, not DDT-originated (a DDT Map-Server
// answers those with a Map-Referral too), no Map-Reply record (M), not an
// RLOC-probe, addresses of AFI none, IPv4, IPv6 or (EIDs) an Instance-ID LCAF around them. Anything
// else, or anything the packet codec would not decode exactly as this reads it, gives undefined
// (the workers pass it to the main thread). The reply is a Map-Reply encoded in advance (the
// workers' cached proxy reply) with the request's nonce: writeReply.
// Imports constants.js only: the worker threads load this module.
import { AFI, ECM_D, ECM_S, IPPROTO_UDP, LCAF_TYPE, MAP_REQUEST_FLAGS, MAP_REQUEST_I, MAP_REQUEST_M, MESSAGE_TYPE_CODES, NONCE_OFFSET, SITE_ID_LENGTH, XTR_ID_LENGTH } from './constants.js';

export interface RequestView {
  /** Offset of the Map-Request's nonce. */
  nonceAt: number;
  /** The inner UDP source port: the reply goes to it. */
  replyPort: number;
  /** Offset of the first ITR-RLOC of the family asked for (4 or 16 bytes). */
  itrAt: number;
  /** The first record's EID: instance-id, family, offset of its address bytes, mask-len. */
  iid: number;
  v6: boolean;
  eidAt: number;
  maskLen: number;
}

const { none: AFI_NONE, ipv4: AFI_IPV4, ipv6: AFI_IPV6, lcaf: AFI_LCAF } = AFI;
const LCAF_INSTANCE_ID = LCAF_TYPE['instance-id'];
const ECM = MESSAGE_TYPE_CODES.ecm;
const MAP_REQUEST = MESSAGE_TYPE_CODES['map-request'];
const MAP_REQUEST_P = MAP_REQUEST_FLAGS.probe;

/** Where a scanned address's bytes are (the outputs of scanAddress). */
const found = { at: 0, v6: false, iid: 0, end: 0 };

/**
 * Reads the AFI-encoded address at buf[at..end): none, IPv4, IPv6, or with lcaf an Instance-ID
 * LCAF around IPv4 or IPv6. Fills `found` (at: -1 for AFI none) and returns false for anything else.
 */
function scanAddress(buf: Buffer, at: number, end: number, lcaf: boolean): boolean {
  if (at + 2 > end) return false;
  const afi = buf.readUInt16BE(at);
  found.iid = 0;
  if (afi === AFI_NONE) {
    found.at = -1;
    found.end = at + 2;
    return true;
  }
  if (afi === AFI_IPV4 || afi === AFI_IPV6) {
    found.at = at + 2;
    found.v6 = afi === AFI_IPV6;
    found.end = found.at + (found.v6 ? 16 : 4);
    return found.end <= end;
  }
  if (!lcaf || afi !== AFI_LCAF || at + 12 > end || buf[at + 4] !== LCAF_INSTANCE_ID) return false;
  const bodyEnd = at + 8 + buf.readUInt16BE(at + 6);
  const iid = buf.readUInt32BE(at + 8);
  if (bodyEnd > end || !scanAddress(buf, at + 12, bodyEnd, false) || found.at < 0 || found.end !== bodyEnd) return false;
  found.iid = iid;
  return true;
}

const view: RequestView = { nonceAt: 0, replyPort: 0, itrAt: 0, iid: 0, v6: false, eidAt: 0, maskLen: 0 };

/**
 * The ECM Map-Request in buf[start, end), with the first ITR-RLOC of the family itrV6 asks for;
 * undefined when it is not of the common shape. The view returned is reused by the next call.
 */
export function scanEcmRequest(buf: Buffer, start: number, end: number, itrV6: boolean): RequestView | undefined {
  if (end - start < 4 || buf[start]! >>> 4 !== ECM || (buf.readUInt32BE(start) & (ECM_S | ECM_D)) !== 0) return undefined;
  let at = start + 4;
  if (at + 20 > end) return undefined;
  const version = buf[at]! >>> 4;
  if (version === 4) {
    const ihl = (buf[at]! & 0xf) * 4;
    if (ihl < 20 || buf[at + 9] !== IPPROTO_UDP) return undefined;
    at += ihl;
  } else if (version === 6) {
    if (buf[at + 6] !== IPPROTO_UDP) return undefined;
    at += 40;
  } else return undefined;
  if (at + 8 + 12 > end) return undefined;
  view.replyPort = buf.readUInt16BE(at);
  const m = at + 8;
  view.nonceAt = m + NONCE_OFFSET;
  const w = buf.readUInt32BE(m);
  if (w >>> 28 !== MAP_REQUEST || (w & (MAP_REQUEST_M | MAP_REQUEST_P)) !== 0) return undefined;
  const records = w & 0xff;
  if (records === 0 || !scanAddress(buf, m + 12, end, true)) return undefined;
  at = found.end;
  view.itrAt = -1;
  for (let i = ((w >>> 8) & 0x1f) + 1; i > 0; i--) {
    if (!scanAddress(buf, at, end, false) || found.at < 0) return undefined;
    if (view.itrAt < 0 && found.v6 === itrV6) view.itrAt = found.at;
    at = found.end;
  }
  if (view.itrAt < 0) return undefined;
  for (let i = 0; i < records; i++) {
    if (at + 2 > end || !scanAddress(buf, at + 2, end, true) || found.at < 0) return undefined;
    if (i === 0) {
      view.iid = found.iid;
      view.v6 = found.v6;
      view.eidAt = found.at;
      view.maskLen = buf[at + 1]!;
    }
    at = found.end;
  }
  if (w & MAP_REQUEST_I) {
    at += XTR_ID_LENGTH;
    if (end - at === SITE_ID_LENGTH) at += SITE_ID_LENGTH;
  }
  return at === end && view.maskLen <= (view.v6 ? 128 : 32) ? view : undefined;
}

/** Writes the reply template (a Map-Reply) into out with the nonce of the request at buf[nonceAt..]; returns its length. */
export function writeReply(template: Buffer, buf: Buffer, nonceAt: number, out: Buffer): number {
  template.copy(out, 0);
  buf.copy(out, NONCE_OFFSET, nonceAt, nonceAt + 8);
  return template.length;
}
