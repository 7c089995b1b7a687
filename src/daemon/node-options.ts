// A validated config file as the options of a LispNode.
import type { DatabaseEntry as ConfigDatabaseEntry, LociConfig, SiteConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { NodeOptions } from '../core/node.js';
import type { Log, Network } from '../core/ports.js';
import { databaseEntry, type DatabaseEntry } from '../core/roles/etr.js';
import type { SiteSpec } from '../core/roles/sites.js';
import { parsePrefix, type EidPrefix } from '../table/index.js';

export const prefixOf = (p: { eidPrefix: string; instanceId: number }): EidPrefix =>
  parsePrefix(p.instanceId === 0 ? p.eidPrefix : `[${p.instanceId}]${p.eidPrefix}`);

export const databaseEntryOf = (e: ConfigDatabaseEntry): DatabaseEntry => databaseEntry(prefixOf(e), e.rlocs);

export function siteOf(s: SiteConfig): SiteSpec {
  return {
    name: s.name,
    keys: s.keys.map((k) => ({ keyId: k.keyId, key: k.key, algorithm: k.algorithm })),
    prefixes: s.eidPrefixes.map((p) => ({ prefix: prefixOf(p), acceptMoreSpecifics: p.acceptMoreSpecifics })),
    checkNonce: s.checkNonce,
  };
}

export function nodeOptionsOf(c: LociConfig, io: { network: Network; clock: Clock; log?: Log; port?: number }): NodeOptions {
  return {
    name: c.name,
    roles: c.roles,
    listen: c.listen,
    ...(io.port !== undefined ? { port: io.port } : {}),
    network: io.network,
    clock: io.clock,
    ...(io.log ? { log: io.log } : {}),
    logHex: c.logHex,
    sites: c.sites.map(siteOf),
    mapServers: c.mapServers.map((m) => ({
      address: m.address,
      port: io.port ?? 4342,
      key: m.key,
      keyId: m.keyId,
      algorithm: m.algorithm,
      ...(m.eidPrefixes.length > 0 ? { prefixes: m.eidPrefixes.map(prefixOf) } : {}),
      proxyReply: m.proxyReply,
      wantMapNotify: m.wantMapNotify,
    })),
    database: c.database.map(databaseEntryOf),
    mapResolvers: c.mapResolvers,
    referrals: c.resolveVia.map((r) => ({ mapServer: r.mapServer, prefixes: r.eidPrefixes.map(prefixOf) })),
    registerIntervalMs: c.registerInterval * 1000,
    ...(c.rlocProbing > 0 ? { rlocProbeIntervalMs: c.rlocProbing * 1000 } : {}),
    recordTtlMinutes: c.recordTtl,
    mapCacheSize: c.mapCache.size,
    negativeTtl: c.negativeTtl,
  };
}
