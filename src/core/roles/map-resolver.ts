// Map-Resolver without a co-located Map-Server (RFC 9301 section 8.4): a static table of
// which Map-Server serves which EID-prefixes (what DDT would otherwise tell it).
import { EidTable, type EidPrefix } from '../../table/index.js';

export interface Referral {
  mapServer: string;
  prefixes: EidPrefix[];
}

export class Referrals {
  private readonly table = new EidTable<string>();

  constructor(referrals: readonly Referral[]) {
    for (const r of referrals) for (const p of r.prefixes) this.table.set(p, r.mapServer);
  }

  get size(): number {
    return this.table.size;
  }

  /** The Map-Server serving the EID (longest match). */
  mapServerFor(eid: EidPrefix): string | undefined {
    return this.table.match(eid)?.value;
  }

  /** The least-specific prefix containing the EID that overlaps none of the referral prefixes. */
  outside(eid: EidPrefix): EidPrefix | undefined {
    return this.table.uncoveredPrefix(eid);
  }
}
