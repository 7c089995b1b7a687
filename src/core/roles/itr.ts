// ITR control (RFC 9301 sections 5.3, 6.1, 8.1): resolves EIDs through the Map-Resolvers
// (an ECM Map-Request; retransmitted with back-off, then the next Map-Resolver), at most one
// request per EID-prefix per second, accepts only Map-Replies whose nonce is outstanding,
// caches what they say (positive or negative), re-resolves on SMR.
//
// What a reply may install (RFC 9301 section 5.5): a record whose prefix covers the EID asked
// for, and more-specifics inside such a record (a Map-Server returns the longest match plus the
// registered prefixes inside it); nothing else, whoever sends it. TTLs are capped. The 64-bit
// random nonce, used once, is what ties a reply to its request: replies legitimately come from the
// Map-Resolver, a Map-Server (proxy reply) or any RLOC of the ETR.
import { isIPv6 } from 'node:net';
import {
  encapsulate,
  encodeMessage,
  mapRequestFor,
  randomNonce,
  type MapReply,
  type MapRequest,
} from '../../packet/index.js';
import { addressOf, eidPrefixOf, formatAddress as formatEidAddress, formatPrefix, hostPrefixOf, prefixContains, type EidPrefix, type MapCache } from '../../table/index.js';
import type { Clock, Timer } from '../clock.js';
import type { Counters } from '../counters.js';
import type { Endpoint } from '../ports.js';
import { mappingUpdate } from '../wire-mapping.js';

export interface ItrOptions {
  clock: Clock;
  counters: Counters;
  mapCache: MapCache;
  mapResolvers: readonly Endpoint[];
  /** Our RLOCs: sent as ITR-RLOCs, one per family. */
  itrRlocs(): string[];
  /** The control port replies come back to. */
  replyPort(): number;
  send(data: Buffer, to: Endpoint): void;
  /** First retransmission after this, doubling (RFC 9301: 1 s). */
  retransmitMs?: number;
  /** Requests to one Map-Resolver before the next one is tried. */
  triesPerResolver?: number;
  /** At most one Map-Request per EID-prefix per this interval (RFC 9301: 1 s). */
  rateLimitMs?: number;
  /** Outstanding Map-Requests at most; more misses wait for the next ones (default 10,000). */
  maxOutstanding?: number;
  /** Record TTLs above this are cut to it (default 1,440 minutes, RFC 9301's recommended TTL). */
  maxTtlMinutes?: number;
}

interface Pending {
  eid: EidPrefix;
  nonce: bigint;
  smrInvoked: boolean;
  /** Requests sent to the current resolver. */
  tries: number;
  /** Index of the resolver asked, and how many resolvers have been asked. */
  resolver: number;
  resolversTried: number;
  timer?: Timer;
}

export class Itr {
  private readonly pending = new Map<bigint, Pending>();
  /** EID-prefix -> when it was last asked for, in that order; only the last rateLimitMs are kept. */
  private readonly lastRequest = new Map<string, number>();
  private readonly retransmitMs: number;
  private readonly triesPerResolver: number;
  private readonly rateLimitMs: number;
  private readonly maxOutstanding: number;
  private readonly maxTtlMinutes: number;
  /** The Map-Resolver that answered last: new requests go there first. */
  private preferred = 0;
  private resolvers: readonly Endpoint[];

  constructor(private readonly o: ItrOptions) {
    this.retransmitMs = o.retransmitMs ?? 1000;
    this.triesPerResolver = o.triesPerResolver ?? 2;
    this.rateLimitMs = o.rateLimitMs ?? 1000;
    this.maxOutstanding = o.maxOutstanding ?? 10_000;
    this.maxTtlMinutes = o.maxTtlMinutes ?? 1440;
    this.resolvers = o.mapResolvers;
  }

  /** Replaces the Map-Resolvers (a reload): new requests and the retransmissions of pending ones go to the new list, first one first. */
  setMapResolvers(resolvers: readonly Endpoint[]): void {
    this.resolvers = resolvers;
    this.preferred = 0;
    for (const p of this.pending.values()) Object.assign(p, { resolver: 0, resolversTried: 1, tries: 0 });
  }

