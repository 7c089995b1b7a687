// The ITR role: a map-cache, resolved through the Map-Resolvers by its Itr (Map-Replies whose nonce
// it waits for, SMRs), and kept honest by its RLOC prober when probing is on.
import { isDeepStrictEqual } from 'node:util';
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

/** Most map-cache entries, by default. */
const DEFAULT_SIZE = 100_000;

export const itr =
  (o: ItrRoleOptions): RoleFactory =>
  (c) => {
    const mapCache = new MapCache({ scheduler: c.clock, localDatabase: c.database, maxEntries: o.mapCacheSize ?? DEFAULT_SIZE });
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
    const proberFor = (intervalMs: number | undefined) =>
      intervalMs
        ? new RlocProber({
            clock: c.clock,
            counters: c.counters,
            mapCache,
            intervalMs,
            waitMs: Math.min(intervalMs, 3000),
            controlPort: c.controlPort,
            itrRlocs: () => c.localAddresses(),
            send: (data, to, from) => c.sendFrom(data, to, from),
            ...(c.sourceFor ? { sourceFor: (remote: string) => c.sourceFor!(remote) } : {}),
          })
        : undefined;
    let current = o;
    let prober = proberFor(o.rlocProbeIntervalMs);
    let started = false;
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
      start: () => {
        started = true;
        prober?.start();
      },
      stop: () => {
        started = false;
        prober?.stop();
      },
      reconfigure: (next: ItrRoleOptions) => {
        if (!isDeepStrictEqual(next.mapResolvers, current.mapResolvers)) i.setMapResolvers(next.mapResolvers.map((address) => ({ address, port: c.controlPort })));
        if (next.mapCacheSize !== current.mapCacheSize) mapCache.setMaxEntries(next.mapCacheSize ?? DEFAULT_SIZE);
        if (next.rlocProbeIntervalMs !== current.rlocProbeIntervalMs) {
          prober?.stop();
          prober = proberFor(next.rlocProbeIntervalMs);
          if (started) prober?.start();
        }
        current = next;
      },
    };
  };
