// Map-Server (RFC 9301 sections 8.2-8.3): accepts authenticated Map-Registers for the
// prefixes each site may register, merges the ETRs of a site, expires registrations that are
// not refreshed, acknowledges with Map-Notify, and says how a Map-Request for an EID is to be
// answered.
//
// Merging (docs/architecture.md, "Registrations"): a prefix's locator-set is the union of its
// ETRs' registrations. An ETR is its xTR-ID when its Map-Register carries one (I bit), wherever it
// comes from. Without an xTR-ID it is the site's Key ID: a Map-Register without an xTR-ID replaces
// the registration of that prefix made with the same Key ID and no xTR-ID, also when it comes from
// another address (an ETR whose RLOC changed, as Open Overlay Router's ETRs, which send no xTR-ID,
// re-register from their new address). Registrations under other Key IDs or with xTR-IDs stay.
//
// Records are accepted one by one: in an authenticated Map-Register, a record whose prefix the site
// may not register is refused (counted, and left out of the Map-Notify, so the ETR sees which) while
// the others are registered; one bad prefix does not de-register a site. A record with TTL 0
// withdraws the ETR's registration of its prefix (RFC 9301 section 5.4). Registration lifetimes are
// capped. Replays are refused as replay-guard.ts says. Listeners hear of every accepted registration and every
// expiry (the Map-Server workers keep their replica with them), and a refresh verified elsewhere
// extends a registration that has not changed since.
import {
  ALGORITHM_ID,
  encodeAuthenticated,
  formatAddress,
  formatXtrId,
  verifyMessage,
  type LocatorRecord,
  type MapNotify,
  type MappingRecord,
  type MapRegister,
} from '../../packet/index.js';
import { eidPrefixOf, EidTable, formatPrefix, type EidPrefix } from '../../table/index.js';
import type { Clock, Timer } from '../clock.js';
import type { Counters } from '../counters.js';
import type { Endpoint } from '../ports.js';
import { isDeepStrictEqual } from 'node:util';
import { mappingRecord } from '../wire-mapping.js';
import { ReplayGuard } from './replay-guard.js';
import { nonceCheckOf, Sites, type SiteKey, type SiteSpec } from './sites.js';

/** One ETR's registration of one prefix. */
export interface EtrRegistration {
  /** The xTR-ID in hex when the ETR sent one, else its source address: the key of the merge. */
  readonly id: string;
  readonly xtrId?: bigint;
  readonly siteId?: bigint;
  /** The Key ID it registered with: without an xTR-ID, what tells its registration from another ETR's. */
  readonly keyId: number;
  readonly source: Endpoint;
  readonly record: MappingRecord;
  readonly proxyReply: boolean;
  readonly nonce: bigint;
  readonly registeredAt: number;
  readonly expiresAt: number;
}

export interface Registration {
  readonly site: string;
  readonly prefix: EidPrefix;
  readonly etrs: ReadonlyMap<string, EtrRegistration>;
}

export type RejectReason = 'no-records' | 'bad-eid' | 'prefix-not-allowed' | 'mixed-sites' | 'unknown-key' | 'auth-failed' | 'replayed-nonce';

/** A record of an accepted Map-Register that was not registered. */
export interface RefusedRecord {
  prefix: string;
  reason: 'bad-eid' | 'prefix-not-allowed' | 'mixed-sites' | 'table-full';
}

export type RegisterResult =
  | { ok: true; site: string; prefixes: EidPrefix[]; refused: RefusedRecord[]; notify?: Buffer }
  | { ok: false; reason: RejectReason; detail: string };

/** How the mapping system answers for an EID. */
export type Resolution =
  | { kind: 'registered'; registrations: Registration[] }
  /** Inside a configured site prefix, but nothing registered: negative, TTL 1 minute. */
  | { kind: 'unregistered'; prefix: EidPrefix }
  /** Outside every site: negative for the least-specific prefix that holds no EID, TTL 15 minutes. */
  | { kind: 'not-eid'; prefix: EidPrefix };

