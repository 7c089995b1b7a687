/**
 * The map-cache (RFC 9300 section 6, RFC 9301 sections 5.5 and 8.1): remote EID-prefix to
 * locator-set mappings learned on demand, with TTLs, negative entries, static entries, refresh of
 * the entries in use, least-recently-used eviction and change events.
 *
 *   resolving --install--> active | negative --TTL--> expired --expiredHoldMs--> removed
 *   resolving --resolveTimeoutMs--> removed;  expired --resolving()--> resolving
 *   An active or negative entry looked up since it was installed gets a 'refresh' event
 *   refreshBeforeMs before it expires (at most half its TTL before), once per install.
 *   Static entries never expire and are never evicted; learned mappings do not replace them.
 *
 * Given a local database, the map-cache shares its table: lookups then return local mappings too
 * (`local: true`), a local prefix is never cached, and adding one removes a cached entry for it.
 */
import { EidTable } from './eid-table.js';
import { Listeners } from './listeners.js';
import type { LocalDatabase } from './local-database.js';
import { withLocatorState, type Locator, type UnderlayFamily } from './locator.js';
import type { MapCacheEntry, MapCacheState, Mapping, NegativeAction } from './mapping.js';
import type { EidPrefix } from './prefix.js';
import { RlocSelection } from './rloc-select.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

export interface MappingUpdate {
  /** The locator-set; empty for a negative mapping. */
  readonly locators: readonly Locator[];
  /** Record TTL in ms (the wire carries minutes); 0 removes the entry. Ignored for static entries. */
  readonly ttlMs: number;
  /** ACT of a negative mapping (default 'no-action'). */
  readonly action?: NegativeAction;
  /** Map-Version (RFC 9302), 0 for none. */
  readonly mapVersion?: number;
}

/** deleted: by delete() or flush() or a TTL of 0; superseded: by a covering install or a local prefix. */
export type RemoveReason = 'expired' | 'evicted' | 'deleted' | 'superseded';

export type MapCacheEvent =
  | { readonly type: 'add'; readonly entry: MapCacheEntry }
  | { readonly type: 'update'; readonly entry: MapCacheEntry; readonly previous: MapCacheState }
  | { readonly type: 'remove'; readonly entry: MapCacheEntry; readonly reason: RemoveReason }
  /** The entry is in use and expires soon: send a Map-Request for it. */
  | { readonly type: 'refresh'; readonly entry: MapCacheEntry };

export interface MapCacheOptions {
  readonly scheduler: Scheduler;
  readonly localDatabase?: LocalDatabase;
  /** Most entries other than static ones; beyond it the least recently used is evicted. Default: no limit. */
  readonly maxEntries?: number;
  /** Default 60 000. */
  readonly refreshBeforeMs?: number;
  /** How long an expired entry stays before it is removed. Default 60 000. */
  readonly expiredHoldMs?: number;
  /** How long a resolving entry waits for a mapping. Default 30 000. */
  readonly resolveTimeoutMs?: number;
  /** Underlay families this node can send on; locators of other families are never selected. */
  readonly families?: ReadonlySet<UnderlayFamily>;
}

class CacheEntry implements MapCacheEntry {
  readonly local = false;
  state: MapCacheState = 'resolving';
  locators: readonly Locator[] = [];
  selection: RlocSelection = RlocSelection.EMPTY;
  action: NegativeAction = 'no-action';
  ttlMs = 0;
  mapVersion = 0;
  updatedAt: number;
  expiresAt = Infinity;
  hits = 0;
  /** hits when last installed: the entry is in use if hits went past it. */
  hitsAtInstall = 0;
  /** When to send the 'refresh' event; Infinity once sent or if none is due. */
  refreshAt = Infinity;
  timer: TimerHandle | undefined;
  /** Neighbours in the LRU list (most recent first); static entries are not in it. */
  newer: CacheEntry | undefined;
  older: CacheEntry | undefined;

  readonly 'static': boolean;

  constructor(
    readonly eid: EidPrefix,
    isStatic: boolean,
    readonly createdAt: number,
    readonly cache: MapCache,
  ) {
    this.static = isStatic;
    this.updatedAt = createdAt;
  }
}

export class MapCache {
  /** The table lookups go to, shared with the local database if there is one. */
  readonly table: EidTable<Mapping>;
  private readonly scheduler: Scheduler;
  private maxEntries: number;
  private readonly refreshBeforeMs: number;
  private readonly expiredHoldMs: number;
  private readonly resolveTimeoutMs: number;
  private readonly families: ReadonlySet<UnderlayFamily> | undefined;
  private readonly listeners = new Listeners<MapCacheEvent>();
  private count = 0;
  private dynamic = 0;
  private newest: CacheEntry | undefined;
  private oldest: CacheEntry | undefined;

