// The DDT Map-Resolver (RFC 8111 sections 7.3, 8.1, 8.2): resolves a Map-Request by walking the
// delegation tree itself, from its referral cache or the configured roots, with DDT Map-Requests
// (the ITR's Map-Request in an ECM with D, no authentication data), until a Map-Server says ms-ack
// (it forwarded the request to an ETR or proxy-replied: the ITR hears from them) or the tree says
// there is nothing: then it sends the ITR a negative Map-Reply for the prefix and TTL of the
// negative referral (ms-not-registered once every Map-Server of the set said so, delegation-hole).
//
// Bounds: at most maxPending walks (more requests are dropped, counted); a Map-Referral is taken
// only with the nonce of a walk and from the RLOC that walk asked (others are counted as forged and
// dropped); each step waits timeoutMs, then asks the next RLOC of the referral set; when none is
// left the request is dropped silently. A referral must be strictly more specific than the one
// followed before it (else a loop: the next RLOC is asked), a walk follows at most maxReferrals,
// and the cache holds at most cacheSize entries. An RLOC that answers goes first in its cached set.
import {
  encapsulate,
  encodeMessage,
  formatAddress,
  REFERRAL_ACTIONS,
  type Ecm,
  type MapReferral,
  type ReferralAction,
} from '../../packet/index.js';
import { eidPrefixOf, formatAddress as formatEidAddress, prefixContains, type EidPrefix } from '../../table/index.js';
import type { Clock, Timer } from '../clock.js';
import type { Counters } from '../counters.js';
import type { Endpoint } from '../ports.js';
import type { MapRequestContext } from '../role.js';
import { mapReply, negativeRecord } from '../wire-mapping.js';
import { isNegative, ReferralCache } from './referral-cache.js';

export interface DdtResolverSettings {
  /** RLOCs of the root DDT nodes. */
  roots: string[];
  /** How long each DDT Map-Request waits for its Map-Referral. */
  timeoutMs: number;
  maxPending: number;
  /** Referrals one walk follows at most. */
  maxReferrals: number;
  cacheSize: number;
}

export interface DdtResolverOptions extends DdtResolverSettings {
  clock: Clock;
  counters: Counters;
  /** Sends a DDT Map-Request to a DDT node or Map-Server (UDP 4342). */
  send(data: Buffer, to: string): void;
}

/** Referrals are cached at most this long (minutes). */
const MAX_CACHE_TTL = 1440;

interface Walk {
  readonly ctx: MapRequestContext;
  readonly eid: EidPrefix;
  readonly bytes: Buffer;
  /** The referral being followed: its prefix (none for the roots), its RLOCs, and whether it came from the cache. */
  prefix: EidPrefix | undefined;
  refs: string[];
  cached: boolean;
  /** Next RLOC of refs to ask, the one asked now. */
  next: number;
  asked: string | undefined;
  referrals: number;
  restarted: boolean;
  /** An ms-not-registered answer, sent to the ITR if no other Map-Server of the set knows better. */
  notRegistered?: { prefix: EidPrefix; ttl: number };
  timer?: Timer;
  done(): void;
}

export class DdtResolver {
  private readonly pending = new Map<bigint, Walk>();
  readonly cache: ReferralCache;
  private s: DdtResolverSettings;
  private roots: string[];

  constructor(private readonly o: DdtResolverOptions) {
    this.s = o;
    this.roots = [...o.roots];
    this.cache = new ReferralCache(o.clock, o.counters, o.cacheSize);
  }

  /** New settings (a reload): walks under way go on; the cache keeps what it holds, up to its new size. */
  configure(s: DdtResolverSettings): void {
    this.s = s;
    this.roots = [...s.roots];
    this.cache.resize(s.cacheSize);
  }

  /** Walks under way. */
  get walking(): number {
    return this.pending.size;
  }

  /** Takes a Map-Request the chain brought: true when dropped or answered at once, else the walk, true when it ends. */
  resolve(ctx: MapRequestContext): boolean | Promise<boolean> {
    const eid = ctx.eid;
    const count = (what: 'bad-eid' | 'duplicate-nonce' | 'pending-full') => (this.o.counters.inc(`ddt.${what}`), true);
    if (!eid) return count('bad-eid');
    // The same nonce again: the ITR asking again while we walk (or a clash); one walk answers.
    if (this.pending.has(ctx.request.nonce)) return count('duplicate-nonce');
    const cached = this.cache.lookup(eid);
    if (cached && isNegative(cached.action)) {
      this.o.counters.inc('ddt.answered-from-cache');
      const left = Math.ceil((cached.expiresAt - this.o.clock.now()) / 60_000);
      ctx.reply(mapReply(ctx.request.nonce, [negativeRecord(cached.prefix, left, 'natively-forward')]));
      return true;
    }
    if (this.pending.size >= this.s.maxPending) return count('pending-full');
    const from = cached ? { prefix: cached.prefix, refs: [...cached.refs], cached: true } : { prefix: undefined, refs: [...this.roots], cached: false };
    return new Promise<boolean>((resolve) => {
      const walk: Walk = { ctx, eid, bytes: ddtRequest(ctx, eid), ...from, next: 0, asked: undefined, referrals: 0, restarted: false, done: () => resolve(true) };
      this.pending.set(ctx.request.nonce, walk);
      this.o.counters.inc('ddt.walks');
      this.ask(walk);
    });
  }

