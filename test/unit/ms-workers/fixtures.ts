// Sites and Map-Requests for the Map-Server worker tests (records and Map-Registers: test/helpers/registers.ts).
import { encapsulate, encodeMessage, ipAddress, mapRequestFor } from '../../../src/packet/index.js';
import { parsePrefix } from '../../../src/table/index.js';
import type { SiteSpec } from '../../../src/core/roles/sites.js';

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
