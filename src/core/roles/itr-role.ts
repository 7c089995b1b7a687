// The ITR role: a map-cache, resolved through the Map-Resolvers by its Itr (Map-Replies whose nonce
// it waits for, SMRs), and kept honest by its RLOC prober when probing is on.
import { MapCache } from '../../table/index.js';
import type { RoleFactory } from '../role.js';
import { Itr } from './itr.js';
import { RlocProber } from './rloc-prober.js';

export interface ItrRoleOptions {
  /** Map-Resolver addresses, in order of preference. */
  mapResolvers: string[];
  mapCacheSize?: number;
  /** Probe the locators of active map-cache entries this often (off when undefined). */
  rlocProbeIntervalMs?: number;
  /** First Map-Request retransmission (RFC 9301: 1 s), doubling. */
  retransmitMs?: number;
}

export const itr =
  (o: ItrRoleOptions): RoleFactory =>
  (c) => {
    const mapCache = new MapCache({ scheduler: c.clock, localDatabase: c.database, maxEntries: o.mapCacheSize ?? 100_000 });
    const i = new Itr({
      clock: c.clock,
      counters: c.counters,
      mapCache,
      mapResolvers: o.mapResolvers.map((address) => ({ address, port: c.controlPort })),
      itrRlocs: () => c.localAddresses(),
      replyPort: () => c.controlPort,
      send: (data, to) => c.send(data, to),
      ...(o.retransmitMs !== undefined ? { retransmitMs: o.retransmitMs } : {}),
    });
    const prober = o.rlocProbeIntervalMs
      ? new RlocProber({
          clock: c.clock,
          counters: c.counters,
          mapCache,
          intervalMs: o.rlocProbeIntervalMs,
          waitMs: Math.min(o.rlocProbeIntervalMs, 3000),
          controlPort: c.controlPort,
          itrRlocs: () => c.localAddresses(),
          send: (data, to, from) => c.sendFrom(data, to, from),
          ...(c.sourceFor ? { sourceFor: (remote: string) => c.sourceFor!(remote) } : {}),
        })
      : undefined;
    // Entries in use that are about to expire are asked for again.
    mapCache.subscribe((e) => {
      if (e.type === 'refresh') i.resolve(e.entry.eid);
    });
    return {
      role: 'itr',
      handlers: {
        'map-reply': (m) => {
          if (m.probe && prober?.handleReply(m)) return;
          i.handleReply(m);
        },
      },
      onSmr: (m) => i.handleSmr(m),
      capabilities: { mapCache, resolver: i },
      start: () => prober?.start(),
      stop: () => prober?.stop(),
    };
  };
