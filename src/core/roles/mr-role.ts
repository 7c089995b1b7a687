// The Map-Resolver role (RFC 9301 section 8.4). Beside a Map-Server, that Map-Server's link answers;
// with resolve-via (no Map-Server of its own for those EIDs), its referrals link forwards an ECM
// Map-Request to the Map-Server serving the EID, and proposes, for EIDs outside every referral, the
// least-specific prefix that holds none of them as a negative answer.
import type { RoleFactory } from '../role.js';
import { Referrals, type Referral } from './map-resolver.js';

export interface MrRoleOptions {
  /** The Map-Servers to forward to, by EID-prefix. */
  referrals: Referral[];
  /** TTL of negative replies for EIDs outside every referral, in minutes (RFC 9301: 15). */
  negativeTtlMinutes?: number;
}

export const mr =
  (o: MrRoleOptions): RoleFactory =>
  (c) => {
    let referrals = new Referrals(o.referrals);
    let negativeTtlMinutes = o.negativeTtlMinutes ?? 15;
    return {
      role: 'mr',
      requestLinks: [
        {
          order: 30,
          name: 'referrals',
          handle: (ctx) => {
            if (ctx.request.probe || referrals.size === 0) return false;
            if (!ctx.eid) {
              c.counters.inc('dropped.map-request-bad-eid');
              return true;
            }
            const mapServer = referrals.mapServerFor(ctx.eid);
            if (mapServer) {
              ctx.forward(mapServer, 'map-request.forwarded-to-map-server');
              return true;
            }
            const outside = referrals.outside(ctx.eid);
            if (outside) ctx.negatives.push({ prefix: outside, ttlMinutes: negativeTtlMinutes, kind: 'not-eid' });
            return false;
          },
        },
      ],
      reconfigure: (next: MrRoleOptions) => {
        referrals = new Referrals(next.referrals);
        negativeTtlMinutes = next.negativeTtlMinutes ?? 15;
      },
    };
  };
