// The typed config, inferred from the schema: camelCase keys (case.ts), every optional key filled in
// by defaults.ts, so nothing in it is optional.
import type { CamelKeys } from './case.js';
import type { FileConfig } from './schema.js';

type Complete<T> = T extends readonly (infer U)[]
  ? Complete<U>[]
  : T extends object
    ? { [K in keyof T]-?: Complete<Exclude<T[K], undefined>> }
    : T;

/** The validated file before defaults: camelCase keys, knobs still optional. */
export type ConfigInput = CamelKeys<FileConfig>;

export type LociConfig = Complete<ConfigInput>;
export type Role = LociConfig['roles'][number];
export type MapServerConfig = LociConfig['mapServers'][number];
export type DatabaseConfig = LociConfig['database'][number];
export type RlocConfig = DatabaseConfig['rlocs'][number];
export type SiteConfig = LociConfig['sites'][number];
export type SiteKey = SiteConfig['keys'][number];
export type SitePrefix = SiteConfig['eidPrefixes'][number];
