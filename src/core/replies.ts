// The Map-Replies a node sends: a mapping (from an ETR's database or a Map-Server's
// registrations) or a negative reply with its action (RFC 9301 sections 5.4, 8.3).
import { ACT_NAMES, MAP_REPLY_FLAGS, noFlags, type Locator, type MapReply, type MappingRecord } from '../packet/index.js';
import { addressOf, type EidPrefix } from '../table/index.js';

type Action = (typeof ACT_NAMES)[number];

export function mapReply(nonce: bigint, records: MappingRecord[], probe = false): MapReply {
  return { type: 'map-reply', ...noFlags(MAP_REPLY_FLAGS), probe, nonce, records };
}

export function mappingRecord(prefix: EidPrefix, locators: Locator[], ttlMinutes: number, authoritative: boolean): MappingRecord {
  return { ttl: ttlMinutes, maskLen: prefix.len, eid: addressOf(prefix), act: 0, authoritative, mapVersion: 0, locators };
}

export function negativeRecord(prefix: EidPrefix, ttlMinutes: number, action: Action): MappingRecord {
  return { ...mappingRecord(prefix, [], ttlMinutes, false), act: ACT_NAMES.indexOf(action) };
}
