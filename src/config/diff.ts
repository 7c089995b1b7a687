// What a reload (SIGHUP) changes: old and new configs compared as data. Database entries are keyed
// by instance-id and prefix, Map-Servers by address, sites by name. The daemon turns this into core
// operations; settings under RESTART_KEYS cannot change without a restart.
import { isDeepStrictEqual } from 'node:util';
import { prefixKey } from './addresses.js';
import type { DatabaseConfig, LociConfig, MapServerConfig, SiteConfig } from './types.js';

const RESTART_KEYS = ['name', 'roles', 'listen', 'api', 'dataPlane', 'msWorkers'] as const;
export type RestartKey = (typeof RESTART_KEYS)[number];
type ListKey = 'database' | 'mapServers' | 'mapResolvers' | 'sites';
export type SettingKey = Exclude<keyof LociConfig, RestartKey | ListKey>;

/** The top-level settings a running node applies in place. A record, so that a new top-level key
 *  fails to compile here until it is classed as a setting, a restart key or a list. */
const LIVE_SETTINGS: Record<SettingKey, true> = {
  logLevel: true,
  logHex: true,
  resolveVia: true,
  rlocProbing: true,
  registerInterval: true,
  recordTtl: true,
  xtrId: true,
  siteId: true,
  mapCache: true,
  negativeTtl: true,
  ddt: true,
};

export interface Change<T> {
  readonly old: T;
  readonly new: T;
}

export interface ListDiff<T> {
  /** In the new config's order. */
  readonly added: T[];
  /** In the old config's order. */
  readonly removed: T[];
  /** Same key, different content, in the new config's order. */
  readonly changed: Change<T>[];
}

export interface ConfigDiff {
  /** Changed settings that take a restart; roles and listen compare as sets. */
  readonly restart: RestartKey[];
  /** Changed settings that apply in place: read their values from the new config. */
  readonly settings: SettingKey[];
  readonly database: ListDiff<DatabaseConfig>;
  readonly mapServers: ListDiff<MapServerConfig>;
  /** The list is an order of preference, so a new order is a change too. */
  readonly mapResolvers: { readonly added: string[]; readonly removed: string[]; readonly reordered: boolean };
  readonly sites: ListDiff<SiteConfig>;
}

export function diffConfig(before: LociConfig, after: LociConfig): ConfigDiff {
  const asSet = (v: unknown) => (Array.isArray(v) ? [...(v as string[])].sort() : v);
  const common = (a: string[], b: string[]) => a.filter((x) => b.includes(x));
  const resolvers = listDiff(before.mapResolvers, after.mapResolvers, (a) => a);
  return {
    restart: RESTART_KEYS.filter((k) => !isDeepStrictEqual(asSet(before[k]), asSet(after[k]))),
    settings: (Object.keys(LIVE_SETTINGS) as SettingKey[]).filter((k) => !isDeepStrictEqual(before[k], after[k])),
    database: listDiff(before.database, after.database, prefixKey),
    mapServers: listDiff(before.mapServers, after.mapServers, (m) => m.address),
    mapResolvers: {
      added: resolvers.added,
      removed: resolvers.removed,
      reordered: !isDeepStrictEqual(
        common(before.mapResolvers, after.mapResolvers),
        common(after.mapResolvers, before.mapResolvers),
      ),
    },
    sites: listDiff(before.sites, after.sites, (s) => s.name),
  };
}

function listDiff<T>(before: readonly T[], after: readonly T[], keyOf: (item: T) => string): ListDiff<T> {
  const old = new Map(before.map((x) => [keyOf(x), x]));
  const keys = new Set(after.map(keyOf));
  return {
    added: after.filter((x) => !old.has(keyOf(x))),
    removed: before.filter((x) => !keys.has(keyOf(x))),
    changed: after.flatMap((x) => {
      const was = old.get(keyOf(x));
      return was !== undefined && !isDeepStrictEqual(was, x) ? [{ old: was, new: x }] : [];
    }),
  };
}
