// Mapping records and signed Map-Registers for the Map-Server tests (core and workers).
import { encodeAuthenticated, ipAddress, MAP_REGISTER_FLAGS, noFlags, type MappingRecord, type MapRegister } from '../../src/packet/index.js';

/** A record for prefix ("[iid]address/len" or "address/len") with the given RLOCs at priority 1, weight 100. */
export const record = (prefix: string, rlocs: string[], ttl = 1440): MappingRecord => {
  const [addr, len] = prefix.split('/') as [string, string];
  const iid = /^\[(\d+)\]/.exec(addr);
  return {
    ttl,
    maskLen: Number(len),
    eid: ipAddress(addr.replace(/^\[\d+\]/, ''), iid ? Number(iid[1]) : 0),
    act: 0,
    authoritative: true,
    mapVersion: 0,
    locators: rlocs.map((a) => ({ priority: 1, weight: 100, mPriority: 255, mWeight: 0, local: true, probed: false, reachable: true, address: ipAddress(a) })),
  };
};

/** A Map-Register signed with key (SHA-256, key ID 0, M bit unless o says otherwise). */
export function register(records: MappingRecord[], key: string, o: Partial<MapRegister> = {}): { bytes: Buffer; m: MapRegister } {
  const m: MapRegister = { type: 'map-register', ...noFlags(MAP_REGISTER_FLAGS), wantMapNotify: true, nonce: 5n, keyId: 0, algorithmId: 2, authData: Buffer.alloc(0), records, ...o };
  return { bytes: encodeAuthenticated(m, key), m };
}
