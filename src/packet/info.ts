// Info-Request / Info-Reply (type 7), draft-ermagan-lisp-nat-traversal-19 section 4.1:
//
//   |Type=7 |R|               Reserved                              |
//   |                         Nonce (64)                            |
//   |    Key ID     | Algorithm ID  |  Authentication Data Length   |
//   |                     Authentication Data ...                   |
//   |                              TTL                              |
//   |   Reserved    | EID mask-len  |        EID-prefix-AFI         |
//   | EID-prefix ... | AFI = 0 (request) or NAT-Traversal LCAF (reply)
//
// The draft shows a 16-bit Key ID; like Map-Register it is read as Key ID + Algorithm ID.
import { addressLength, readAddress, writeAddress, type Address } from './address.js';
import { checkUint, messageCodec } from './codec.js';
import { AUTH_OFFSET, MESSAGE_TYPE_CODES } from './constants.js';
import { checkReserved, reservedBits } from './flags.js';
import { readAuthFields, writeAuthFields, type AuthFields } from './map-register.js';
import type { Reader } from './reader.js';

const R_BIT = 0x08000000;
const RESERVED = 0x07ffffff;

export interface InfoMessage extends AuthFields {
  type: 'info';
  /** R: Info-Reply (true) or Info-Request (false). */
  reply: boolean;
  reservedFlags?: number;
  /** Minutes the requester may keep the RTR information. */
  ttl: number;
  reserved?: number;
  maskLen: number;
  eid: Address;
  /** AFI 0 in a request; the NAT-Traversal LCAF in a reply. */
  natInfo: Address;
}

export function readInfo(r: Reader): InfoMessage {
  const w = r.u32('Info header');
  const m: InfoMessage = {
    type: 'info',
    reply: (w & R_BIT) !== 0,
    ...reservedBits(w, RESERVED),
    ...readAuthFields(r),
    ttl: r.u32('TTL'),
    maskLen: 0,
    eid: { afi: 'none' },
    natInfo: { afi: 'none' },
  };
  const reserved = r.u8('reserved');
  if (reserved) m.reserved = reserved;
  m.maskLen = r.u8('EID mask-len');
  m.eid = readAddress(r, 'EID-prefix');
  m.natInfo = readAddress(r, 'NAT info');
  r.done('Info message');
  return m;
}

export function writeInfo(m: InfoMessage, buf: Buffer, off: number): number {
  buf.writeUInt32BE(((MESSAGE_TYPE_CODES.info << 28) | (m.reply ? R_BIT : 0) | checkReserved(m.reservedFlags, RESERVED, 'Info')) >>> 0, off);
  let p = writeAuthFields(m, buf, off + 4);
  buf.writeUInt32BE(checkUint(m.ttl, 32, 'TTL'), p);
  buf[p + 4] = checkUint(m.reserved ?? 0, 8, 'reserved');
  buf[p + 5] = checkUint(m.maskLen, 8, 'EID mask-len');
  p = writeAddress(m.eid, buf, p + 6);
  return writeAddress(m.natInfo, buf, p);
}

export const infoLength = (m: InfoMessage): number => AUTH_OFFSET + m.authData.length + 6 + addressLength(m.eid) + addressLength(m.natInfo);

export const info = messageCodec({ read: readInfo, write: writeInfo, length: infoLength }, MESSAGE_TYPE_CODES.info);
