// A DDT node's data (RFC 8111 sections 4 and 7.1): the XEID-prefixes it is authoritative for and
// the more-specific ones it delegates, each to child DDT nodes or to DDT Map-Servers. A root and the
// levels below it differ only in this data. Keys are (instance-id, family, prefix); DBID is 0.
import { EidTable, formatPrefix, prefixContains, type EidPrefix } from '../../table/index.js';
import type { Referral } from './ddt-referrals.js';

export interface Delegation {
  prefix: EidPrefix;
  /** RLOCs of the child DDT nodes. */
  ddtNodes: string[];
  /** RLOCs of the DDT Map-Servers. */
  mapServers: string[];
}

export interface DelegationSpec {
  /** The prefixes this node is authoritative for (a root: 0.0.0.0/0 and ::/0 of every instance-id in use). */
  authoritative: EidPrefix[];
  delegations: Delegation[];
}

export class Delegations {
  private readonly authority = new EidTable<true>();
  private readonly delegated = new EidTable<Delegation>();

  /** Throws RangeError for a delegation outside every authoritative prefix, or one without RLOCs. */
  constructor(spec: DelegationSpec) {
    for (const p of spec.authoritative) this.authority.set(p, true);
    for (const d of spec.delegations) {
      if (!this.authority.match(d.prefix)) throw new RangeError(`delegation ${formatPrefix(d.prefix)} is outside every authoritative prefix`);
      if (d.ddtNodes.length + d.mapServers.length === 0) throw new RangeError(`delegation ${formatPrefix(d.prefix)} has no RLOC`);
      this.delegated.set(d.prefix, d);
    }
  }

  /**
   * The answer for an XEID (RFC 8111 section 7.1): the longest delegation holding it (ms-referral
   * when a child is a Map-Server, else node-referral); inside an authoritative prefix but delegated
   * nowhere, the least-specific hole holding it (within that authoritative prefix); else
   * not-authoritative, echoing the request. A requested prefix that straddles a hole and a
   * delegation has no hole that holds it: not-authoritative too.
   */
  referralFor(eid: EidPrefix): Referral {
    const d = this.delegated.match(eid)?.value;
    if (d) {
      const action = d.mapServers.length > 0 ? 'ms-referral' : 'node-referral';
      return { action, prefix: d.prefix, refs: [...d.mapServers, ...d.ddtNodes], incomplete: false };
    }
    const authority = this.authority.match(eid)?.prefix;
    const uncovered = this.delegated.uncoveredPrefix(eid);
    if (authority && uncovered) {
      const hole = uncovered.len >= authority.len ? uncovered : authority;
      if (prefixContains(hole, eid)) return { action: 'delegation-hole', prefix: hole, refs: [], incomplete: false };
    }
    return { action: 'not-authoritative', prefix: eid, refs: [], incomplete: true };
  }
}
