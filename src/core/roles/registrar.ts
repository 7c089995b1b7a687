// The ETR's registration with its Map-Servers (RFC 9301 section 8.2): a Map-Register to each one at
// start, on change and every interval, each with its own key and, optionally, its own subset of the
// database; the records split over several Map-Registers so that none exceeds what a path of unknown
// MTU carries (RFC 9301 section 5: 576-byte IPv4, 1280-byte IPv6 packets). With want-map-notify,
// each Map-Register waits for its Map-Notify: unanswered, it is sent once more (with its prefixes'
// records as the database has them then, never those of before a change), then the Map-Server
// is reported (error level, once per change) as not acknowledging; a Map-Notify that leaves records
// out tells which prefixes the Map-Server refused (a Loci Map-Server accepts records one by one).
// On a clean stop, withdraw() sends every record again with TTL 0, which removes the registrations.
// With an xTR-ID (and site-ID) every Map-Register carries them (the I bit, RFC 9301 section 5.6), so
// a Map-Server knows this ETR wherever its RLOCs move. A Map-Notify that verifies but answers none
// of our Map-Registers is an unsolicited one (a Map-Server telling of a change): it is acknowledged
// with a Map-Notify-Ack, its copy with type 5, signed with our key (RFC 9301 section 5.7).
import { isDeepStrictEqual } from 'node:util';
import {
  ALGORITHM_ID,
  encodeAuthenticated,
  formatWirePrefix,
  MAP_REGISTER_FLAGS,
  MessageAuth,
  messageEncodingLength,
  noFlags,
  type MapNotify,
  type MappingRecord,
  type AuthAlgorithm,
  type MapRegister,
} from '../../packet/index.js';
import { prefixContains, type EidPrefix, type LocalMapping } from '../../table/index.js';
import { every, type Clock, type Timer } from '../clock.js';
import type { Counters } from '../counters.js';
import type { Endpoint, Log } from '../ports.js';
import { mappingRecord, wireLocator } from '../wire-mapping.js';

export interface MapServerPeer {
  address: string;
  port: number;
  key: string;
  keyId: number;
  algorithm: AuthAlgorithm;
  /** Also accept Map-Notifies with RFC 9301's truncated HMACs (12 / 16 bytes). */
  truncated?: boolean;
  /** What to register there; every database prefix when undefined. */
  prefixes?: EidPrefix[];
  proxyReply: boolean;
  wantMapNotify: boolean;
}

export type RegistrationState = 'sent' | 'waiting' | 'registered' | 'partly-refused' | 'unacknowledged';

/** What an ETR knows of its registration with one Map-Server. */
export interface RegistrationStatus {
  mapServer: string;
  state: RegistrationState;
  /** Prefixes the Map-Server left out of its last Map-Notify for them. */
  refused: string[];
}

export interface RegisterTiming {
  registerIntervalMs: number;
  recordTtlMinutes: number;
  /** This ETR's xTR-ID (128 bits) and site-ID (64 bits), sent in every Map-Register when set. */
  xtrId?: bigint;
  siteId?: bigint;
}

export interface RegistrarOptions extends RegisterTiming {
  clock: Clock;
  counters: Counters;
  mapServers: MapServerPeer[];
  /** The database to register. */
  entries(): LocalMapping[];
  send(data: Buffer, to: Endpoint): void;
  log?: Log;
  /** Wait this long for a Map-Notify before sending once more, then reporting (default 3 s). */
  notifyTimeoutMs?: number;
}

const timingOf = (t: RegisterTiming): RegisterTiming => ({
  registerIntervalMs: t.registerIntervalMs,
  recordTtlMinutes: t.recordTtlMinutes,
  ...(t.xtrId !== undefined ? { xtrId: t.xtrId, siteId: t.siteId ?? 0n } : {}),
});

/** UDP payload that fits the minimum packet of a path of unknown MTU (RFC 9301 section 5). */
const maxPayload = (address: string): number => (address.includes(':') ? 1280 - 40 - 8 : 576 - 20 - 8);

interface Outstanding {
  records: MappingRecord[];
  prefixes: string[];
  retried: boolean;
  timer: Timer;
}

interface Peer {
  peer: MapServerPeer;
  auth: MessageAuth;
  state: RegistrationState;
  refused: Set<string>;
  outstanding: Map<bigint, Outstanding>;
}

export class Registrar {
  private peers: Peer[] = [];
  private nonce: bigint;
  private stopTimer: (() => void) | undefined;
  private readonly notifyTimeoutMs: number;
  private timing: RegisterTiming;

