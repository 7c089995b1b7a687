// What the control plane tells the workers for a map-cache entry (the route of protocol.ts).
import type { Locator, MapCacheEntry } from '../table/index.js';
import type { ControlMessage } from './protocol.js';

/**
 * active: forward to its locators; negative: its action, except that natively-forward (and
 * no-action) go to the PETRs when there are some (RFC 6830bis PETR use: a TUN node cannot forward
 * natively); resolving, expired, send-map-request: no route, so packets wait and report a miss.
 */
export function messageFor(entry: MapCacheEntry, petrs: readonly Locator[]): ControlMessage {
  const prefix = entry.eid;
  if (entry.state === 'active') return { op: 'add', prefix, route: { kind: 'forward', locators: entry.locators } };
  if (entry.state !== 'negative' || entry.action === 'send-map-request') return { op: 'delete', prefix };
  if ((entry.action === 'natively-forward' || entry.action === 'no-action') && petrs.length > 0) {
    return { op: 'add', prefix, route: { kind: 'forward', locators: petrs } };
  }
  return { op: 'add', prefix, route: { kind: 'negative', action: entry.action } };
}

/** PETR addresses as locators of equal priority and weight. */
export function petrLocators(addresses: readonly string[]): Locator[] {
  return addresses.map((address) => ({ address, family: address.includes(':') ? 'ipv6' : 'ipv4', priority: 1, weight: 1, state: 'up' }));
}
