// The EID-prefixes behind this xTR, as the decap worker checks them: a decapsulated packet must be
// for one of them (RFC 9300 section 4: the ETR delivers to its site's EIDs), or anybody could use
// the ETR to put packets of any source and destination on the site's network.
import { Ipv4Lpm, Ipv6Lpm } from '../table/lpm.js';

export interface OwnEid {
  readonly family: 'ipv4' | 'ipv6' | 'mac';
  readonly address: Uint8Array;
  readonly len: number;
}

export class OwnEids {
  private readonly v4 = new Ipv4Lpm<true>();
  private readonly v6 = new Ipv6Lpm<true>();

  constructor(eids: readonly OwnEid[]) {
    for (const e of eids) {
      if (e.family === 'ipv4') this.v4.set(e.address, e.len, true);
      else if (e.family === 'ipv6') this.v6.set(e.address, e.len, true);
    }
  }

  /** Whether the destination of the whole IPv4 or IPv6 packet at buf[offset] is one of ours. */
  holdsDestination(buf: Uint8Array, offset: number): boolean {
    return buf[offset]! >>> 4 === 4 ? this.v4.lookup(buf, offset + 16) === true : this.v6.lookup(buf, offset + 24) === true;
  }
}