/** What a listener hears: a Map-Register accepted (new, changed or the same again), or one ETR's registration of a prefix expired. */
export type MapServerEvent =
  | {
      type: 'registered';
      id: string;
      site: SiteSpec;
      key: SiteKey;
      prefixes: EidPrefix[];
      register: MapRegister;
      bytes: Buffer;
      /** Every record registered as sent (none refused or withdrawn) and the nonce unchecked: a repeat of it is a refresh. */
      refreshable: boolean;
    }
  | { type: 'expired'; id: string; prefix: EidPrefix }
  /** The sites were replaced (a reload): what was accepted under the old ones may not be under the new. */
  | { type: 'sites' };

export interface MapServerOptions {
  clock: Clock;
  counters: Counters;
  sites?: readonly SiteSpec[];
  /** Lifetime of a registration without refresh (RFC 9301: 3 minutes, 3 x the 60 s interval). */
  registrationTimeoutMs?: number;
  /** Longest lifetime a Map-Register with the T bit may ask for (default 24 hours). */
  maxRegistrationTtlMs?: number;
  /** Registered prefixes at most (default 2,000,000); records for new prefixes beyond are refused. */
  maxPrefixes?: number;
}

interface Entry {
  site: string;
  prefix: EidPrefix;
  etrs: Map<string, EtrRegistration & { timer: Timer }>;
}

export class MapServer {
  readonly sites: Sites;
  private readonly registered = new EidTable<Entry>();
  private readonly replays = new ReplayGuard();
  private readonly clock: Clock;
  private readonly counters: Counters;
  private readonly timeoutMs: number;
  private readonly maxTtlMs: number;
  private readonly maxPrefixes: number;
  private prefixCount = 0;
  private readonly listeners = new Set<(e: MapServerEvent) => void>();

  constructor(o: MapServerOptions) {
    this.clock = o.clock;
    this.counters = o.counters;
    this.sites = new Sites(o.sites);
    this.timeoutMs = o.registrationTimeoutMs ?? 180_000;
    this.maxTtlMs = o.maxRegistrationTtlMs ?? 86_400_000;
    this.maxPrefixes = o.maxPrefixes ?? 2_000_000;
  }

  /** Handles a decoded Map-Register whose encoded form is `bytes` (the HMAC covers them). */
  register(bytes: Buffer, m: MapRegister, from: Endpoint): RegisterResult {
    const checked = this.check(bytes, m);
    if (!checked.ok) {
      this.counters.inc(`map-register.rejected.${checked.reason}`);
      return checked;
    }
    const { site, accepted, refused, key } = checked;
    const id = m.xtrId !== undefined ? formatXtrId(m.xtrId) : from.address;
    const mode = nonceCheckOf(site);
    const identity = replayIdentity(site, m);
    const changes = accepted.some(({ record, prefix }) => {
      const entry = this.registered.get(prefix);
      const current = entry && sameEtr(entry, id, m)?.record;
      return current ? !isDeepStrictEqual(current, record) : this.replays.withdrew(identity, formatPrefix(prefix));
    });
    const verdict = this.replays.check(mode, identity, m.nonce, m.authData, from.address, changes);
    if (!verdict.ok) {
      this.counters.inc('map-register.rejected.replayed-nonce');
      return { ok: false, reason: 'replayed-nonce', detail: verdict.detail };
    }
    const texts = (ttlZero: boolean) => accepted.filter((a) => (a.record.ttl === 0) === ttlZero).map((a) => formatPrefix(a.prefix));
    this.replays.accept(mode, identity, m.nonce, m.authData, from.address, texts(false), texts(true));
    const now = this.clock.now();
    const kept = accepted.filter(({ record, prefix }) => this.apply(site.name, id, m, record, prefix, from, now, refused));
    for (const r of refused) this.counters.inc(`map-register.record-rejected.${r.reason}`);
    this.counters.inc('map-register.accepted');
    const prefixes = kept.map((a) => a.prefix);
    const refreshable = refused.length === 0 && mode !== 'strict' && kept.every((a) => a.record.ttl > 0);
    this.emit({ type: 'registered', id, site, key, prefixes, register: m, bytes, refreshable });
    const notify = m.wantMapNotify ? { notify: this.notifyFor(m, kept.map((a) => a.record), key.key) } : {};
    return { ok: true, site: site.name, prefixes, refused, ...notify };
  }

