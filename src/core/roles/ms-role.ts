// The Map-Server role: authenticated Map-Registers in (Map-Notify back when asked), and the
// registrations link of the Map-Request chain: a proxy reply, a forward to a registered ETR, a
// negative reply for a site's unregistered space, or, outside every site, a negative answer proposed
// for the end of the chain (a Map-Resolver's referrals may still know better).
import { isDeepStrictEqual } from 'node:util';
import { mapReply, negativeRecord } from '../wire-mapping.js';
import type { RoleFactory } from '../role.js';
import { MapServer, proxyReplyRecords, wantsProxyReply } from './map-server.js';
import type { SiteSpec } from './sites.js';

export interface MsRoleOptions {
  sites: SiteSpec[];
  /** Lifetime of a registration without refresh (RFC 9301: 3 minutes). */
  registrationTimeoutMs?: number;
  /** Negative Map-Reply TTLs in minutes (RFC 9301 section 8.3): outside every site 15, a site's unregistered space 1. */
  negativeTtl?: { outsideSites: number; unregistered: number };
}

const DEFAULT_NEGATIVE_TTL = { outsideSites: 15, unregistered: 1 };

export const ms =
  (o: MsRoleOptions): RoleFactory =>
  (c) => {
    const server = new MapServer({
      clock: c.clock,
      counters: c.counters,
      sites: o.sites,
      ...(o.registrationTimeoutMs !== undefined ? { registrationTimeoutMs: o.registrationTimeoutMs } : {}),
    });
    let ttl = o.negativeTtl ?? DEFAULT_NEGATIVE_TTL;
    let sites = o.sites;
    return {
      role: 'ms',
      handlers: {
        'map-register': (m, { data, from, socket }) => {
          const result = server.register(data, m, from);
          if (!result.ok) return c.limited.warn(`map-register.${result.reason}`, { from, reason: result.reason, detail: result.detail }, 'Map-Register rejected');
          if (result.refused.length > 0) c.limited.warn('map-register.records-refused', { from, site: result.site, refused: result.refused }, 'Map-Register records refused');
          if (result.notify) c.send(result.notify, from, socket);
        },
        'map-notify-ack': (m, { data }) => c.counters.inc(server.verifiesAck(data, m) ? 'map-notify-ack.accepted' : 'map-notify-ack.rejected'),
      },
      requestLinks: [
        {
          order: 20,
          name: 'registrations',
          handle: (ctx) => {
            // RLOC-probes never go to the mapping system (RFC 9301 section 5.2).
            if (ctx.request.probe) return false;
            if (!ctx.eid) {
              c.counters.inc('dropped.map-request-bad-eid');
              return true;
            }
            const res = server.resolve(ctx.eid);
            if (res.kind === 'not-eid') {
              ctx.negatives.push({ prefix: res.prefix, ttlMinutes: ttl.outsideSites, kind: 'not-eid' });
              return false;
            }
            if (res.kind === 'unregistered') {
              c.counters.inc('map-reply.negative.unregistered');
              ctx.reply(mapReply(ctx.request.nonce, [negativeRecord(res.prefix, ttl.unregistered, 'natively-forward')]));
            } else if (wantsProxyReply(res.registrations)) {
              c.counters.inc('map-reply.proxy');
              ctx.reply(mapReply(ctx.request.nonce, proxyReplyRecords(res.registrations)));
            } else {
              ctx.forward([...res.registrations[0]!.etrs.values()][0]!.source.address, 'map-request.forwarded');
            }
            return true;
          },
        },
      ],
      capabilities: { mapServer: server },
      reconfigure: (next: MsRoleOptions) => {
        if (!isDeepStrictEqual(next.sites, sites)) server.setSites(next.sites);
        sites = next.sites;
        ttl = next.negativeTtl ?? DEFAULT_NEGATIVE_TTL;
      },
    };
  };
