// The mapping-socket protocol between the control plane and the data-plane workers (the heir of
// OpenLISP's MAPM_ADD / MAPM_DELETE and its MISS event). The control plane owns the map-cache and
// the local database; each worker keeps its own forwarding copy, changed only by these messages.
//
//   control -> worker: add (a route for a prefix, replacing any), delete, flush (drop every route)
//                      (encap); and what follows the local database (DatabaseMessage):
//                      locator-status-bits (encap: the LSBs it sends), own-eids (decap: the
//                      destinations it delivers, null for any), each replacing the value it had
//   worker -> control: ready (looping), miss (a destination without a route; its packets wait in the worker),
//                      used (routes that carried traffic since the last report, so the map-cache
//                      refreshes them before they expire), stats (per-locator packet counts),
//                      rejected (control messages it refused since its last report)
//
// A worker takes nothing on trust: checkControlMessage() and checkDatabaseMessage() are the only
// ways a message reaches its state, and one it refuses is counted (dataplane.rejected-mapping)
// and reported, never thrown (receiver.ts).
import { FAMILY_BYTES, makePrefix, parseAddress, type EidPrefix, type Family } from '../table/prefix.js';
import type { Locator, NegativeAction } from '../table/index.js';
import type { OwnEid } from './own-eids.js';

export type Route =
  /** Encapsulate to a locator of the set, chosen per flow by priority and weight. */
  | { readonly kind: 'forward'; readonly locators: readonly Locator[] }
  /** A negative mapping: its action applies (drop, natively forward through a PETR, ...). */
  | { readonly kind: 'negative'; readonly action: NegativeAction };

export type ControlMessage =
  | { readonly op: 'add'; readonly prefix: EidPrefix; readonly route: Route }
  | { readonly op: 'delete'; readonly prefix: EidPrefix }
  | { readonly op: 'flush' };

/** What follows the local database: the whole new value, replacing the one the worker had. */
export type DatabaseMessage =
  /** encap: the Locator-Status-Bits of the packets it sends (lisp-header.ts allUp). */
  | { readonly op: 'locator-status-bits'; readonly bits: number }
  /** decap: the destinations it delivers (our database EID-prefixes); null: any (a PETR). */
  | { readonly op: 'own-eids'; readonly eids: readonly OwnEid[] | null };

/** The most EID-prefixes an own-eids message may list. */
export const MAX_OWN_EIDS = 65536;

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
  | { readonly op: 'stats'; readonly locators: Readonly<Record<string, LocatorStats>> }
  /** Control messages refused since the last report: how many, and why the last one was. */
  | { readonly op: 'rejected'; readonly count: number; readonly reason: string };

/** The most locators a route may have (a mapping record's count is 8 bits). */
export const MAX_LOCATORS = 255;

const NEGATIVE_ACTIONS: ReadonlySet<string> = new Set<NegativeAction>(['no-action', 'natively-forward', 'send-map-request', 'drop', 'drop-policy-denied', 'drop-auth-failure']);

