// Map-Registers and Map-Requests for the Map-Server worker tests.
import { encapsulate, encodeAuthenticated, encodeMessage, ipAddress, MAP_REGISTER_FLAGS, mapRequestFor, noFlags, type MappingRecord, type MapRegister } from '../../../src/packet/index.js';
import { parsePrefix } from '../../../src/table/index.js';
import type { SiteSpec } from '../../../src/core/roles/sites.js';

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

export const site = (name: string, key: string, prefixes: string[], o: Partial<SiteSpec> = {}): SiteSpec => ({
  name,
  keys: [
    { keyId: 0, key, algorithm: 'sha256' },
    { keyId: 1, key, algorithm: 'sha1' },
  ],
  prefixes: prefixes.map((p) => ({ prefix: parsePrefix(p), acceptMoreSpecifics: false })),
  ...o,
});

/** An ECM Map-Request for eid from the ITR-RLOCs itrs, answered at sport. */
export function ecmRequest(eid: string, o: { maskLen?: number; itrs?: string[]; nonce?: bigint; sport?: number; instanceId?: number } = {}): Buffer {
  const v6 = eid.includes(':');
  const request = mapRequestFor({ eid: ipAddress(eid, o.instanceId ?? 0), maskLen: o.maskLen ?? (v6 ? 128 : 32), itrRlocs: o.itrs ?? ['192.0.2.1'], nonce: o.nonce ?? 7n });
  return encodeMessage(encapsulate(request, { src: (o.itrs ?? ['192.0.2.1'])[0]!, dst: eid, sport: o.sport ?? 40_000 }));
}