  constructor(private readonly o: RegistrarOptions) {
    this.timing = timingOf(o);
    // Map-Register nonces only grow, across restarts too (RFC 9301 section 5.6; replay-guard.ts).
    this.nonce = BigInt(o.clock.wallTime()) << 16n;
    this.notifyTimeoutMs = o.notifyTimeoutMs ?? 3000;
    this.replacePeers(o.mapServers);
  }

  get running(): boolean {
    return this.stopTimer !== undefined;
  }

  start(): void {
    if (this.stopTimer) return;
    this.stopTimer = every(this.o.clock, this.timing.registerIntervalMs, () => this.registerAll());
    this.registerAll();
  }

  /** The TTL of our records, in minutes (Map-Registers and the ETR's Map-Replies). */
  get recordTtlMinutes(): number {
    return this.timing.recordTtlMinutes;
  }

  /** New Map-Servers, interval or record TTL (a reload): when something changed and it runs, it registers at once, then every interval from now. */
  configure(c: RegisterTiming & { mapServers: MapServerPeer[] }): void {
    const servers = !isDeepStrictEqual(c.mapServers, this.peers.map((p) => p.peer));
    if (!servers && isDeepStrictEqual(timingOf(c), this.timing)) return;
    this.timing = timingOf(c);
    if (servers) this.replacePeers(c.mapServers);
    if (!this.running) return;
    this.stopTimer!();
    this.stopTimer = undefined;
    this.start();
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
    for (const p of this.peers) this.forget(p);
  }

  /** Replaces the Map-Servers (registering with them at once when running). */
  setMapServers(peers: MapServerPeer[]): void {
    this.replacePeers(peers);
    if (this.running) this.registerAll();
  }

  private replacePeers(peers: MapServerPeer[]): void {
    for (const p of this.peers) this.forget(p);
    this.peers = peers.map((peer) => ({
      peer,
      auth: new MessageAuth(ALGORITHM_ID[peer.algorithm], peer.key, { truncated: peer.truncated ?? false }),
      state: 'sent',
      refused: new Set(),
      outstanding: new Map(),
    }));
  }

  status(): RegistrationStatus[] {
    return this.peers.map((p) => ({ mapServer: p.peer.address, state: p.state, refused: [...p.refused] }));
  }

  /** Sends the database to every Map-Server that has prefixes to register (when running). */
  registerAll(): void {
    if (!this.running) return;
    for (const p of this.peers) {
      const records = this.recordsFor(p.peer, this.timing.recordTtlMinutes);
      if (records.length === 0) continue;
      for (const part of this.split(records, p)) this.sendRegister(p, part, false);
    }
  }

  /** Takes every registration back: each record again with TTL 0 (RFC 9301 section 5.4), no Map-Notify asked. */
  withdraw(): void {
    if (!this.running) return;
    for (const p of this.peers) {
      const records = this.recordsFor(p.peer, 0);
      for (const part of this.split(records, p)) {
        this.o.send(encodeAuthenticated(this.message(p.peer, part, false), p.peer.key), { address: p.peer.address, port: p.peer.port });
        this.o.counters.inc('map-register.withdrawal.sent');
      }
    }
  }

  /** A Map-Notify: true when it is from a Map-Server we register with, verifies and answers one of our Map-Registers. */
  handleNotify(bytes: Buffer, m: MapNotify, from: Endpoint): boolean {
    const p = this.peers.find((x) => x.peer.address === from.address);
    if (!p || !p.auth.verify(bytes)) {
      this.o.counters.inc('map-notify.rejected');
      return false;
    }
    const sent = p.outstanding.get(m.nonce);
    if (!sent) {
      // Unsolicited (or a late copy of one we took): acknowledged while we run, never taken as a registration's ack.
      this.o.counters.inc('map-notify.unmatched-nonce');
      if (this.running) {
        this.o.send(encodeAuthenticated({ ...m, type: 'map-notify-ack' }, p.peer.key), from);
        this.o.counters.inc('map-notify-ack.sent');
      }
      return false;
    }
    this.o.clock.clearTimer(sent.timer);
    p.outstanding.delete(m.nonce);
    this.o.counters.inc('map-notify.accepted');
    const acked = new Set(m.records.map((r) => formatWirePrefix(r.eid, r.maskLen)));
    const before = [...p.refused].sort().join(' ');
    for (const prefix of sent.prefixes) {
      if (acked.has(prefix)) p.refused.delete(prefix);
      else p.refused.add(prefix);
    }
    const refused = [...p.refused].sort();
    this.setState(p, refused.length > 0 ? 'partly-refused' : 'registered');
    if (refused.length > 0 && refused.join(' ') !== before) {
      this.o.counters.inc('map-register.records-refused');
      this.o.log?.error({ mapServer: from.address, refused }, 'the Map-Server refused some of our EID-prefixes (its Map-Notify leaves them out)');
    }
    return true;
  }

