// RLOC-probing (RFC 9301 section 7.1): every interval, a Map-Request with P set goes straight
// to each locator of each active map-cache entry (never through the mapping system). A reply
// with the probe's nonce marks the locator up; no reply within the wait marks it down, so RLOC
// selection skips it until a later probe is answered.
import { isIPv6 } from 'node:net';
import { encodeMessage, mapRequestFor, randomNonce, type MapReply } from '../../packet/index.js';
import { addressOf, type EidPrefix, type MapCache } from '../../table/index.js';
import { every, type Clock, type Timer } from '../clock.js';
import type { Counters } from '../counters.js';
import type { Endpoint } from '../ports.js';

export interface RlocProberOptions {
  clock: Clock;
  counters: Counters;
  mapCache: MapCache;
  intervalMs: number;
  /** How long a probe waits for its reply (at most the interval). */
  waitMs: number;
  controlPort: number;
  itrRlocs(): string[];
  /** Sends from the control socket bound to from. */
  send(data: Buffer, to: Endpoint, from: string): void;
  /** The local address routes would send from to reach remote (see preferred). */
  sourceFor?(remote: string): Promise<string>;
}

interface Probe {
  eid: EidPrefix;
  locator: string;
  timer: Timer;
}

export class RlocProber {
  private readonly probes = new Map<bigint, Probe>();
  /**
   * By locator: the local RLOC the routes pick to reach it, learned after each probe. Probes go from
   * it with it as the first ITR-RLOC (the one the ETR answers to), so a dual-homed xTR whose first
   * uplink is down still gets its replies over the other.
   */
  private readonly preferred = new Map<string, string>();
  private stopTimer: (() => void) | undefined;

  constructor(private readonly o: RlocProberOptions) {}

  start(): void {
    this.stopTimer = every(this.o.clock, this.o.intervalMs, () => this.probeAll());
  }

  stop(): void {
    this.stopTimer?.();
    for (const p of this.probes.values()) this.o.clock.clearTimer(p.timer);
    this.probes.clear();
  }

  probeAll(): void {
    const rlocs = this.o.itrRlocs();
    for (const entry of [...this.o.mapCache.entries()]) {
      if (entry.state !== 'active' || entry.static) continue;
      for (const l of entry.locators) {
        const family = rlocs.filter((a) => isIPv6(a) === isIPv6(l.address));
        if (family.length === 0) continue;
        const first = this.preferred.get(l.address);
        const source = first && family.includes(first) ? [first, ...family.filter((a) => a !== first)] : family;
        this.o.sourceFor?.(l.address).then(
          (a) => this.preferred.set(l.address, a),
          () => this.preferred.delete(l.address),
        );
        const nonce = randomNonce();
        const probe = { ...mapRequestFor({ eid: addressOf(entry.eid), maskLen: entry.eid.len, itrRlocs: source, nonce }), probe: true };
        const timer = this.o.clock.setTimer(this.o.clock.now() + this.o.waitMs, () => this.unanswered(nonce));
        this.probes.set(nonce, { eid: entry.eid, locator: l.address, timer });
        this.o.counters.inc('rloc-probe.sent');
        this.o.send(encodeMessage(probe), { address: l.address, port: this.o.controlPort }, source[0]!);
      }
    }
  }

  /** A Map-Reply with P set: true when it answers one of our probes (the locator is up). */
  handleReply(m: MapReply): boolean {
    const p = this.probes.get(m.nonce);
    if (!p) return false;
    this.o.clock.clearTimer(p.timer);
    this.probes.delete(m.nonce);
    this.o.counters.inc('rloc-probe.answered');
    if (this.o.mapCache.setLocatorState(p.eid, p.locator, 'up')) this.o.counters.inc('rloc.up');
    return true;
  }

  private unanswered(nonce: bigint): void {
    const p = this.probes.get(nonce);
    if (!p) return;
    this.probes.delete(nonce);
    this.o.counters.inc('rloc-probe.unanswered');
    if (this.o.mapCache.setLocatorState(p.eid, p.locator, 'down')) this.o.counters.inc('rloc.down');
  }
}
