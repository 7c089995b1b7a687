// The DDT node role (RFC 8111 section 7.1): answers DDT Map-Requests (ECMs with D) with a
// Map-Referral from its delegations: node-referral, ms-referral, delegation-hole or
// not-authoritative. It keeps no mappings; a root and the levels below it are this role with other data.
import type { RoleFactory } from '../role.js';
import { Delegations, type DelegationSpec } from './ddt-delegations.js';
import { isDdtRequest, sendReferral } from './ddt-referrals.js';

export type DdtNodeRoleOptions = DelegationSpec;

export const ddtNode =
  (o: DdtNodeRoleOptions): RoleFactory =>
  (c) => {
    let delegations = new Delegations(o);
    return {
      role: 'ddt-node',
      requestLinks: [
        {
          order: 16,
          name: 'ddt-delegations',
          handle: (ctx) => {
            if (!isDdtRequest(ctx)) return false;
            if (!ctx.eid) {
              c.counters.inc('dropped.map-request-bad-eid');
              return true;
            }
            sendReferral(c, ctx, delegations.referralFor(ctx.eid));
            return true;
          },
        },
      ],
      reconfigure: (next: DdtNodeRoleOptions) => {
        delegations = new Delegations(next);
      },
    };
  };
