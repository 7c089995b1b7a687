// The DDT Map-Resolver's referral cache (RFC 8111 section 8.1): what DDT nodes and Map-Servers
// answered, by XEID-prefix, until their TTL ends. Positive entries (node-referral, ms-referral,
// ms-ack) say whom to ask; negative ones (ms-not-registered, delegation-hole) answer by themselves.
// Longest match; bounded: beyond its size the least recently used entry goes.
import type { ReferralAction } from '../../packet/index.js';
import { EidTable, formatPrefix, type EidPrefix } from '../../table/index.js';
import type { Clock } from '../clock.js';
import type { Counters } from '../counters.js';

export interface CachedReferral {
  readonly prefix: EidPrefix;
  readonly action: ReferralAction;
  /** Whom to ask, the last one that answered first. */
  readonly refs: string[];
  /** Record TTL in minutes, as received. */
  readonly ttl: number;
  readonly expiresAt: number;
}

export const isNegative = (action: ReferralAction): boolean => action === 'ms-not-registered' || action === 'delegation-hole';

export class ReferralCache {
  private readonly table = new EidTable<CachedReferral>();
  /** Keys in order of use, least recent first. */
  private readonly used = new Map<string, EidPrefix>();

  constructor(
    private readonly clock: Clock,
    private readonly counters: Counters,
    private maxEntries: number,
  ) {}

  get size(): number {
    return this.table.size;
  }

  /** The longest live entry holding eid (expired ones on the way are removed). */
  lookup(eid: EidPrefix): CachedReferral | undefined {
    const now = this.clock.now();
    const found = this.table.lessSpecifics(eid);
    for (let i = found.length - 1; i >= 0; i--) {
      const e = found[i]!.value;
      if (e.expiresAt > now) {
        this.touch(e.prefix);
        return e;
      }
      this.delete(e.prefix);
    }
    return undefined;
  }

  /** Caches a referral for ttl minutes (0: not at all). */
  set(prefix: EidPrefix, action: ReferralAction, refs: readonly string[], ttl: number): void {
    if (ttl <= 0) return;
    this.table.set(prefix, { prefix, action, refs: [...refs], ttl, expiresAt: this.clock.now() + ttl * 60_000 });
    this.touch(prefix);
    this.trim();
  }

  delete(prefix: EidPrefix): void {
    this.table.delete(prefix);
    this.used.delete(formatPrefix(prefix));
  }

  /** The RLOC that answered goes first in the entry of that prefix, if cached. */
  prefer(prefix: EidPrefix, address: string): void {
    const refs = this.table.get(prefix)?.refs;
    const i = refs?.indexOf(address) ?? -1;
    if (i > 0) refs!.unshift(...refs!.splice(i, 1));
  }

  resize(maxEntries: number): void {
    this.maxEntries = maxEntries;
    this.trim();
  }

  private touch(prefix: EidPrefix): void {
    const key = formatPrefix(prefix);
    this.used.delete(key);
    this.used.set(key, prefix);
  }

  private trim(): void {
    for (const prefix of this.used.values()) {
      if (this.table.size <= this.maxEntries) return;
      this.delete(prefix);
      this.counters.inc('ddt.referral-cache.evicted');
    }
  }
}
