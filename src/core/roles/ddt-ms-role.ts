// The DDT Map-Server role (RFC 8111 section 7.2), beside the ms role: a DDT Map-Request (an ECM with
// D) for a registered EID gets an ms-ack Map-Referral and goes on down the chain, where the
// Map-Server's registrations link forwards it to an ETR or proxy-replies, as for any Map-Request;
// for a site's unregistered space it gets ms-not-registered, outside every site not-authoritative,
// and nothing more. The referral set is the configured peer Map-Servers (all of those serving its
// sites: Incomplete clear), else this Map-Server alone (Incomplete set).
import type { RoleFactory } from '../role.js';
import { isDdtRequest, sendReferral } from './ddt-referrals.js';

export interface DdtMsRoleOptions {
  /** Every Map-Server serving this one's sites, itself included; empty: this one alone, incomplete. */
  peers: string[];
}

export const ddtMs =
  (o: DdtMsRoleOptions): RoleFactory =>
  (c) => {
    let peers = o.peers;
    return {
      role: 'ddt-ms',
      requestLinks: [
        {
          order: 15,
          name: 'ddt-map-server',
          handle: (ctx) => {
            const server = c.capability('mapServer');
            if (!isDdtRequest(ctx) || !server) return false;
            if (!ctx.eid) {
              c.counters.inc('dropped.map-request-bad-eid');
              return true;
            }
            const set = { refs: peers.length > 0 ? peers : [ctx.arrivedOn.local.address], incomplete: peers.length === 0 };
            const res = server.resolve(ctx.eid);
            if (res.kind === 'registered') {
              sendReferral(c, ctx, { action: 'ms-ack', prefix: res.registrations[0]!.prefix, ...set });
              return false;
            }
            if (res.kind === 'unregistered') sendReferral(c, ctx, { action: 'ms-not-registered', prefix: res.prefix, ...set });
            else sendReferral(c, ctx, { action: 'not-authoritative', prefix: ctx.eid, refs: [], incomplete: true });
            return true;
          },
        },
      ],
      reconfigure: (next: DdtMsRoleOptions) => {
        peers = next.peers;
      },
    };
  };
