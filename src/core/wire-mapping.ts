// The one adapter between the mapping model of the tables (table/locator.ts, table/mapping.ts: the
// local database, the map-cache, the data plane's copies) and the EID-records of the wire
// (packet/records.ts). Whatever reads a record into a table or writes a mapping into a message goes
// through here; a Map-Server keeps the records it was sent as they came and reads them through here
// too when it shows them.
import { isIPv6 } from 'node:net';
import { ACT_NAMES, formatAddress, ipAddress, MAP_REPLY_FLAGS, noFlags, type LocatorRecord, type MapReply, type MappingRecord } from '../packet/index.js';
import { addressOf, type EidPrefix, type Locator, type MappingUpdate, type NegativeAction } from '../table/index.js';

/** A locator as address, priority and weight (config, API). */
export interface LocatorSpec {
  readonly address: string;
  readonly priority: number;
  readonly weight: number;
}

/** Locators given as address, priority and weight, up, with their addresses in canonical form. */
export function locatorsOf(specs: readonly LocatorSpec[]): Locator[] {
  return specs.map((l) => ({ address: formatAddress(ipAddress(l.address)), family: isIPv6(l.address) ? 'ipv6' : 'ipv4', priority: l.priority, weight: l.weight, state: 'up' }));
}

/** A record's locator as the tables keep it; undefined for an address a table cannot send to (not IPv4 or IPv6). */
export function tableLocator(l: LocatorRecord): Locator | undefined {
  if (l.address.afi !== 'ipv4' && l.address.afi !== 'ipv6') return undefined;
  return { address: formatAddress(l.address), family: l.address.afi, priority: l.priority, weight: l.weight, state: l.reachable ? 'up' : 'down' };
}

/** The locators of a record the tables can use. */
export const tableLocators = (locators: readonly LocatorRecord[]): Locator[] => locators.flatMap((l) => tableLocator(l) ?? []);

/** A locator as a record carries it: no multicast (priority 255), R from its state; L and p as given. */
export function wireLocator(l: Locator, flags: { local: boolean; probed: boolean }): LocatorRecord {
  return { priority: l.priority, weight: l.weight, mPriority: 255, mWeight: 0, ...flags, reachable: l.state === 'up', address: ipAddress(l.address) };
}

/** A Map-Reply carrying these records (P set for an RLOC-probe reply). */
export function mapReply(nonce: bigint, records: MappingRecord[], probe = false): MapReply {
  return { type: 'map-reply', ...noFlags(MAP_REPLY_FLAGS), probe, nonce, records };
}

/** An EID-record of a mapping (no Map-Version, ACT 0). */
export function mappingRecord(prefix: EidPrefix, locators: LocatorRecord[], ttlMinutes: number, authoritative: boolean): MappingRecord {
  return { ttl: ttlMinutes, maskLen: prefix.len, eid: addressOf(prefix), act: 0, authoritative, mapVersion: 0, locators };
}

/** A negative EID-record: no locators, the action for packets to its EIDs. */
export function negativeRecord(prefix: EidPrefix, ttlMinutes: number, action: NegativeAction): MappingRecord {
  return { ...mappingRecord(prefix, [], ttlMinutes, false), act: ACT_NAMES.indexOf(action) };
}

/** What the map-cache installs from a record, its TTL capped at maxTtlMinutes. */
export function mappingUpdate(r: MappingRecord, maxTtlMinutes: number): MappingUpdate {
  return {
    locators: tableLocators(r.locators),
    ttlMs: Math.min(r.ttl, maxTtlMinutes) * 60_000,
    action: r.locators.length === 0 ? (ACT_NAMES[r.act] as NegativeAction) : 'no-action',
    mapVersion: r.mapVersion,
  };
}
