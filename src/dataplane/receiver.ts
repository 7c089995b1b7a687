// A worker's end of the mapping socket (protocol.ts): each message checked, then applied to the
// worker's forwarding copy of the map-cache (encap) or to what follows the local database (the
// encap worker's Locator-Status-Bits, the decap worker's own EIDs). A message refused, or one for
// the other role, is counted (dataplane.rejected-mapping) and kept for the next report; nothing
// is thrown.
import { C, type DataCounters } from './counters.js';
import type { Fib } from './fib.js';
import type { OwnEid } from './own-eids.js';
import { checkDatabaseMessage, isDatabaseMessage } from './protocol.js';

export interface ReceiverTargets {
  /** encap: the routes of the map-cache. */
  readonly fib?: Fib;
  /** encap: the Locator-Status-Bits to send from now on. */
  readonly locatorStatusBits?: (bits: number) => void;
  /** decap: the destinations to deliver from now on (null: any). */
  readonly ownEids?: (eids: readonly OwnEid[] | null) => void;
}

export class MappingReceiver {
  private rejected: { count: number; reason: string } | undefined;

  constructor(
    private readonly counters: DataCounters,
    private readonly targets: ReceiverTargets,
  ) {}

  receive(m: unknown): void {
    let reason: string | undefined;
    try {
      reason = this.apply(m);
    } catch (e) {
      reason = `not applied: ${e instanceof Error ? e.message : 'unknown failure'}`;
    }
    if (reason === undefined) return;
    this.counters.inc(C['rejected-mapping']);
    this.rejected = { count: (this.rejected?.count ?? 0) + 1, reason };
  }

  /** The refusals since the last call: how many, and why the last one was refused. */
  takeRejected(): { count: number; reason: string } | undefined {
    const r = this.rejected;
    this.rejected = undefined;
    return r;
  }

  private apply(m: unknown): string | undefined {
    const t = this.targets;
    if (!isDatabaseMessage(m)) return t.fib ? t.fib.receive(m) : 'a mapping message, and this worker has no map-cache';
    const checked = checkDatabaseMessage(m);
    if (typeof checked === 'string') return checked;
    if (checked.op === 'locator-status-bits') {
      if (!t.locatorStatusBits) return 'locator-status-bits: not for this worker';
      t.locatorStatusBits(checked.bits);
    } else {
      if (!t.ownEids) return 'own-eids: not for this worker';
      t.ownEids(checked.eids);
    }
    return undefined;
  }
}
