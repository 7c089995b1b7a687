// AFI-encoded addresses: AFI (16 bits) then the address; the AFI gives the length
// (RFC 9301 section 5.1, RFC 8060). LCAF bodies live in lcaf.ts.
import { encodeError, makeCodec, type Parts } from './codec.js';
import { AFI } from './constants.js';
import { formatIpv4, formatIpv6, formatMac, writeIpv4, writeIpv6, writeMac } from './ip-address.js';
import { lcafLength, readLcaf, writeLcaf, type Lcaf } from './lcaf.js';
import type { Reader } from './reader.js';

export type Address =
  | { afi: 'none' }
  | { afi: 'ipv4'; address: string }
  | { afi: 'ipv6'; address: string }
  | { afi: 'mac'; address: string }
  /** Distinguished name: an ASCII string, NUL-terminated on the wire. */
  | { afi: 'dn'; name: string }
  | { afi: 'lcaf'; lcaf: Lcaf };

export const NO_ADDRESS: Address = { afi: 'none' };

export function readAddress(r: Reader, what = 'address'): Address {
  const at = r.pos;
  const afi = r.u16(`${what} AFI`);
  switch (afi) {
    case AFI.none:
      return NO_ADDRESS;
    case AFI.ipv4:
      r.need(4, `${what} IPv4`);
      r.pos += 4;
      return { afi: 'ipv4', address: formatIpv4(r.buf, r.pos - 4) };
    case AFI.ipv6:
      r.need(16, `${what} IPv6`);
      r.pos += 16;
      return { afi: 'ipv6', address: formatIpv6(r.buf, r.pos - 16) };
    case AFI.mac:
      r.need(6, `${what} MAC`);
      r.pos += 6;
      return { afi: 'mac', address: formatMac(r.buf, r.pos - 6) };
    case AFI.dn: {
      const nul = r.buf.indexOf(0, r.pos);
      if (nul < 0 || nul >= r.end) r.fail('ERR_LISP_TRUNCATED', `${what} distinguished name has no NUL terminator`);
      const name = r.buf.toString('latin1', r.pos, nul);
      r.pos = nul + 1;
      return { afi: 'dn', name };
    }
    case AFI.lcaf:
      return { afi: 'lcaf', lcaf: readLcaf(r, addressParts, what) };
    default:
      return r.fail('ERR_LISP_UNKNOWN_AFI', `${what} has unknown AFI ${afi}`, at);
  }
}

export function writeAddress(a: Address, buf: Buffer, off: number): number {
  switch (a.afi) {
    case 'none':
      buf.writeUInt16BE(AFI.none, off);
      return off + 2;
    case 'ipv4':
      buf.writeUInt16BE(AFI.ipv4, off);
      writeIpv4(a.address, buf, off + 2);
      return off + 6;
    case 'ipv6':
      buf.writeUInt16BE(AFI.ipv6, off);
      writeIpv6(a.address, buf, off + 2);
      return off + 18;
    case 'mac':
      buf.writeUInt16BE(AFI.mac, off);
      writeMac(a.address, buf, off + 2);
      return off + 8;
    case 'dn': {
      if (/[\0\u0100-\uffff]/.test(a.name)) encodeError('distinguished name must be Latin-1 text without NUL');
      buf.writeUInt16BE(AFI.dn, off);
      const n = buf.write(a.name, off + 2, 'latin1');
      buf[off + 2 + n] = 0;
      return off + 3 + n;
    }
    case 'lcaf':
      buf.writeUInt16BE(AFI.lcaf, off);
      return writeLcaf(a.lcaf, buf, off + 2, addressParts);
  }
}

export function addressLength(a: Address): number {
  switch (a.afi) {
    case 'none':
      return 2;
    case 'ipv4':
      return 6;
    case 'ipv6':
      return 18;
    case 'mac':
      return 8;
    case 'dn':
      return 3 + Buffer.byteLength(a.name, 'latin1');
    case 'lcaf':
      return 2 + lcafLength(a.lcaf, addressParts);
  }
}

export const addressParts: Parts<Address> = { read: readAddress, write: writeAddress, length: addressLength };
export const address = makeCodec(addressParts, 0);

