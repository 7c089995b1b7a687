// The defaults pass: fills every optional key of a schema-valid config (docs/config.md lists them).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConfigInput, LociConfig } from './types.js';

const DEFAULTS = {
  node: { logLevel: 'info', logHex: false, registerInterval: 60, rlocProbing: 0, recordTtl: 1440, msWorkers: 'auto' },
  mapCache: { size: 100_000 },
  negativeTtl: { outsideSites: 15, unregistered: 1 },
  socketDir: '/run/loci',
  key: { keyId: 0, algorithm: 'sha256', truncatedHmac: false },
  /** A site key accepts both algorithms unless it names its own (lispers.net sites do the same; OOR sends only HMAC-SHA-1). */
  siteKey: { keyId: 0, algorithms: ['sha1', 'sha256'], truncatedHmac: false },
  mapServer: { proxyReply: false, wantMapNotify: true },
  prefix: { instanceId: 0 },
  sitePrefix: { instanceId: 0, acceptMoreSpecifics: false },
  rloc: { priority: 1, weight: 100 },
  ddt: { requestTimeout: 2, referralCacheSize: 10_000, maxPending: 10_000, maxReferrals: 16 },
  dataPlane: { tun: 'loci0', mode: 'router', instanceId: 0, underlayMtu: 1500, eidAddresses: [], petrs: [], routes: true, routeTable: 4341, rulePriority: 4341, offload: true, decapsulateFor: 'own-eids' },
} as const;

/** Outer IPv6 + UDP + LISP header: the default TUN MTU leaves room for the larger outer header. */
const ENCAPSULATION_OVERHEAD = 40 + 8 + 8;

let machineId: string | undefined;

/** The machine's ID (systemd's /etc/machine-id), '' where there is none; read once. */
function thisMachine(): string {
  if (machineId === undefined) {
    try {
      machineId = readFileSync('/etc/machine-id', 'utf8').trim();
    } catch {
      machineId = '';
    }
  }
  return machineId;
}

/**
 * The xTR-ID of a node whose config names none: 128 bits of SHA-256 over the machine's ID and the
 * node's name, so it stays the same across restarts and differs between nodes and machines.
 */
export function derivedXtrId(name: string, machine = thisMachine()): string {
  return createHash('sha256').update(`loci xTR-ID\0${machine}\0${name}`).digest('hex').slice(0, 32);
}

/** value over defaults, where a key holding undefined counts as absent; keys keep the file's order. */
function fill<D extends object, V extends object>(defaults: D, value: V | undefined): D & V {
  const given = Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined));
  return { ...given, ...defaults, ...given } as D & V;
}

export function applyDefaults(c: ConfigInput): LociConfig {
  const database = (c.database ?? []).map((d) => ({
    ...fill(DEFAULTS.prefix, d),
    rlocs: d.rlocs.map((r) => fill(DEFAULTS.rloc, r)),
  }));
  return {
    ...fill(DEFAULTS.node, c),
    xtrId: c.xtrId ?? derivedXtrId(c.name),
    siteId: c.siteId ?? 0,
    mapResolvers: c.mapResolvers ?? [],
    mapServers: (c.mapServers ?? []).map((m) => ({
      ...fill({ ...DEFAULTS.key, ...DEFAULTS.mapServer }, m),
      // Empty: the Map-Server gets every database prefix, those added later through the API included.
      eidPrefixes: m.eidPrefixes?.map((p) => fill(DEFAULTS.prefix, p)) ?? [],
    })),
    database,
    sites: (c.sites ?? []).map((s) => ({
      ...s,
      checkNonce: s.checkNonce ?? 'auto',
      keys: s.keys.map((k) => ({ ...fill(DEFAULTS.siteKey, k), algorithms: [...(k.algorithms ?? DEFAULTS.siteKey.algorithms)] })),
      eidPrefixes: s.eidPrefixes.map((p) => fill(DEFAULTS.sitePrefix, p)),
    })),
    resolveVia: (c.resolveVia ?? []).map((r) => ({ ...r, eidPrefixes: r.eidPrefixes.map((p) => fill(DEFAULTS.prefix, p)) })),
    ddt: {
      ...fill(DEFAULTS.ddt, c.ddt),
      authoritativePrefixes: (c.ddt?.authoritativePrefixes ?? []).map((p) => fill(DEFAULTS.prefix, p)),
      delegations: (c.ddt?.delegations ?? []).map((d) => ({ ...fill(DEFAULTS.prefix, d), ddtNodes: d.ddtNodes ?? [], mapServers: d.mapServers ?? [] })),
      mapServerPeers: c.ddt?.mapServerPeers ?? [],
      roots: c.ddt?.roots ?? [],
    },
    api: { socket: c.api?.socket ?? `${DEFAULTS.socketDir}/${c.name}.sock` },
    mapCache: fill(DEFAULTS.mapCache, c.mapCache),
    negativeTtl: fill(DEFAULTS.negativeTtl, c.negativeTtl),
    dataPlane: dataPlaneOf(c.dataPlane),
  };
}

function dataPlaneOf(d: ConfigInput['dataPlane']): LociConfig['dataPlane'] {
  const filled = fill({ ...DEFAULTS.dataPlane, enabled: d !== undefined }, d);
  return { ...filled, eidAddresses: [...filled.eidAddresses], petrs: [...filled.petrs], mtu: d?.mtu ?? filled.underlayMtu - ENCAPSULATION_OVERHEAD };
}
