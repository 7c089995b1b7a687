// The config layer's public API: load and validate a node's config file, and diff two for reload.
export { loadConfig, parseConfig } from './load.js';
export { diffConfig, type ConfigDiff, type ListDiff, type Change, type RestartKey, type SettingKey } from './diff.js';
export { ConfigError, type ConfigProblem } from './errors.js';
export type { LociConfig, Role, MapServerConfig, DatabaseConfig, RlocConfig, SiteConfig, SiteKey, SitePrefix } from './types.js';
export { toEidPrefix } from './addresses.js';