  /** Registers (or, with TTL 0, withdraws) one record of ETR id; false when the table is full (refused). */
  private apply(site: string, id: string, m: MapRegister, record: MappingRecord, prefix: EidPrefix, from: Endpoint, now: number, refused: RefusedRecord[]): boolean {
    let entry = this.registered.get(prefix);
    const earlier = entry && sameEtr(entry, id, m);
    if (record.ttl === 0) {
      if (earlier) this.withdraw(entry!, earlier.id);
      return true;
    }
    if (earlier && earlier.id !== id) {
      // The same ETR (no xTR-ID, same Key ID) from another address: its new registration replaces the old.
      this.clock.clearTimer(earlier.timer);
      this.counters.inc('registration.replaced');
      this.remove(entry!, earlier.id);
      entry = this.registered.get(prefix);
    }
    if (!entry) {
      if (this.prefixCount >= this.maxPrefixes) {
        refused.push({ prefix: formatPrefix(prefix), reason: 'table-full' });
        return false;
      }
      entry = { site, prefix, etrs: new Map() };
      this.registered.set(prefix, entry);
      this.prefixCount++;
    }
    this.store(entry, id, m, record, m.nonce, from, now);
    return true;
  }

  /**
   * A refresh of the accepted Map-Register m from ETR id, verified elsewhere (nonce, authentication
   * data and source are the refresh's). The replay guard checks and records it as it does a
   * Map-Register received here, so refreshes count towards an ETR's nonce growth and are known when
   * repeated later. Then it extends each of m's prefixes whose registration still holds m's record.
   * Returns how many it extended, or undefined when the guard refused the refresh (a replay).
   */
  refresh(m: MapRegister, id: string, prefixes: readonly EidPrefix[], nonce: bigint, authData: Buffer, from: Endpoint): number | undefined {
    const held = m.records.flatMap((record, i) => {
      const entry = this.registered.get(prefixes[i]!);
      return entry && entry.etrs.get(id)?.record === record ? [{ entry, record }] : [];
    });
    const site = held.length > 0 ? this.sites.get(held[0]!.entry.site) : undefined;
    if (site) {
      const mode = nonceCheckOf(site);
      const identity = replayIdentity(site, m);
      const verdict = this.replays.check(mode, identity, nonce, authData, from.address, false);
      if (!verdict.ok) {
        this.counters.inc('map-register.rejected.replayed-nonce');
        return undefined;
      }
      this.replays.accept(mode, identity, nonce, authData, from.address, held.map((h) => formatPrefix(h.entry.prefix)));
    }
    const now = this.clock.now();
    for (const { entry, record } of held) this.store(entry, id, m, record, nonce, from, now);
    return held.length;
  }

  /**
   * Whether a Map-Notify-Ack (RFC 9301 section 5.7) is an ETR's, signed with the key of the site its
   * records belong to. This Map-Server sends no unsolicited Map-Notify, so nothing waits for one:
   * an ETR that acknowledges every Map-Notify (lispers.net's would) is only counted.
   */
  verifiesAck(bytes: Buffer, m: MapNotify): boolean {
    const first = m.records[0];
    const prefix = first && eidPrefixOf(first.eid, first.maskLen);
    const site = prefix && this.sites.siteFor(prefix);
    const key = site && site.keys.find((k) => k.keyId === m.keyId && ALGORITHM_ID[k.algorithm] === m.algorithmId);
    return key !== undefined && verifyMessage(bytes, key.key, 0, bytes.length, { truncated: key.truncated ?? false });
  }