  /**
   * The records for a Map-Server: every database entry, or each of its configured prefixes with the
   * locators of the database entry that holds it (a prefix may be more specific than the entry).
   */
  private recordsFor(peer: MapServerPeer, ttl: number): MappingRecord[] {
    const entries = this.o.entries();
    const record = (prefix: EidPrefix, m: LocalMapping) => mappingRecord(prefix, m.locators.map((l) => wireLocator(l, { local: true, probed: false })), ttl, true);
    if (!peer.prefixes) return entries.map((e) => record(e.eid, e));
    return peer.prefixes.flatMap((p) => {
      const holder = entries.filter((e) => prefixContains(e.eid, p)).sort((a, b) => b.eid.len - a.eid.len)[0];
      return holder ? [record(p, holder)] : [];
    });
  }

  /** Records in groups whose Map-Register fits the path (a record too big alone goes alone). */
  private split(records: MappingRecord[], { peer, auth }: Peer): MappingRecord[][] {
    const limit = maxPayload(peer.address) - auth.digestLength;
    const base = messageEncodingLength(this.message(peer, [], false, 0n));
    const parts: MappingRecord[][] = [];
    let part: MappingRecord[] = [];
    let size = base;
    for (const r of records) {
      const length = messageEncodingLength(this.message(peer, [r], false, 0n)) - base;
      if (part.length > 0 && size + length > limit) {
        parts.push(part);
        part = [];
        size = base;
      }
      part.push(r);
      size += length;
    }
    if (part.length > 0) parts.push(part);
    return parts;
  }

  /** A Map-Register to peer (with the next nonce unless one is given). */
  private message(peer: MapServerPeer, records: MappingRecord[], wantMapNotify: boolean, nonce = ++this.nonce): MapRegister {
    return {
      type: 'map-register',
      ...noFlags(MAP_REGISTER_FLAGS),
      proxyReply: peer.proxyReply,
      wantMapNotify,
      nonce,
      keyId: peer.keyId,
      algorithmId: ALGORITHM_ID[peer.algorithm],
      authData: Buffer.alloc(0),
      records,
      ...(this.timing.xtrId !== undefined ? { xtrId: this.timing.xtrId, siteId: this.timing.siteId ?? 0n } : {}),
    };
  }

  private sendRegister(p: Peer, records: MappingRecord[], retried: boolean): void {
    const m = this.message(p.peer, records, p.peer.wantMapNotify);
    try {
      this.o.send(encodeAuthenticated(m, p.peer.key), { address: p.peer.address, port: p.peer.port });
    } catch (e) {
      // What the database holds is checked where it comes in; this is the last line of defence.
      this.o.counters.inc('map-register.encode-error');
      this.o.log?.error({ mapServer: p.peer.address, error: e instanceof Error ? e.message : String(e) }, 'could not build a Map-Register');
      return;
    }
    this.o.counters.inc('map-register.sent');
    if (!p.peer.wantMapNotify) return;
    if (p.state === 'sent') this.setState(p, 'waiting');
    const timer = this.o.clock.setTimer(this.o.clock.now() + this.notifyTimeoutMs, () => this.unanswered(p, m.nonce));
    p.outstanding.set(m.nonce, { records, prefixes: records.map((r) => formatWirePrefix(r.eid, r.maskLen)), retried, timer });
  }

  private unanswered(p: Peer, nonce: bigint): void {
    const sent = p.outstanding.get(nonce);
    if (!sent) return;
    p.outstanding.delete(nonce);
    if (!sent.retried) {
      // Sent again as the database has them now: the records of before a change would roll the
      // registration back (its Map-Notify may have been lost after the Map-Server took it).
      const current = this.recordsFor(p.peer, this.timing.recordTtlMinutes).filter((r) => sent.prefixes.includes(formatWirePrefix(r.eid, r.maskLen)));
      if (current.length > 0) this.sendRegister(p, current, true);
      return;
    }
    this.o.counters.inc('map-register.unacknowledged');
    if (p.state !== 'unacknowledged') {
      this.o.log?.error(
        { mapServer: p.peer.address, prefixes: sent.prefixes },
        'the Map-Server did not acknowledge our Map-Register (no Map-Notify): wrong key or key-id, prefixes it does not allow, or unreachable',
      );
    }
    this.setState(p, 'unacknowledged');
  }

  private setState(p: Peer, state: RegistrationState): void {
    if (state === 'registered' && p.state !== 'registered') this.o.log?.info({ mapServer: p.peer.address }, 'registered with the Map-Server');
    p.state = state;
  }

  private forget(p: Peer): void {
    for (const s of p.outstanding.values()) this.o.clock.clearTimer(s.timer);
    p.outstanding.clear();
  }
}