  /** Asks the mapping system for eid (a map-cache miss or refresh); false when rate-limited or no resolver. */
  resolve(eid: EidPrefix, smrInvoked = false): boolean {
    const key = formatPrefix(eid);
    const now = this.o.clock.now();
    this.forgetOldRequests(now);
    if (this.lastRequest.has(key)) {
      this.o.counters.inc('map-request.rate-limited');
      return false;
    }
    if (this.resolvers.length === 0) return false;
    if (this.pending.size >= this.maxOutstanding) {
      this.o.counters.inc('map-request.too-many-outstanding');
      return false;
    }
    this.lastRequest.set(key, now);
    this.o.mapCache.resolving(eid);
    this.send({ eid, nonce: randomNonce(), smrInvoked, tries: 0, resolver: this.preferred, resolversTried: 1 });
    return true;
  }

  /** A Map-Reply: its records that answer the request are cached when its nonce is one we wait for; the rest is counted. */
  handleReply(m: MapReply): void {
    const p = this.pending.get(m.nonce);
    if (!p) {
      this.o.counters.inc('map-reply.unmatched-nonce');
      return;
    }
    if (p.timer) this.o.clock.clearTimer(p.timer);
    this.pending.delete(m.nonce);
    this.preferred = p.resolver;
    const prefixes = m.records.map((r) => eidPrefixOf(r.eid, r.maskLen));
    const covering = prefixes.filter((e): e is EidPrefix => e !== undefined && prefixContains(e, p.eid));
    m.records.forEach((r, i) => {
      const eid = prefixes[i];
      if (!eid || !covering.some((c) => prefixContains(c, eid))) {
        this.o.counters.inc('map-reply.record-rejected.not-requested');
        return;
      }
      if (r.ttl > this.maxTtlMinutes) this.o.counters.inc('map-reply.ttl-capped');
      this.o.mapCache.install(eid, mappingUpdate(r, this.maxTtlMinutes));
    });
    this.o.counters.inc('map-reply.accepted');
  }

  /** An SMR: re-resolve the source EID's prefix if we have it cached (never trust the SMR's own content). */
  handleSmr(m: MapRequest): void {
    const eid = hostPrefixOf(m.sourceEid);
    const cached = eid && this.o.mapCache.table.match(eid)?.value;
    if (!cached || cached.local) {
      this.o.counters.inc('smr.ignored');
      return;
    }
    this.o.counters.inc('smr.received');
    this.resolve(cached.eid, true);
  }

  /** Outstanding Map-Requests. */
  get outstanding(): number {
    return this.pending.size;
  }

  /** EID-prefixes asked for within the rate-limit interval (the only ones remembered). */
  get rateLimited(): number {
    this.forgetOldRequests(this.o.clock.now());
    return this.lastRequest.size;
  }

  /** Drops the rate-limit memory of requests older than the interval (the map is in time order). */
  private forgetOldRequests(now: number): void {
    for (const [key, at] of this.lastRequest) {
      if (now - at < this.rateLimitMs) return;
      this.lastRequest.delete(key);
    }
  }

  private send(p: Pending): void {
    const mr = this.resolvers[p.resolver];
    if (!mr) return this.o.counters.inc('map-request.gave-up');
    const rlocs = this.o.itrRlocs();
    const request = mapRequestFor({ eid: addressOf(p.eid), maskLen: p.eid.len, itrRlocs: rlocs, nonce: p.nonce, smrInvoked: p.smrInvoked });
    const src = rlocs.find((a) => isIPv6(a) === isIPv6(mr.address)) ?? rlocs[0]!;
    const ecm = encapsulate(request, { src, dst: formatEidAddress(p.eid.family, p.eid.address), sport: this.o.replyPort() });
    p.tries++;
    p.timer = this.o.clock.setTimer(this.o.clock.now() + this.retransmitMs * 2 ** (p.tries - 1), () => this.retry(p));
    this.pending.set(p.nonce, p);
    this.o.counters.inc(p.smrInvoked ? 'map-request.smr-invoked.sent' : 'map-request.sent');
    this.o.send(encodeMessage(ecm), mr);
  }

  private retry(p: Pending): void {
    this.pending.delete(p.nonce);
    if (p.tries >= this.triesPerResolver) {
      if (p.resolversTried >= this.resolvers.length) {
        this.o.counters.inc('map-request.gave-up');
        return;
      }
      this.o.counters.inc('map-resolver.failover');
      p.resolver = (p.resolver + 1) % this.resolvers.length;
      p.resolversTried++;
      p.tries = 0;
    }
    this.o.counters.inc('map-request.retransmit');
    this.send({ ...p, nonce: randomNonce() });
  }
}
