// Mapping tables: LPM tables keyed by (instance-id, address family, prefix), the map-cache, the
// local database, RLOC selection and flow hashing. See docs/tables.md.
export {
  FAMILY_BYTES,
  formatAddress,
  formatPrefix,
  makePrefix,
  parseAddress,
  parsePrefix,
  prefixContains,
  prefixEquals,
  type EidPrefix,
  type Family,
} from './prefix.js';
export { Ipv4Lpm, Ipv6Lpm, Lpm, type LpmEntry } from './lpm.js';
export { EidTable, type TableEntry } from './eid-table.js';
export { withLocatorState, type Locator, type UnderlayFamily } from './locator.js';
export { RlocSelection, type SelectionOptions } from './rloc-select.js';
export { flowHash4, packetFlowHash, udpSourcePort } from './flow-hash.js';
export type { Scheduler, TimerHandle } from './scheduler.js';
export type { LocalMapping, MapCacheEntry, MapCacheState, Mapping, NegativeAction } from './mapping.js';
export { LocalDatabase, type LocalDatabaseEvent } from './local-database.js';
export { MapCache, type MapCacheEvent, type MapCacheOptions, type MappingUpdate, type RemoveReason } from './map-cache.js';
export { eidPrefixOf, hostPrefixOf, addressOf } from './eid-address.js';