  constructor(options: MapCacheOptions) {
    this.scheduler = options.scheduler;
    this.maxEntries = options.maxEntries ?? Infinity;
    this.refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
    this.expiredHoldMs = options.expiredHoldMs ?? 60_000;
    this.resolveTimeoutMs = options.resolveTimeoutMs ?? 30_000;
    this.families = options.families;
    this.table = options.localDatabase?.table ?? new EidTable<Mapping>();
    options.localDatabase?.subscribe((event) => {
      if (event.type === 'add' && event.displaced instanceof CacheEntry && event.displaced.cache === this) {
        this.remove(event.displaced, 'superseded');
      }
    });
  }

  /** A new bound on the entries other than static ones: beyond it, the least recently used go at once. */
  setMaxEntries(n: number): void {
    this.maxEntries = n;
    while (this.dynamic > this.maxEntries && this.oldest) this.remove(this.oldest, 'evicted');
  }

  /** Entries, static ones included (local mappings are not counted). */
  get size(): number {
    return this.count;
  }

  /** Longest match of an IPv4 EID (a 32-bit integer) in an instance; counts as a use of a cache entry. */
  lookup4(iid: number, address: number): Mapping | undefined {
    return this.touch(this.table.lookup4(iid, address));
  }

  /** Longest match of the IPv6 EID at bytes[offset...]; counts as a use of a cache entry. */
  lookup6(iid: number, bytes: Uint8Array, offset = 0): Mapping | undefined {
    return this.touch(this.table.lookup6(iid, bytes, offset));
  }

  /** The entry of the MAC EID at bytes[offset...]; counts as a use of a cache entry. */
  lookupMac(iid: number, bytes: Uint8Array, offset = 0): Mapping | undefined {
    return this.touch(this.table.lookupMac(iid, bytes, offset));
  }

  /** Longest match of an EID given as a prefix (a host prefix for an address); counts as a use. */
  lookup(eid: EidPrefix): Mapping | undefined {
    return this.touch(this.table.match(eid)?.value);
  }

  /** The entry of exactly this prefix (not counted as a use). */
  get(eid: EidPrefix): MapCacheEntry | undefined {
    const m = this.table.get(eid);
    return m && !m.local ? m : undefined;
  }

  /** Entries in prefix order (by instance-id, family, address). */
  *entries(): IterableIterator<MapCacheEntry> {
    for (const { value } of this.table.entries()) if (!value.local) yield value;
  }

  /**
   * Notes that a Map-Request for eid is out: adds a resolving entry, or turns an expired one back to
   * resolving. Returns the entry (an existing one as it is), or undefined if eid is a local prefix.
   */
  resolving(eid: EidPrefix): MapCacheEntry | undefined {
    const existing = this.table.get(eid);
    if (existing?.local) return undefined;
    if (existing) {
      const e = existing as CacheEntry;
      if (e.state === 'expired') {
        e.updatedAt = this.scheduler.now();
        this.changeState(e, 'resolving');
      }
      return e;
    }
    const e = this.add(eid, false);
    this.schedule(e);
    this.listeners.emit({ type: 'add', entry: e });
    return e;
  }

  /**
   * Installs a learned mapping (a Map-Reply record): replaces the entry of eid unless it is static,
   * removes the resolving and expired entries inside eid, and expires no later than the cached
   * more-specifics (RFC 9301 section 5.5). Returns the entry, or undefined if the TTL is 0 or eid is
   * a local prefix.
   */
  install(eid: EidPrefix, record: MappingUpdate): MapCacheEntry | undefined {
    const existing = this.table.get(eid);
    if (existing?.local) return undefined;
    let e = existing as CacheEntry | undefined;
    if (e?.static) return e;
    if (record.ttlMs <= 0) {
      if (e) this.remove(e, 'deleted');
      return undefined;
    }
    const now = this.scheduler.now();
    let expiresAt = now + record.ttlMs;
    for (const { value } of [...this.table.moreSpecifics(eid)]) {
      if (value.local || value === e || value.static) continue;
      if (value.state === 'resolving' || value.state === 'expired') this.remove(value as CacheEntry, 'superseded');
      else expiresAt = Math.min(expiresAt, value.expiresAt);
    }
    const previous = e?.state;
    e ??= this.add(eid, false);
    this.fill(e, record, now);
    e.expiresAt = expiresAt;
    const lead = Math.min(this.refreshBeforeMs, (expiresAt - now) / 2);
    e.refreshAt = lead > 0 ? expiresAt - lead : Infinity;
    this.schedule(e);
    this.listeners.emit(previous === undefined ? { type: 'add', entry: e } : { type: 'update', entry: e, previous });
    return e;
  }

  /**
   * Adds or replaces a static entry (configured, e.g. towards a PETR). A learned entry for the
   * prefix is replaced. Returns undefined if eid is a local prefix.
   */
  addStatic(eid: EidPrefix, record: Omit<MappingUpdate, 'ttlMs'>): MapCacheEntry | undefined {
    const existing = this.table.get(eid);
    if (existing?.local) return undefined;
    let e = existing as CacheEntry | undefined;
    if (e && !e.static) {
      this.remove(e, 'superseded');
      e = undefined;
    }
    const previous = e?.state;
    e ??= this.add(eid, true);
    this.fill(e, { ...record, ttlMs: Infinity }, this.scheduler.now());
    this.listeners.emit(previous === undefined ? { type: 'add', entry: e } : { type: 'update', entry: e, previous });
    return e;
  }

