// A DDT client on the in-memory network for the DDT tests: sends DDT Map-Requests (ECMs with D) or
// other Map-Requests from its own socket and keeps every message it gets back.
import { referralRecord, type Referral } from '../../../src/core/roles/ddt-referrals.js';
import type { MemoryNetwork } from '../../../src/io/testing/memory-network.js';
import { eidPrefixOf, type EidPrefix } from '../../../src/table/index.js';
import { decodeMessage, encapsulate, encodeMessage, ipAddress, LispDecodeError, mapRequestFor, REFERRAL_ACTIONS, type LispMessage, type MapReferral } from '../../../src/packet/index.js';

export const settle = async (): Promise<void> => {
  for (let i = 0; i < 40; i++) await new Promise((r) => setImmediate(r));
};

export async function ddtClient(network: MemoryNetwork, address: string) {
  const got: { m: LispMessage; from: string }[] = [];
  const socket = await network.bind({ address, port: 0 }, (d, from) => {
    const r = decodeMessage(d);
    if (!(r instanceof LispDecodeError)) got.push({ m: r.value, from: from.address });
  });
  return {
    got,
    referrals: () => got.flatMap((g) => (g.m.type === 'map-referral' ? [g.m] : [])),
    replies: () => got.flatMap((g) => (g.m.type === 'map-reply' ? [g.m] : [])),
    /** A Map-Request for eid (host prefix), in an ECM with D unless ddt is false, to node:4342. */
    async ask(node: string, eid: string, nonce: bigint, o: { ddt?: boolean; instanceId?: number } = {}) {
      const request = mapRequestFor({ eid: ipAddress(eid, o.instanceId ?? 0), maskLen: eid.includes(':') ? 128 : 32, itrRlocs: [address], nonce });
      const ecm = encapsulate(request, { src: address, dst: eid, sport: socket.local.port }, { ddt: o.ddt ?? true });
      await socket.send(encodeMessage(ecm), { address: node, port: 4342 });
      await settle();
    },
  };
}

/** A Map-Referral as text: prefix, action, TTL, A and I bits, refs. */
export function referralText(m: MapReferral): string {
  return m.records
    .map((r) => {
      const eid = r.eid.afi === 'lcaf' && r.eid.lcaf.type === 'instance-id' ? `[${r.eid.lcaf.instanceId}]${'address' in r.eid.lcaf.address ? r.eid.lcaf.address.address : '?'}` : 'address' in r.eid ? r.eid.address : '?';
      const refs = r.refs.map((l) => ('address' in l.address ? l.address.address : '?')).join(',');
      return `${eid}/${r.maskLen} ${REFERRAL_ACTIONS[r.act]} ttl ${r.ttl}${r.authoritative ? ' A' : ''}${r.incomplete ? ' I' : ''}${refs ? ` -> ${refs}` : ''}`;
    })
    .join('; ');
}

/**
 * A scripted DDT node at address:4342: each DDT Map-Request gets the Map-Referral `answer` gives for
 * its EID (same nonce, back to its sender), or nothing; the nonces it saw are kept.
 */
export async function fakeDdtNode(network: MemoryNetwork, address: string, answer: (eid: EidPrefix) => Referral | undefined) {
  const seen: EidPrefix[] = [];
  const socket = await network.bind({ address, port: 4342 }, (d, from) => {
    const r = decodeMessage(d);
    if (r instanceof LispDecodeError || r.value.type !== 'ecm' || !r.value.ddt || r.value.message.type !== 'map-request') return;
    const request = r.value.message;
    const eid = eidPrefixOf(request.records[0]!.eid, request.records[0]!.maskLen)!;
    seen.push(eid);
    const ref = answer(eid);
    if (ref) void socket.send(encodeMessage(referralMessage(request.nonce, ref)), from);
  });
  return { seen, socket };
}

export const referralMessage = (nonce: bigint, r: Referral): MapReferral => ({ type: 'map-referral', nonce, records: [referralRecord(r)] });
