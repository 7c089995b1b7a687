// What a lookup in the EID table shared by the local database and the map-cache returns: a local
// mapping (one of our own EID-prefixes) or a map-cache entry, told apart by `local` (OpenLISP's
// LOCAL flag).
import type { EidPrefix } from './prefix.js';
import type { Locator } from './locator.js';
import type { RlocSelection } from './rloc-select.js';

/** What an ITR does with packets matching a negative mapping (ACT, RFC 9301 section 5.4). */
export type NegativeAction =
  | 'no-action'
  | 'natively-forward'
  | 'send-map-request'
  | 'drop'
  | 'drop-policy-denied'
  | 'drop-auth-failure';

/**
 * resolving: a Map-Request is out, no mapping yet; active: a locator-set; negative: no locators,
 * follow `action`; expired: the TTL ran out and no fresh mapping came (kept a while, then removed).
 */
export type MapCacheState = 'resolving' | 'active' | 'negative' | 'expired';

export interface LocalMapping {
  readonly local: true;
  readonly eid: EidPrefix;
  readonly locators: readonly Locator[];
  /** Map-Version (RFC 9302), 0 for none. */
  readonly mapVersion: number;
}

export interface MapCacheEntry {
  readonly local: false;
  readonly eid: EidPrefix;
  readonly state: MapCacheState;
  /** Configured: never expires, never evicted, not replaced by learned mappings. */
  readonly static: boolean;
  readonly locators: readonly Locator[];
  /** Picks a locator for a flow hash (empty for negative, resolving and expired-without-locators entries). */
  readonly selection: RlocSelection;
  /** For negative entries; 'no-action' otherwise. */
  readonly action: NegativeAction;
  readonly ttlMs: number;
  /** Map-Version (RFC 9302), 0 for none. */
  readonly mapVersion: number;
  /** Scheduler times (ms). expiresAt is Infinity for static entries. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number;
  /** Lookups that returned this entry. */
  readonly hits: number;
}

export type Mapping = LocalMapping | MapCacheEntry;
