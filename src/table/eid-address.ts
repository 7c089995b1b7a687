// Between the wire's EID (an Address with a mask-len, the instance-id in an LCAF) and
// the tables' EidPrefix.
import type { Address } from '../packet/index.js';
import { FAMILY_BYTES, formatAddress, makePrefix, parseAddress, type EidPrefix, type Family } from './prefix.js';

/** The EID-prefix an EID-record names (host bits cleared), or undefined for an EID the tables cannot key. */
export function eidPrefixOf(a: Address, maskLen: number, iid = 0): EidPrefix | undefined {
  if (a.afi === 'lcaf') {
    return a.lcaf.type === 'instance-id' && a.lcaf.address.afi !== 'lcaf' ? eidPrefixOf(a.lcaf.address, maskLen, a.lcaf.instanceId) : undefined;
  }
  if (a.afi !== 'ipv4' && a.afi !== 'ipv6' && a.afi !== 'mac') return undefined;
  const family: Family = a.afi;
  if (maskLen > FAMILY_BYTES[family] * 8 || (family === 'mac' && maskLen !== 48)) return undefined;
  return makePrefix(family, parseAddress(family, a.address), maskLen, iid);
}

/** The wire form of an EID-prefix's address: wrapped in an Instance-ID LCAF when the instance-id is not 0. */
export function addressOf(p: EidPrefix): Address {
  const a = { afi: p.family, address: formatAddress(p.family, p.address) } as Address;
  return p.iid === 0 ? a : { afi: 'lcaf', lcaf: { type: 'instance-id', instanceId: p.iid, maskLen: 0, address: a } };
}

/** The host prefix of an EID address (full length of its family), or undefined for an EID the tables cannot key. */
export function hostPrefixOf(a: Address): EidPrefix | undefined {
  const inner = a.afi === 'lcaf' && a.lcaf.type === 'instance-id' ? a.lcaf.address : a;
  const bits = inner.afi === 'ipv4' ? 32 : inner.afi === 'ipv6' ? 128 : inner.afi === 'mac' ? 48 : undefined;
  return bits === undefined ? undefined : eidPrefixOf(a, bits);
}
