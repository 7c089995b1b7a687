// The mapping-socket protocol between the control plane and the data-plane workers (the heir of
// OpenLISP's MAPM_ADD / MAPM_DELETE and its MISS event). The control plane owns the map-cache and
// the local database; each worker keeps its own forwarding copy, changed only by these messages.
//
//   control -> worker: add (a route for a prefix, replacing any), delete, flush (drop every route)
//   worker -> control: ready (looping), miss (a destination without a route; its packets wait in the worker),
//                      used (routes that carried traffic since the last report, so the map-cache
//                      refreshes them before they expire), stats (per-locator packet counts)
import type { EidPrefix, Locator, NegativeAction } from '../table/index.js';

export type Route =
  /** Encapsulate to a locator of the set, chosen per flow by priority and weight. */
  | { readonly kind: 'forward'; readonly locators: readonly Locator[] }
  /** A negative mapping: its action applies (drop, natively forward through a PETR, ...). */
  | { readonly kind: 'negative'; readonly action: NegativeAction };

export type ControlMessage =
  | { readonly op: 'add'; readonly prefix: EidPrefix; readonly route: Route }
  | { readonly op: 'delete'; readonly prefix: EidPrefix }
  | { readonly op: 'flush' };

export interface LocatorStats {
  readonly packets: number;
  readonly bytes: number;
}

export type WorkerMessage =
  /** Set up and looping. */
  | { readonly op: 'ready' }
  | { readonly op: 'miss'; readonly eid: EidPrefix }
  | { readonly op: 'used'; readonly prefixes: readonly EidPrefix[] }
  /** Totals since the worker started, by locator address. */
  | { readonly op: 'stats'; readonly locators: Readonly<Record<string, LocatorStats>> };
