// ETR (RFC 9301 sections 8.2, 5.5): registers its database with every Map-Server
// (each with its own key and, optionally, its own subset of prefixes) at start, on
// change and every interval; checks Map-Notifies; answers Map-Requests and RLOC-probes
// for its own EID-prefixes.
import {
  encodeAuthenticated,
  encodeMessage,
  formatAddress,
  ipAddress,
  mapRequestFor,
  randomNonce,
  MAP_REGISTER_FLAGS,
  noFlags,
  MessageAuth,
  type Locator,
  type MapNotify,
  type MapReply,
  type MapRequest,
  type MapRegister,
} from '../../packet/index.js';
import { addressOf, eidPrefixOf, EidTable, prefixContains, type EidPrefix } from '../../table/index.js';
import { every, type Clock } from '../clock.js';
import type { Counters } from '../counters.js';
import type { Endpoint } from '../ports.js';
import { mappingRecord, mapReply } from '../replies.js';
import { ALGORITHM_IDS, type Algorithm } from './sites.js';

export interface MapServerPeer {
  address: string;
  port: number;
  key: string;
  keyId: number;
  algorithm: Algorithm;
  /** Also accept Map-Notifies with RFC 9301's truncated HMACs (12 / 16 bytes). */
  truncated?: boolean;
  /** What to register there; every database prefix when undefined. */
  prefixes?: EidPrefix[];
  proxyReply: boolean;
  wantMapNotify: boolean;
}

/** Our own locators of a database entry, as they go on the wire. */
export interface DatabaseEntry {
  prefix: EidPrefix;
  locators: Locator[];
}

/** A database entry from locators given as address, priority and weight (config, API). */
export function databaseEntry(prefix: EidPrefix, locators: readonly { address: string; priority: number; weight: number }[]): DatabaseEntry {
  return {
    prefix,
    locators: locators.map((l) => ({
      priority: l.priority,
      weight: l.weight,
      mPriority: 255,
      mWeight: 0,
      local: true,
      probed: false,
      reachable: true,
      address: ipAddress(l.address),
    })),
  };
}

export interface EtrOptions {
  clock: Clock;
  counters: Counters;
  mapServers: MapServerPeer[];
  registerIntervalMs: number;
  recordTtlMinutes: number;
  /** The control port of peers (4342). */
  controlPort: number;
  send(data: Buffer, to: Endpoint): void;
}

/** ITRs that sent us Map-Requests within this long get an SMR when our mapping changes (RFC 9301 section 6.1). */
const REQUESTER_MEMORY_MS = 60_000;
/** At most one SMR per destination per this interval. */
const SMR_INTERVAL_MS = 3_000;

export class Etr {
  private readonly database = new EidTable<DatabaseEntry>();
  /** ITR-RLOC address -> when it last asked us. */
  private readonly requesters = new Map<string, number>();
  private readonly lastSmr = new Map<string, number>();
  private mapServers: MapServerPeer[];
  private nonce: bigint;
  private stopTimer: (() => void) | undefined;

  constructor(private readonly o: EtrOptions) {
    // Map-Register nonces only grow, across restarts too (RFC 9301 section 5.6).
    this.nonce = BigInt(o.clock.wallTime()) << 16n;
    this.mapServers = o.mapServers;
  }

  start(): void {
    this.registerAll();
    this.stopTimer = every(this.o.clock, this.o.registerIntervalMs, () => this.registerAll());
  }

  stop(): void {
    this.stopTimer?.();
  }

  setEntry(e: DatabaseEntry): void {
    this.database.set(e.prefix, e);
    this.changed(e.prefix);
  }

  deleteEntry(prefix: EidPrefix): boolean {
    const had = this.database.delete(prefix);
    if (had) this.changed(prefix);
    return had;
  }

  /** After a change of our mapping while running: register it, and solicit the ITRs that use it. */
  private changed(prefix: EidPrefix): void {
    if (!this.stopTimer) return;
    this.registerAll();
    const now = this.o.clock.now();
    for (const [address, seen] of this.requesters) {
      if (now - seen > REQUESTER_MEMORY_MS) {
        this.requesters.delete(address);
        continue;
      }
      if (now - (this.lastSmr.get(address) ?? -Infinity) < SMR_INTERVAL_MS) continue;
      this.lastSmr.set(address, now);
      const smr = { ...mapRequestFor({ eid: addressOf(prefix), maskLen: prefix.len, itrRlocs: [address], nonce: randomNonce(), sourceEid: addressOf(prefix) }), smr: true };
      this.o.send(encodeMessage(smr), { address, port: this.o.controlPort });
      this.o.counters.inc('smr.sent');
    }
  }

  /** Replaces the Map-Servers to register with (and registers with them at once when running). */
  setMapServers(peers: MapServerPeer[]): void {
    this.mapServers = peers;
    if (this.stopTimer) this.registerAll();
  }

  /** The database entry holding this EID (longest match). */
  lookup(eid: EidPrefix): DatabaseEntry | undefined {
    return this.database.match(eid)?.value;
  }

  listEntries(): DatabaseEntry[] {
    return [...this.database.entries()].map((e) => e.value);
  }

  /** Sends a Map-Register to every Map-Server that has prefixes to register. */
  registerAll(): void {
    for (const ms of this.mapServers) {
      const entries = this.listEntries().filter((e) => !ms.prefixes || ms.prefixes.some((p) => prefixContains(p, e.prefix)));
      if (entries.length === 0) continue;
      const m: MapRegister = {
        type: 'map-register',
        ...noFlags(MAP_REGISTER_FLAGS),
        proxyReply: ms.proxyReply,
        wantMapNotify: ms.wantMapNotify,
        nonce: ++this.nonce,
        keyId: ms.keyId,
        algorithmId: ALGORITHM_IDS[ms.algorithm],
        authData: Buffer.alloc(0),
        records: entries.map((e) => mappingRecord(e.prefix, e.locators, this.o.recordTtlMinutes, true)),
      };
      this.o.send(encodeAuthenticated(m, ms.key), { address: ms.address, port: ms.port });
      this.o.counters.inc('map-register.sent');
    }
  }

  /** A Map-Notify from a Map-Server we register with: counted as an ack when its authentication verifies. */
  handleNotify(bytes: Buffer, m: MapNotify, from: Endpoint): void {
    const ms = this.mapServers.find((x) => x.address === from.address);
    if (!ms || !new MessageAuth(ALGORITHM_IDS[ms.algorithm], ms.key, { truncated: ms.truncated ?? false }).verify(bytes)) {
      this.o.counters.inc('map-notify.rejected');
      return;
    }
    this.o.counters.inc(m.type === 'map-notify' ? 'map-notify.accepted' : 'map-notify-ack.accepted');
  }

  /**
   * The Map-Reply for a Map-Request asking about our EIDs (undefined when none is ours).
   * For an RLOC-probe the reply has P set and marks the probed locator (`localAddress`).
   */
  answer(m: MapRequest, localAddress: string, requester: string): MapReply | undefined {
    const records = [];
    for (const r of m.records) {
      const eid = eidPrefixOf(r.eid, r.maskLen);
      const entry = eid && this.lookup(eid);
      if (!entry) continue;
      const locators = entry.locators.map((l) => ({ ...l, local: true, probed: m.probe && formatAddress(l.address) === localAddress }));
      records.push(mappingRecord(entry.prefix, locators, this.o.recordTtlMinutes, true));
    }
    if (records.length === 0) return undefined;
    if (!m.probe) this.requesters.set(requester, this.o.clock.now());
    return mapReply(m.nonce, records, m.probe);
  }
}
