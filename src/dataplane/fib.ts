// A data-plane worker's forwarding copy of the map-cache: routes by (instance-id, EID-prefix),
// changed only by mapping-socket messages (protocol.ts), each checked first (receive). A lookup is by the inner packet's
// destination; the locator of a forward route is picked per flow (RFC 9300 section 12).
import { EidTable } from '../table/eid-table.js';
import { makePrefix, parseAddress, type EidPrefix } from '../table/prefix.js';
import { RlocSelection } from '../table/rloc-select.js';
import type { Locator, NegativeAction } from '../table/index.js';
import { checkControlMessage, type ControlMessage, type LocatorStats } from './protocol.js';

/** A locator ready for the hot path: its address as bytes and its traffic counters. */
export interface FibLocator extends Locator {
  readonly bytes: Uint8Array;
  readonly counter: { packets: number; bytes: number };
}

export class FibRoute {
  /** Set by a lookup, cleared when reported (Fib.takeUsed). */
  used = false;
  constructor(
    readonly prefix: EidPrefix,
    readonly selection: RlocSelection<FibLocator>,
    /** 'no-action' for forward routes. */
    readonly action: NegativeAction,
    readonly forward: boolean,
  ) {}
}

export class Fib {
  private readonly table = new EidTable<FibRoute>();
  /** Counters by locator address; they outlive the routes that use them. */
  private readonly counters = new Map<string, { packets: number; bytes: number }>();
  private usedRoutes: FibRoute[] = [];

  get size(): number {
    return this.table.size;
  }

  /**
   * Applies a message from another thread if it is well formed; otherwise (or if applying it
   * fails) leaves the table as it was and returns why. Never throws.
   */
  receive(m: unknown): string | undefined {
    try {
      const checked = checkControlMessage(m);
      if (typeof checked === 'string') return checked;
      this.apply(checked);
      return undefined;
    } catch (e) {
      return `not applied: ${e instanceof Error ? e.message : 'unknown failure'}`;
    }
  }

  apply(m: ControlMessage): void {
    if (m.op === 'flush') {
      for (const e of [...this.table.entries()]) this.table.delete(e.prefix);
    } else if (m.op === 'delete') {
      this.table.delete(m.prefix);
    } else if (m.route.kind === 'forward') {
      const locators = m.route.locators.map((l) => this.prepare(l));
      this.table.set(m.prefix, new FibRoute(m.prefix, new RlocSelection(locators), 'no-action', true));
    } else {
      this.table.set(m.prefix, new FibRoute(m.prefix, RlocSelection.EMPTY, m.route.action, false));
    }
  }

  /** The route for the destination of the IPv4 or IPv6 packet at packet[offset...], in instance iid. */
  lookup(iid: number, packet: Uint8Array, offset: number): FibRoute | undefined {
    const route =
      packet[offset]! >>> 4 === 4
        ? this.table.lookup4(iid, ((packet[offset + 16]! << 24) | (packet[offset + 17]! << 16) | (packet[offset + 18]! << 8) | packet[offset + 19]!) >>> 0)
        : this.table.lookup6(iid, packet, offset + 24);
    if (route && !route.used) {
      route.used = true;
      this.usedRoutes.push(route);
    }
    return route;
  }

  /** Prefixes of the routes looked up since the last call. */
  takeUsed(): EidPrefix[] {
    const used = this.usedRoutes;
    this.usedRoutes = [];
    for (const r of used) r.used = false;
    return used.map((r) => r.prefix);
  }

  stats(): Record<string, LocatorStats> {
    return Object.fromEntries([...this.counters].map(([address, c]) => [address, { packets: c.packets, bytes: c.bytes }]));
  }

  private prepare(l: Locator): FibLocator {
    let counter = this.counters.get(l.address);
    if (!counter) this.counters.set(l.address, (counter = { packets: 0, bytes: 0 }));
    return { ...l, bytes: parseAddress(l.family, l.address), counter };
  }
}

/** The host prefix of the destination of the IPv4 or IPv6 packet at packet[offset...] (for a miss). */
export function destinationOf(iid: number, packet: Uint8Array, offset: number): EidPrefix {
  return packet[offset]! >>> 4 === 4
    ? makePrefix('ipv4', packet.subarray(offset + 16, offset + 20), 32, iid)
    : makePrefix('ipv6', packet.subarray(offset + 24, offset + 40), 128, iid);
}
