// The local database (RFC 9300 section 3, "EID-to-RLOC Database"): our own EID-prefixes and their
// locators, which an ETR registers and answers Map-Requests for. Its table can be shared with a
// map-cache (see MapCacheOptions.localDatabase) so that one lookup tells local from cached prefixes.
import { EidTable } from './eid-table.js';
import { Listeners } from './listeners.js';
import { withLocatorState, type Locator } from './locator.js';
import type { LocalMapping, MapCacheEntry, Mapping } from './mapping.js';
import type { EidPrefix } from './prefix.js';

export type LocalDatabaseEvent =
  /** displaced: the map-cache entry this prefix replaced in a shared table. */
  | { readonly type: 'add'; readonly mapping: LocalMapping; readonly displaced?: MapCacheEntry }
  | { readonly type: 'update'; readonly mapping: LocalMapping }
  | { readonly type: 'remove'; readonly mapping: LocalMapping };

export class LocalDatabase {
  /** Holds the local mappings, and the map-cache entries of a map-cache sharing it. */
  readonly table = new EidTable<Mapping>();
  private count = 0;
  private readonly listeners = new Listeners<LocalDatabaseEvent>();

  get size(): number {
    return this.count;
  }

  /** Adds or replaces the mapping of one of our EID-prefixes. */
  set(eid: EidPrefix, locators: readonly Locator[], mapVersion = 0): LocalMapping {
    const mapping: LocalMapping = { local: true, eid, locators, mapVersion };
    const previous = this.table.get(eid);
    this.table.set(eid, mapping);
    if (previous?.local) this.listeners.emit({ type: 'update', mapping });
    else {
      this.count++;
      this.listeners.emit(previous ? { type: 'add', mapping, displaced: previous } : { type: 'add', mapping });
    }
    return mapping;
  }

  /** The mapping of exactly this prefix. */
  get(eid: EidPrefix): LocalMapping | undefined {
    const m = this.table.get(eid);
    return m?.local ? m : undefined;
  }

  delete(eid: EidPrefix): boolean {
    const mapping = this.get(eid);
    if (!mapping) return false;
    this.table.delete(eid);
    this.count--;
    this.listeners.emit({ type: 'remove', mapping });
    return true;
  }

  /** The longest of our prefixes containing eid (an address or a prefix). */
  lookup(eid: EidPrefix): LocalMapping | undefined {
    return this.table
      .lessSpecifics(eid)
      .map((e) => e.value)
      .filter((m): m is LocalMapping => m.local)
      .pop();
  }

  /** Marks the locators at address up or down; false if the prefix or the address is unknown or nothing changes. */
  setLocatorState(eid: EidPrefix, address: string, state: Locator['state']): boolean {
    const mapping = this.get(eid);
    const locators = mapping && withLocatorState(mapping.locators, address, state);
    if (!mapping || !locators) return false;
    this.set(eid, locators, mapping.mapVersion);
    return true;
  }

  /** Our mappings in prefix order. */
  *entries(): IterableIterator<LocalMapping> {
    for (const { value } of this.table.entries()) if (value.local) yield value;
  }

  subscribe(listener: (event: LocalDatabaseEvent) => void): () => void {
    return this.listeners.add(listener);
  }
}