  /** Marks the locators at address of the entry of eid up or down (RLOC-probing, ICMP, ...). */
  setLocatorState(eid: EidPrefix, address: string, state: Locator['state']): boolean {
    const e = this.get(eid) as CacheEntry | undefined;
    const locators = e && withLocatorState(e.locators, address, state);
    if (!e || !locators) return false;
    e.locators = locators;
    e.selection = new RlocSelection(locators, { families: this.families });
    this.listeners.emit({ type: 'update', entry: e, previous: e.state });
    return true;
  }

  delete(eid: EidPrefix): boolean {
    const e = this.get(eid) as CacheEntry | undefined;
    if (e) this.remove(e, 'deleted');
    return e !== undefined;
  }

  /** Removes every entry but the static ones; returns how many. */
  flush(): number {
    let n = 0;
    while (this.oldest) {
      this.remove(this.oldest, 'deleted');
      n++;
    }
    return n;
  }

  subscribe(listener: (event: MapCacheEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  private touch(m: Mapping | undefined): Mapping | undefined {
    if (m === undefined || m.local) return m;
    const e = m as CacheEntry;
    e.hits++;
    if (e !== this.newest && !e.static) {
      this.unlink(e);
      this.linkNewest(e);
    }
    return m;
  }

  /** A new entry in the table (its 'add' event is the caller's, once the entry is filled in). */
  private add(eid: EidPrefix, isStatic: boolean): CacheEntry {
    if (!isStatic) {
      while (this.dynamic >= this.maxEntries && this.oldest) this.remove(this.oldest, 'evicted');
    }
    const e = new CacheEntry(eid, isStatic, this.scheduler.now(), this);
    this.table.set(eid, e);
    this.count++;
    if (!isStatic) {
      this.dynamic++;
      this.linkNewest(e);
    }
    return e;
  }

  private fill(e: CacheEntry, record: MappingUpdate, now: number): void {
    const positive = record.locators.length > 0;
    e.state = positive ? 'active' : 'negative';
    e.locators = record.locators;
    e.selection = positive ? new RlocSelection(record.locators, { families: this.families }) : RlocSelection.EMPTY;
    e.action = positive ? 'no-action' : (record.action ?? 'no-action');
    e.ttlMs = record.ttlMs;
    e.mapVersion = record.mapVersion ?? 0;
    e.updatedAt = now;
    e.expiresAt = now + record.ttlMs;
    e.hitsAtInstall = e.hits;
  }

  private remove(e: CacheEntry, reason: RemoveReason): void {
    if (e.timer) this.scheduler.clearTimer(e.timer);
    e.timer = undefined;
    if (this.table.get(e.eid) === e) this.table.delete(e.eid);
    this.count--;
    if (!e.static) {
      this.dynamic--;
      this.unlink(e);
    }
    this.listeners.emit({ type: 'remove', entry: e, reason });
  }

  private changeState(e: CacheEntry, state: MapCacheState): void {
    const previous = e.state;
    e.state = state;
    this.schedule(e);
    this.listeners.emit({ type: 'update', entry: e, previous });
  }

  /** Sets the entry's one timer for its next event. */
  private schedule(e: CacheEntry): void {
    if (e.timer) this.scheduler.clearTimer(e.timer);
    e.timer = undefined;
    if (e.static) return;
    let at: number;
    if (e.state === 'resolving') at = e.updatedAt + this.resolveTimeoutMs;
    else if (e.state === 'expired') at = e.expiresAt + this.expiredHoldMs;
    else at = Math.min(e.refreshAt, e.expiresAt);
    e.timer = this.scheduler.setTimer(at, () => this.onTimer(e));
  }

  private onTimer(e: CacheEntry): void {
    e.timer = undefined;
    if (e.state === 'resolving' || e.state === 'expired') {
      this.remove(e, 'expired');
      return;
    }
    if (this.scheduler.now() < e.expiresAt) {
      e.refreshAt = Infinity;
      this.schedule(e);
      if (e.hits > e.hitsAtInstall) this.listeners.emit({ type: 'refresh', entry: e });
      return;
    }
    this.changeState(e, 'expired');
  }

  private linkNewest(e: CacheEntry): void {
    e.older = this.newest;
    e.newer = undefined;
    if (this.newest) this.newest.newer = e;
    this.newest = e;
    this.oldest ??= e;
  }

  private unlink(e: CacheEntry): void {
    if (e.newer) e.newer.older = e.older;
    else if (this.newest === e) this.newest = e.older;
    if (e.older) e.older.newer = e.newer;
    else if (this.oldest === e) this.oldest = e.newer;
    e.newer = undefined;
    e.older = undefined;
  }
}
