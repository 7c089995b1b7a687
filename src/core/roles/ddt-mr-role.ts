// The DDT Map-Resolver role: a link at the end of the Map-Request chain (after a co-located
// Map-Server and static referrals) that resolves what is left by walking the DDT tree (ddt-resolver.ts),
// answering later; and the Map-Referrals that come back. The ITR side is that of any Map-Resolver.
import type { RoleFactory } from '../role.js';
import { DdtResolver, type DdtResolverSettings } from './ddt-resolver.js';

export type DdtMrRoleOptions = DdtResolverSettings;

export const ddtMr =
  (o: DdtMrRoleOptions): RoleFactory =>
  (c) => {
    const resolver = new DdtResolver({ ...o, clock: c.clock, counters: c.counters, send: (data, to) => c.send(data, { address: to, port: c.controlPort }) });
    return {
      role: 'ddt-mr',
      handlers: { 'map-referral': (m, inbound) => resolver.handleReferral(m, inbound.from) },
      requestLinks: [
        {
          order: 40,
          name: 'ddt-resolver',
          // RLOC-probes never go to the mapping system; a DDT Map-Request is for a DDT node, not for us.
          handle: (ctx) => (ctx.request.probe || ctx.ecm?.ddt ? false : resolver.resolve(ctx)),
        },
      ],
      capabilities: { ddtResolver: resolver },
      stop: () => resolver.stop(),
      reconfigure: (next: DdtMrRoleOptions) => resolver.configure(next),
    };
  };