  /** Replaces every site at once, or throws RangeError (a prefix in two sites) and changes nothing. */
  setSites(sites: readonly SiteSpec[]): void {
    this.sites.replaceAll(sites);
    this.emit({ type: 'sites' });
  }

  /** Calls listener with every accepted Map-Register, every expiry and every change of the sites; returns the unsubscribe. */
  subscribe(listener: (e: MapServerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The registration of exactly this prefix. */
  registration(prefix: EidPrefix): Registration | undefined {
    return this.registered.get(prefix);
  }

  /** Every registration, in table order. */
  registrations(): Registration[] {
    return [...this.registered.entries()].map((e) => e.value);
  }

  /** The registered mapping for an EID-prefix (longest match, plus registered more-specifics), or a negative answer. */
  resolve(eid: EidPrefix): Resolution {
    // RFC 9301 section 5.5: the longest match and every registered prefix inside it.
    const match = this.registered.match(eid);
    if (match) return { kind: 'registered', registrations: [...this.registered.moreSpecifics(match.prefix)].map((e) => e.value) };
    const configured = this.sites.configured(eid);
    if (configured) return { kind: 'unregistered', prefix: configured };
    return { kind: 'not-eid', prefix: this.sites.outside(eid) ?? eid };
  }

  /** The site, its key and the records it may register, of an authenticated Map-Register; or why it is refused whole. */
  private check(bytes: Buffer, m: MapRegister) {
    if (m.records.length === 0) return reject('no-records', 'the Map-Register has no records');
    const accepted: { record: MappingRecord; prefix: EidPrefix }[] = [];
    const refused: RefusedRecord[] = [];
    let site: SiteSpec | undefined;
    let firstProblem: { reason: RejectReason; detail: string } | undefined;
    for (const record of m.records) {
      const p = eidPrefixOf(record.eid, record.maskLen);
      const text = p ? formatPrefix(p) : `${formatAddress(record.eid)}/${record.maskLen}`;
      const s = p && this.sites.siteFor(p);
      const reason = !p ? 'bad-eid' : !s ? 'prefix-not-allowed' : site && s !== site ? 'mixed-sites' : undefined;
      if (reason) {
        refused.push({ prefix: text, reason });
        firstProblem ??= { reason, detail: !p ? `record EID of mask-len ${record.maskLen} is not an IPv4, IPv6 or MAC prefix` : `${text} is not a prefix of any site` };
        continue;
      }
      site = s!;
      accepted.push({ record, prefix: p! });
    }
    if (!site) return reject(firstProblem!.reason, firstProblem!.detail);
    const key = site.keys.find((k) => k.keyId === m.keyId && ALGORITHM_ID[k.algorithm] === m.algorithmId);
    if (!key) return reject('unknown-key', `site ${site.name} has no key ${m.keyId} for algorithm ${m.algorithmId}`);
    if (!verifyMessage(bytes, key.key, 0, bytes.length, { truncated: key.truncated ?? false })) {
      return reject('auth-failed', `authentication data does not verify with site ${site.name}'s key ${m.keyId}`);
    }
    return { ok: true as const, site, accepted, refused, key };
  }

  /** The Map-Notify that acknowledges a Map-Register: same nonce and IDs, the records accepted, signed with the same key. */
  private notifyFor(m: MapRegister, records: MappingRecord[], key: string): Buffer {
    const notify: MapNotify = {
      type: 'map-notify',
      rtr: false,
      nonce: m.nonce,
      keyId: m.keyId,
      algorithmId: m.algorithmId,
      authData: Buffer.alloc(0),
      records,
      ...(m.xtrId !== undefined && m.siteId !== undefined ? { xtrId: m.xtrId, siteId: m.siteId } : {}),
    };
    return encodeAuthenticated(notify, key);
  }

  /** Sets (or replaces) ETR id's registration of entry's prefix, expiring as m asks. */
  private store(entry: Entry, id: string, m: MapRegister, record: MappingRecord, nonce: bigint, from: Endpoint, now: number): void {
    const old = entry.etrs.get(id);
    if (old) this.clock.clearTimer(old.timer);
    const expiresAt = now + (m.useTtl ? Math.min(record.ttl * 60_000, this.maxTtlMs) : this.timeoutMs);
    const timer = this.clock.setTimer(expiresAt, () => this.expire(entry, id));
    entry.etrs.set(id, {
      id,
      ...(m.xtrId !== undefined ? { xtrId: m.xtrId } : {}),
      ...(m.siteId !== undefined ? { siteId: m.siteId } : {}),
      keyId: m.keyId,
      source: from,
      record,
      proxyReply: m.proxyReply,
      nonce,
      registeredAt: now,
      expiresAt,
      timer,
    });
  }

  private expire(entry: Entry, id: string): void {
    this.counters.inc('registration.expired');
    this.remove(entry, id);
  }

  /** A record with TTL 0: the ETR takes back its registration of the prefix. */
  private withdraw(entry: Entry, id: string): void {
    this.clock.clearTimer(entry.etrs.get(id)!.timer);
    this.counters.inc('registration.withdrawn');
    this.remove(entry, id);
  }

  private remove(entry: Entry, id: string): void {
    entry.etrs.delete(id);
    if (entry.etrs.size === 0 && this.registered.delete(entry.prefix)) this.prefixCount--;
    this.emit({ type: 'expired', id, prefix: entry.prefix });
  }

  private emit(e: MapServerEvent): void {
    for (const listener of this.listeners) listener(e);
  }
}

const reject = (reason: RejectReason, detail: string) => ({ ok: false as const, reason, detail });

/**
 * The registration in entry of the ETR that sent m from ETR id: the one of its xTR-ID, or, when m
 * has none, the one made with m's Key ID and no xTR-ID (from whichever address).
 */
function sameEtr(entry: Entry, id: string, m: MapRegister): (EtrRegistration & { timer: Timer }) | undefined {
  const own = entry.etrs.get(id);
  if (own || m.xtrId !== undefined) return own;
  for (const etr of entry.etrs.values()) if (etr.xtrId === undefined && etr.keyId === m.keyId) return etr;
  return undefined;
}

/** Whose nonces the replay guard follows: the site, Key ID and xTR-ID, never the source address (a replayer chooses it). */
const replayIdentity = (site: SiteSpec, m: MapRegister): string => `${site.name}|${m.keyId}|${m.xtrId?.toString(16) ?? '-'}`;

/** Whether a Map-Request resolving to these registrations gets a proxy reply: one of their ETRs asked for it. */
export function wantsProxyReply(registrations: readonly Registration[]): boolean {
  return registrations.some((r) => [...r.etrs.values()].some((e) => e.proxyReply));
}

/** The records of a proxy reply (RFC 9301 section 8.3): not authoritative, no L or p bits, the first ETR's TTL. */
export function proxyReplyRecords(registrations: readonly Registration[]): MappingRecord[] {
  return registrations.map((r) =>
    mappingRecord(r.prefix, mergedLocators(r).map((l) => ({ ...l, local: false, probed: false })), [...r.etrs.values()][0]!.record.ttl, false),
  );
}

/** The merged locator-set of a registration: every ETR's locators, one per address, in RFC 9301 order. */
export function mergedLocators(r: Registration): LocatorRecord[] {
  const byAddress = new Map<string, LocatorRecord>();
  for (const etr of r.etrs.values()) for (const l of etr.record.locators) byAddress.set(formatAddress(l.address), l);
  return [...byAddress.values()];
}
