// ETR (RFC 9301 sections 5.5, 6.1): its database of own EID-prefixes, registered with the
// Map-Servers by its Registrar; answers Map-Requests and RLOC-probes for them; solicits (SMR) the
// ITRs it answered recently when a mapping changes. The requesters remembered and the SMRs sent are
// bounded: a Map-Request names its ITR-RLOCs itself, so an SMR must not become a reflection amplifier.
// An SMR names the changed prefix as its source EID and, as its EID-record, the EID the ITR asked
// from (the source EID of its Map-Request: an EID of the ITR's own site, which is what Open Overlay
// Router looks up before it re-resolves); our own prefix when the request named none. Its ITR-RLOC
// is our address and D is set: nothing answers an SMR itself.
import { isIPv6 } from 'node:net';
import { encodeMessage, mapRequestFor, randomNonce, type MapReply, type MapRequest } from '../../packet/index.js';
import { addressOf, eidPrefixOf, hostPrefixOf, type EidPrefix, type LocalDatabase } from '../../table/index.js';
import type { Clock } from '../clock.js';
import type { Counters } from '../counters.js';
import type { Endpoint, Log } from '../ports.js';
import { mappingRecord, mapReply, wireLocator } from '../wire-mapping.js';
import { Registrar, type MapServerPeer } from './registrar.js';

export type { MapServerPeer } from './registrar.js';

export interface EtrOptions {
  /** Our EID-prefixes and their locators (the node's, shared with its map-cache). */
  database: LocalDatabase;
  clock: Clock;
  counters: Counters;
  mapServers: MapServerPeer[];
  registerIntervalMs: number;
  recordTtlMinutes: number;
  xtrId?: bigint;
  siteId?: bigint;
  /** The control port of peers (4342). */
  controlPort: number;
  send(data: Buffer, to: Endpoint): void;
  /** Our control addresses (the ITR-RLOC of our SMRs); the destination's family is picked. */
  localAddresses?(): string[];
  log?: Log;
  /** ITR-RLOCs remembered for SMRs (default 1,000, the most recent). */
  maxRequesters?: number;
  /** SMRs sent per second at most, over all destinations (default 100). */
  smrPerSecond?: number;
}

/** ITRs that sent us Map-Requests within this long get an SMR when our mapping changes (RFC 9301 section 6.1). */
const REQUESTER_MEMORY_MS = 60_000;
/** At most one SMR per destination per this interval. */
const SMR_INTERVAL_MS = 3_000;

export class Etr {
  readonly registrar: Registrar;
  /** ITR-RLOC address -> when it last asked us, and the EID it asked from; least recent first. */
  private readonly requesters = new Map<string, { at: number; eid?: EidPrefix }>();
  /** Destination -> last SMR sent to it; least recent first, only the last SMR_INTERVAL_MS kept. */
  private readonly lastSmr = new Map<string, number>();
  private readonly maxRequesters: number;
  private readonly smrPerSecond: number;
  private smrBudget: { second: number; left: number } = { second: -1, left: 0 };

  constructor(private readonly o: EtrOptions) {
    this.maxRequesters = o.maxRequesters ?? 1000;
    this.smrPerSecond = o.smrPerSecond ?? 100;
    this.registrar = new Registrar({ ...o, entries: () => [...o.database.entries()] });
    o.database.subscribe((e) => this.changed(e.mapping.eid));
  }

  start(): void {
    this.registrar.start();
  }

  stop(): void {
    this.registrar.stop();
  }

  /** After a change of our mapping while running: register it, and solicit the ITRs that use it. */
  private changed(prefix: EidPrefix): void {
    if (!this.registrar.running) return;
    this.registrar.registerAll();
    const now = this.o.clock.now();
    forgetBefore(this.requesters, now - REQUESTER_MEMORY_MS, (r) => r.at);
    forgetBefore(this.lastSmr, now - SMR_INTERVAL_MS, (at) => at);
    for (const [address, { eid = prefix }] of this.requesters) {
      if (this.lastSmr.has(address)) continue;
      if (!this.spendSmr(now)) {
        this.o.counters.inc('smr.rate-limited');
        continue;
      }
      this.lastSmr.set(address, now);
      const own = this.o.localAddresses?.().find((a) => isIPv6(a) === isIPv6(address)) ?? address;
      const request = mapRequestFor({ eid: addressOf(eid), maskLen: eid.len, itrRlocs: [own], nonce: randomNonce(), sourceEid: addressOf(prefix) });
      const smr = { ...request, smr: true, dontMapReply: true };
      this.o.send(encodeMessage(smr), { address, port: this.o.controlPort });
      this.o.counters.inc('smr.sent');
    }
  }

  /** Takes one SMR from this second's budget. */
  private spendSmr(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (this.smrBudget.second !== second) this.smrBudget = { second, left: this.smrPerSecond };
    if (this.smrBudget.left === 0) return false;
    this.smrBudget.left--;
    return true;
  }

  /** ITR-RLOCs that would get an SMR now. */
  get requesterCount(): number {
    forgetBefore(this.requesters, this.o.clock.now() - REQUESTER_MEMORY_MS, (r) => r.at);
    return this.requesters.size;
  }

  /**
   * The Map-Reply for a Map-Request asking about our EIDs (undefined when none is ours).
   * For an RLOC-probe the reply has P set and marks the probed locator (`localAddress`).
   */
  answer(m: MapRequest, localAddress: string, requester: string): MapReply | undefined {
    const records = [];
    for (const r of m.records) {
      const eid = eidPrefixOf(r.eid, r.maskLen);
      const own = eid && this.o.database.lookup(eid);
      if (!own) continue;
      const locators = own.locators.map((l) => wireLocator(l, { local: true, probed: m.probe && l.address === localAddress }));
      records.push(mappingRecord(own.eid, locators, this.registrar.recordTtlMinutes, true));
    }
    if (records.length === 0) return undefined;
    if (!m.probe) this.remember(requester, hostPrefixOf(m.sourceEid));
    return mapReply(m.nonce, records, m.probe);
  }

  private remember(requester: string, eid: EidPrefix | undefined): void {
    this.requesters.delete(requester);
    this.requesters.set(requester, { at: this.o.clock.now(), ...(eid ? { eid } : {}) });
    if (this.requesters.size > this.maxRequesters) this.requesters.delete(this.requesters.keys().next().value!);
  }
}

/** Drops the entries of a time-ordered map (oldest first) from before `before`. */
function forgetBefore<V>(m: Map<string, V>, before: number, at: (v: V) => number): void {
  for (const [key, value] of m) {
    if (at(value) >= before) return;
    m.delete(key);
  }
}