/** A value for a reason text: primitives shortened, anything else by its type (no toString or toJSON is called). */
function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === undefined || v === null) return String(v);
  return Array.isArray(v) ? 'a list' : `a ${typeof v}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isByte = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255;

/**
 * The control message m as the worker may apply it (its prefix copied, host bits cleared), or why
 * not: a message from another thread is checked like one from the network.
 */
export function checkControlMessage(m: unknown): ControlMessage | string {
  if (!isObject(m)) return 'not an object';
  if (m.op === 'flush') return { op: 'flush' };
  if (m.op !== 'add' && m.op !== 'delete') return `unknown op ${describe(m.op)}`;
  const prefix = checkPrefix(m.prefix);
  if (typeof prefix === 'string') return prefix;
  if (m.op === 'delete') return { op: 'delete', prefix };
  const route = m.route;
  if (!isObject(route)) return 'add: no route';
  if (route.kind === 'negative') {
    if (typeof route.action !== 'string' || !NEGATIVE_ACTIONS.has(route.action)) return `add: unknown negative action ${describe(route.action)}`;
    return { op: 'add', prefix, route: { kind: 'negative', action: route.action as NegativeAction } };
  }
  if (route.kind !== 'forward') return `add: unknown route kind ${describe(route.kind)}`;
  if (!Array.isArray(route.locators)) return 'add: locators is not a list';
  if (route.locators.length > MAX_LOCATORS) return `add: ${route.locators.length} locators (at most ${MAX_LOCATORS})`;
  const locators: Locator[] = [];
  for (const l of route.locators as unknown[]) {
    const locator = checkLocator(l);
    if (typeof locator === 'string') return `add: locator ${locators.length}: ${locator}`;
    locators.push(locator);
  }
  return { op: 'add', prefix, route: { kind: 'forward', locators } };
}

/** Whether m is a database message (to be checked by checkDatabaseMessage), not a mapping one. */
export const isDatabaseMessage = (m: unknown): boolean => isObject(m) && (m.op === 'locator-status-bits' || m.op === 'own-eids');

/** The database message m as the worker may apply it (its prefixes copied, host bits cleared), or why not. */
export function checkDatabaseMessage(m: unknown): DatabaseMessage | string {
  if (!isObject(m)) return 'not an object';
  if (m.op === 'locator-status-bits') {
    const bits = m.bits;
    if (!Number.isInteger(bits) || (bits as number) < 0 || (bits as number) > 0xffffffff) return `locator-status-bits: bad bits ${describe(bits)}`;
    return { op: 'locator-status-bits', bits: bits as number };
  }
  if (m.op !== 'own-eids') return `unknown op ${describe(m.op)}`;
  if (m.eids === null) return { op: 'own-eids', eids: null };
  if (!Array.isArray(m.eids)) return 'own-eids: eids is neither a list nor null';
  if (m.eids.length > MAX_OWN_EIDS) return `own-eids: ${m.eids.length} prefixes (at most ${MAX_OWN_EIDS})`;
  const eids: OwnEid[] = [];
  for (const e of m.eids as unknown[]) {
    // An own EID carries no instance-id (the worker has one): checked as instance 0.
    const prefix = checkPrefix(isObject(e) ? { family: e.family, address: e.address, len: e.len, iid: 0 } : e);
    if (typeof prefix === 'string') return `own-eids: prefix ${eids.length}: ${prefix}`;
    eids.push({ family: prefix.family, address: prefix.address, len: prefix.len });
  }
  return { op: 'own-eids', eids };
}

function checkPrefix(p: unknown): EidPrefix | string {
  if (!isObject(p)) return 'no prefix';
  const family = p.family;
  if (family !== 'ipv4' && family !== 'ipv6' && family !== 'mac') return `prefix: unknown family ${describe(family)}`;
  const bytes = FAMILY_BYTES[family as Family];
  if (!(p.address instanceof Uint8Array)) return `prefix: the address is ${describe(p.address)}, not bytes`;
  if (p.address.length !== bytes) return `prefix: ${p.address.length} address bytes, ${family} needs ${bytes}`;
  const bits = bytes * 8;
  if (!Number.isInteger(p.len) || (p.len as number) < 0 || (p.len as number) > bits || (family === 'mac' && p.len !== bits)) return `prefix: bad length ${describe(p.len)}`;
  if (!Number.isInteger(p.iid) || (p.iid as number) < 0 || (p.iid as number) > 0xffffffff) return `prefix: bad instance-id ${describe(p.iid)}`;
  return makePrefix(family as Family, p.address, p.len as number, p.iid as number);
}

function checkLocator(l: unknown): Locator | string {
  if (!isObject(l)) return 'not an object';
  const { family, address, priority, weight, state } = l;
  if (family !== 'ipv4' && family !== 'ipv6') return `unknown family ${describe(family)}`;
  if (typeof address !== 'string') return 'no address';
  try {
    parseAddress(family, address);
  } catch {
    // A zone ("fe80::1%eth0"), a name, the other family's address: nothing the worker can send to.
    return `not an ${family} address: ${describe(address)}`;
  }
  if (!isByte(priority)) return `priority ${describe(priority)} is not 0-255`;
  if (!isByte(weight)) return `weight ${describe(weight)} is not 0-255`;
  if (state !== 'up' && state !== 'down') return `unknown state ${describe(state)}`;
  return { address, family, priority, weight, state };
}