  /** A Map-Referral: the next step of the walk whose nonce it carries, if it comes from the RLOC that walk asked. */
  handleReferral(m: MapReferral, from: Endpoint): void {
    const walk = this.pending.get(m.nonce);
    if (!walk) return this.o.counters.inc('map-referral.rejected.unknown-nonce');
    if (from.address !== walk.asked) return this.o.counters.inc('map-referral.rejected.wrong-source');
    if (walk.timer) this.o.clock.clearTimer(walk.timer);
    walk.timer = undefined;
    const rec = m.records[0];
    const prefix = rec && eidPrefixOf(rec.eid, rec.maskLen);
    const action: ReferralAction | undefined = rec && REFERRAL_ACTIONS[rec.act];
    if (!rec || !prefix || !action || !prefixContains(prefix, walk.eid)) {
      this.o.counters.inc('map-referral.rejected.bad-record');
      return this.ask(walk);
    }
    this.o.counters.inc(`map-referral.received.${action}`);
    if (walk.prefix) this.cache.prefer(walk.prefix, walk.asked);
    else this.preferRoot(walk.asked);
    const refs = rec.refs.flatMap((r) => (r.address.afi === 'ipv4' || r.address.afi === 'ipv6' ? [formatAddress(r.address)] : []));
    const ttl = Math.min(rec.ttl, MAX_CACHE_TTL);
    switch (action) {
      case 'node-referral':
      case 'ms-referral':
        return this.follow(walk, prefix, action, refs, rec.incomplete ? 0 : ttl);
      case 'ms-ack':
        if (!rec.incomplete && refs.length > 0) this.cache.set(prefix, action, refs, ttl);
        return this.finish(walk);
      case 'ms-not-registered':
        walk.notRegistered = { prefix, ttl: rec.ttl };
        return this.ask(walk);
      case 'delegation-hole':
        return this.negative(walk, action, prefix, rec.ttl);
      case 'not-authoritative':
        // Stale cached data may have sent us there: forget it and start again from the roots, once.
        if (walk.cached && walk.prefix && !walk.restarted) {
          this.cache.delete(walk.prefix);
          Object.assign(walk, { prefix: undefined, refs: [...this.roots], cached: false, next: 0, restarted: true });
          this.o.counters.inc('ddt.restarted');
          return this.ask(walk);
        }
        this.o.counters.inc('ddt.not-authoritative');
        return this.finish(walk);
    }
  }

  /** Ends every walk (the node stops). */
  stop(): void {
    for (const walk of [...this.pending.values()]) this.finish(walk);
  }

  private follow(walk: Walk, prefix: EidPrefix, action: ReferralAction, refs: string[], ttl: number): void {
    if (walk.prefix && prefix.len <= walk.prefix.len) {
      this.o.counters.inc('ddt.referral-loop');
      return this.ask(walk);
    }
    if (++walk.referrals > this.s.maxReferrals) {
      this.o.counters.inc('ddt.referral-limit');
      return this.finish(walk);
    }
    if (refs.length === 0) {
      this.o.counters.inc('map-referral.rejected.no-refs');
      return this.ask(walk);
    }
    this.cache.set(prefix, action, refs, ttl);
    Object.assign(walk, { prefix, refs, cached: false, next: 0, notRegistered: undefined });
    this.ask(walk);
  }

  /** Answers the ITR with a negative Map-Reply for a negative referral, and caches it. */
  private negative(walk: Walk, action: ReferralAction, prefix: EidPrefix, ttl: number): void {
    this.cache.set(prefix, action, [], Math.min(ttl, MAX_CACHE_TTL));
    this.o.counters.inc('map-reply.negative.ddt');
    walk.ctx.reply(mapReply(walk.ctx.request.nonce, [negativeRecord(prefix, ttl, 'natively-forward')]));
    this.finish(walk);
  }

  /** Sends the DDT Map-Request to the next RLOC of the set; when none is left, the walk ends. */
  private ask(walk: Walk): void {
    const to = walk.refs[walk.next++];
    if (to === undefined) {
      if (walk.notRegistered) return this.negative(walk, 'ms-not-registered', walk.notRegistered.prefix, walk.notRegistered.ttl);
      this.o.counters.inc('ddt.gave-up');
      return this.finish(walk);
    }
    walk.asked = to;
    walk.timer = this.o.clock.setTimer(this.o.clock.now() + this.s.timeoutMs, () => {
      walk.timer = undefined;
      this.o.counters.inc('ddt.timeout');
      this.ask(walk);
    });
    this.o.counters.inc('ddt.map-request.sent');
    this.o.send(walk.bytes, to);
  }

  private finish(walk: Walk): void {
    if (walk.timer) this.o.clock.clearTimer(walk.timer);
    this.pending.delete(walk.ctx.request.nonce);
    walk.done();
  }

  private preferRoot(address: string): void {
    const i = this.roots.indexOf(address);
    if (i > 0) this.roots.unshift(...this.roots.splice(i, 1));
  }
}

/** The DDT Map-Request of a walk: the ITR's Map-Request in an ECM with D and no authentication data, to the same ITR port. */
function ddtRequest(ctx: MapRequestContext, eid: EidPrefix): Buffer {
  if (ctx.ecm) {
    const { authData: _, ...ecm } = ctx.ecm;
    return encodeMessage({ ...ecm, ddt: true } satisfies Ecm);
  }
  return encodeMessage(encapsulate(ctx.request, { src: ctx.replyTo.address, dst: formatEidAddress(eid.family, eid.address), sport: ctx.replyTo.port }, { ddt: true }));
}
