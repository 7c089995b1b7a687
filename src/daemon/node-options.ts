// A validated config file as the options of a LispNode (and of its data plane and Map-Server workers).
import { availableParallelism } from 'node:os';
import { toEidPrefix, type LociConfig, type SiteConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { LispNode, NodeOptions } from '../core/node.js';
import type { Role, RoleFactory } from '../core/role.js';
import { ddtMr, ddtMs, ddtNode, etr, itr, mr, ms } from '../core/roles/index.js';
import type { DataPlaneOptions } from '../dataplane/data-plane.js';
import type { Log, Network } from '../core/ports.js';
import type { MapServerPeer } from '../core/roles/etr.js';
import { locatorsOf } from '../core/wire-mapping.js';
import type { SiteSpec } from '../core/roles/sites.js';
import type { MsWorkersOptions } from '../ms-workers/pool.js';
import { LISP_CONTROL_PORT } from '../packet/index.js';
import { LocalDatabase, type EidPrefix } from '../table/index.js';

export const prefixOf = (p: { eidPrefix: string; instanceId: number }): EidPrefix => toEidPrefix(p.eidPrefix, p.instanceId);

export function siteOf(s: SiteConfig): SiteSpec {
  return {
    name: s.name,
    // One SiteKey per algorithm the key accepts: a Map-Register verifies with the key of its Key ID and Algorithm ID.
    keys: s.keys.flatMap((k) => k.algorithms.map((algorithm) => ({ keyId: k.keyId, key: k.key, algorithm, truncated: k.truncatedHmac }))),
    prefixes: s.eidPrefixes.map((p) => ({ prefix: prefixOf(p), acceptMoreSpecifics: p.acceptMoreSpecifics })),
    nonceCheck: s.checkNonce === true ? 'strict' : s.checkNonce === false ? 'off' : 'auto',
  };
}

/** The Map-Servers an ETR registers with; without eid-prefixes, every database prefix. */
export function mapServersOf(c: LociConfig, port = LISP_CONTROL_PORT): MapServerPeer[] {
  return c.mapServers.map((m) => ({
    address: m.address,
    port,
    key: m.key,
    keyId: m.keyId,
    algorithm: m.algorithm,
    truncated: m.truncatedHmac,
    ...(m.eidPrefixes.length > 0 ? { prefixes: m.eidPrefixes.map(prefixOf) } : {}),
    proxyReply: m.proxyReply,
    wantMapNotify: m.wantMapNotify,
  }));
}

/** A role as the config gives it: its options from the config, and its factory (which takes those options). */
interface RoleEntry {
  options(c: LociConfig, port: number | undefined): unknown;
  factory(o: unknown): RoleFactory;
}
const entry = <O>(factory: (o: O) => RoleFactory, options: (c: LociConfig, port: number | undefined) => O): RoleEntry => ({ factory: (o) => factory(o as O), options });

/**
 * Each role the config names, as its factory and its options from the config: the one place where a
 * node is composed. Adding a role: its factory (src/core/roles) and a line here. A reload gives
 * each role its options again (Operations.reconfigure).
 */
const ROLES: { readonly [R in Role]: RoleEntry } = {
  itr: entry(itr, (c) => ({ mapResolvers: c.mapResolvers, mapCacheSize: c.mapCache.size, ...(c.rlocProbing > 0 ? { rlocProbeIntervalMs: c.rlocProbing * 1000 } : {}) })),
  etr: entry(etr, (c, port) => ({
    mapServers: mapServersOf(c, port),
    database: c.database.map((e) => ({ eid: prefixOf(e), locators: locatorsOf(e.rlocs) })),
    registerIntervalMs: c.registerInterval * 1000,
    recordTtlMinutes: c.recordTtl,
    xtrId: BigInt(`0x${c.xtrId}`),
    siteId: BigInt(c.siteId),
  })),
  ms: entry(ms, (c) => ({ sites: c.sites.map(siteOf), negativeTtl: c.negativeTtl })),
  mr: entry(mr, (c) => ({ referrals: c.resolveVia.map((r) => ({ mapServer: r.mapServer, prefixes: r.eidPrefixes.map(prefixOf) })), negativeTtlMinutes: c.negativeTtl.outsideSites })),
  'ddt-node': entry(ddtNode, (c) => ({ authoritative: c.ddt.authoritativePrefixes.map(prefixOf), delegations: c.ddt.delegations.map((d) => ({ prefix: prefixOf(d), ddtNodes: d.ddtNodes, mapServers: d.mapServers })) })),
  'ddt-ms': entry(ddtMs, (c) => ({ peers: c.ddt.mapServerPeers })),
  'ddt-mr': entry(ddtMr, (c) => ({ roots: c.ddt.roots, timeoutMs: c.ddt.requestTimeout * 1000, maxPending: c.ddt.maxPending, maxReferrals: c.ddt.maxReferrals, cacheSize: c.ddt.referralCacheSize })),
};

/** The options a role of the config takes (at start, and again on reload). */
export const roleOptionsOf = (role: Role, c: LociConfig, port: number | undefined): unknown => ROLES[role].options(c, port);

const roleOf = (role: Role, c: LociConfig, port: number | undefined): RoleFactory => ROLES[role].factory(ROLES[role].options(c, port));

export function nodeOptionsOf(c: LociConfig, io: { network: Network; clock: Clock; log?: Log; port?: number }): NodeOptions {
  return {
    name: c.name,
    listen: c.listen,
    ...(io.port !== undefined ? { port: io.port } : {}),
    network: io.network,
    clock: io.clock,
    ...(io.log ? { log: io.log } : {}),
    logHex: c.logHex,
    roles: c.roles.map((r) => roleOf(r, c, io.port)),
  };
}

/**
 * The data plane of an xTR: the map-cache of its ITR, its RLOCs, and the node's local database,
 * which it follows as the API and reloads change it. A node without the etr role has no database
 * component for the API to change: its data plane is given the config's database as it is.
 */
export function dataPlaneOptionsOf(c: LociConfig, node: LispNode, io: { log?: Log }): DataPlaneOptions {
  const d = c.dataPlane;
  return {
    tun: d.tun,
    mode: d.mode,
    instanceId: d.instanceId,
    underlayMtu: d.underlayMtu,
    mtu: d.mtu,
    eidAddresses: d.eidAddresses,
    petrs: d.petrs,
    routes: d.routes,
    routeTable: d.routeTable,
    rulePriority: d.rulePriority,
    offload: d.offload,
    decapsulateAny: d.decapsulateFor === 'any',
    database: node.capability('database') ?? staticDatabase(c),
    rlocs: c.listen,
    ...(node.capability('mapCache') ? { mapCache: node.capability('mapCache')! } : {}),
    ...(node.capability('resolver') ? { resolve: (eid: EidPrefix) => void node.capability('resolver')?.resolve(eid) } : {}),
    decapsulate: c.roles.includes('etr'),
    ...(io.log ? { log: io.log } : {}),
  };
}

function staticDatabase(c: LociConfig): LocalDatabase {
  const database = new LocalDatabase();
  for (const e of c.database) database.set(prefixOf(e), locatorsOf(e.rlocs));
  return database;
}

/** Most workers `ms-workers: auto` starts. */
const MAX_AUTO_WORKERS = 8;

/**
 * The Map-Server workers of a node, none without the ms role. auto: one per CPU the process may
 * use (at most 8), none on a single CPU (handing datagrams to the main thread would only cost) or
 * off Linux (the workers' sockets are Linux system calls).
 */
export function msWorkersOf(c: LociConfig, io: { log?: Log; port?: number; cpus?: number }): MsWorkersOptions | undefined {
  if (!c.roles.includes('ms')) return undefined;
  const cpus = io.cpus ?? (process.platform === 'linux' ? availableParallelism() : 1);
  const count = c.msWorkers === 'auto' ? (cpus < 2 ? 0 : Math.min(cpus, MAX_AUTO_WORKERS)) : c.msWorkers;
  if (count === 0) return undefined;
  return {
    count,
    listen: c.listen,
    port: io.port ?? LISP_CONTROL_PORT,
    answerMapRequests: !c.roles.includes('etr'),
    fastPath: c.logLevel !== 'debug' && c.logLevel !== 'trace',
    ...(io.log ? { log: io.log } : {}),
  };
}
