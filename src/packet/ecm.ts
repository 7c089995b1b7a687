// Encapsulated Control Message (type 8), RFC 9301 section 5.8, RFC 8111, NAT drafts:
//
//   |Type=8 |S|D|E|M| |R|N|               Reserved                  |
//   | Authentication Data if S (AD Type 1 LISP-SEC, 2 MS-RTR)       |
//   | inner IPv4 or IPv6 header | inner UDP header | LISP control message
//
// D = DDT-originated, E = forward to ETR, M = destined to Map-Server;
// R (bit 9) = for an RTR to process, N (bit 10) = relayed by an RTR (NAT drafts).
import { encodeError } from './codec.js';
import { ECM_D, ECM_S, MESSAGE_TYPE_CODES } from './constants.js';
import { checkReserved, readFlags, reservedBits, writeFlags, type Flags } from './flags.js';
import { ipHeaderLength, readIpHeader, readUdpHeader, writeIpHeader, writeUdpHeader, type IpHeader, type UdpHeader } from './ip-header.js';
import type { LispMessage } from './message.js';
import type { Reader } from './reader.js';

export const ECM_FLAGS = { ddt: ECM_D, forwardToEtr: 0x02000000, toMapServer: 0x01000000, rtr: 0x00400000, relayed: 0x00200000 } as const;
const RESERVED = 0x009fffff;

export interface Ecm extends Flags<typeof ECM_FLAGS> {
  type: 'ecm';
  reservedFlags?: number;
  /** Authentication data (S bit), from its AD Type byte on. */
  authData?: Buffer;
  ip: IpHeader;
  udp: UdpHeader;
  message: LispMessage;
}

/** How the ECM reaches the message codec for its inner message (without an import cycle). */
export interface InnerCodec {
  read(r: Reader): LispMessage;
  write(m: LispMessage, buf: Buffer, off: number): number;
  length(m: LispMessage): number;
}

/** Bytes of the authentication data that starts at r.pos: its length follows from the AD type. */
function authDataLength(r: Reader): number {
  r.need(8, 'ECM authentication data');
  const type = r.buf[r.pos]!;
  if (type === 1) {
    // LISP-SEC: 32 bytes up to the OTK, then the EID-AD whose length field counts itself.
    r.need(34, 'LISP-SEC ECM authentication data');
    return 32 + r.buf.readUInt16BE(r.pos + 32);
  }
  if (type === 2) return 8 + r.buf.readUInt16BE(r.pos + 6); // MS-RTR: key ID, length, data
  return r.fail('ERR_LISP_BAD_FIELD', `unknown ECM authentication data type ${type}`);
}

export function readEcm(r: Reader, inner: InnerCodec): Ecm {
  const w = r.u32('ECM header');
  const authData = w & ECM_S ? r.bytes(authDataLength(r), 'ECM authentication data') : undefined;
  const ip = readIpHeader(r);
  const udp = readUdpHeader(r);
  const e: Ecm = { type: 'ecm', ...readFlags(w, ECM_FLAGS), ...reservedBits(w, RESERVED), ...(authData ? { authData } : {}), ip, udp, message: inner.read(r) };
  return e;
}

export function writeEcm(e: Ecm, buf: Buffer, off: number, inner: InnerCodec): number {
  const w = (MESSAGE_TYPE_CODES.ecm << 28) | writeFlags(e, ECM_FLAGS) | (e.authData ? ECM_S : 0) | checkReserved(e.reservedFlags, RESERVED, 'ECM');
  buf.writeUInt32BE(w >>> 0, off);
  const ipOff = off + 4 + (e.authData ? e.authData.copy(buf, off + 4) : 0);
  const payload = inner.length(e.message);
  if (payload + 8 > 0xffff) encodeError(`ECM inner message of ${payload} bytes is too long`);
  const udpOff = writeIpHeader(e.ip, 8 + payload, buf, ipOff);
  // The message goes in first: the UDP checksum covers it.
  inner.write(e.message, buf, udpOff + 8);
  return writeUdpHeader(e.udp, e.ip, payload, buf, udpOff, ipOff);
}

export const ecmLength = (e: Ecm, inner: InnerCodec): number => 4 + (e.authData?.length ?? 0) + ipHeaderLength(e.ip) + 8 + inner.length(e.message);
