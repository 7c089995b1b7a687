// The walk behind `loci rig` (RFC 8112): one DDT Map-Request (the Map-Request in an ECM with D, with
// D "don't map-reply" set too, as rig wants referrals, not mappings) sent to a DDT node,
// then to a node of each node- or ms-referral that comes back, until a referral that ends the walk
// (ms-ack, ms-not-registered, delegation-hole, not-authoritative). Each node of a referral set is
// asked `count` times, `timeoutMs` apart, before the next one; a Map-Referral counts only with the
// walk's nonce and from the node asked. A referral no more specific than the one before it is a
// loop; at most maxReferrals are followed.
import type { Endpoint, Network } from '../core/ports.js';
import {
  decodeMessage,
  encapsulate,
  encodeMessage,
  formatAddress,
  ipAddress,
  LispDecodeError,
  mapRequestFor,
  randomNonce,
  REFERRAL_ACTIONS,
  type MapReferral,
  type ReferralAction,
} from '../packet/index.js';

export interface RigQuery {
  eid: string;
  instanceId: number;
  ddtNode: Endpoint;
  /** Local RLOC: bound, and sent as the ITR-RLOC. */
  source: string;
  count: number;
  timeoutMs: number;
  maxReferrals: number;
}

export type RigEvent =
  | { kind: 'sent'; to: Endpoint; attempt: number }
  | { kind: 'referral'; from: Endpoint; rttMs: number; referral: MapReferral }
  | { kind: 'silent'; to: Endpoint };

/** How a walk ended: a referral that ends it, or why it stopped before one. */
export type RigOutcome = Exclude<ReferralAction, 'node-referral' | 'ms-referral'> | 'no-referral' | 'bad-referral' | 'loop' | 'depth-limit';

export async function rigWalk(q: RigQuery, network: Network, on: (e: RigEvent) => void): Promise<RigOutcome> {
  const nonce = randomNonce();
  let waiting: { from: string; resolve: (m: MapReferral) => void } | undefined;
  const socket = await network.bind({ address: q.source, port: 0 }, (data, from) => {
    const r = decodeMessage(data);
    if (r instanceof LispDecodeError || r.value.type !== 'map-referral' || r.value.nonce !== nonce || from.address !== waiting?.from) return;
    waiting.resolve(r.value);
  });
  const maskLen = q.eid.includes(':') ? 128 : 32;
  const request = { ...mapRequestFor({ eid: ipAddress(q.eid, q.instanceId), maskLen, itrRlocs: [q.source], nonce }), dontMapReply: true };
  const bytes = encodeMessage(encapsulate(request, { src: q.source, dst: q.eid, sport: socket.local.port }, { ddt: true }));

  /** The first Map-Referral from one of the targets, each asked count times. */
  const askAny = async (targets: Endpoint[]): Promise<MapReferral | undefined> => {
    for (const to of targets) {
      for (let attempt = 1; attempt <= q.count; attempt++) {
        const got = new Promise<MapReferral | undefined>((resolve) => {
          waiting = { from: to.address, resolve };
          setTimeout(() => resolve(undefined), q.timeoutMs).unref();
        });
        on({ kind: 'sent', to, attempt });
        const sent = performance.now();
        await socket.send(bytes, to);
        const referral = await got;
        if (referral) {
          on({ kind: 'referral', from: to, rttMs: performance.now() - sent, referral });
          return referral;
        }
      }
      on({ kind: 'silent', to });
    }
    return undefined;
  };

  try {
    let targets = [q.ddtNode];
    let lastMaskLen = -1;
    for (let followed = 0; ; followed++) {
      const referral = await askAny(targets);
      if (!referral) return 'no-referral';
      const record = referral.records[0];
      const action = record && REFERRAL_ACTIONS[record.act];
      if (!record || !action) return 'bad-referral';
      if (action !== 'node-referral' && action !== 'ms-referral') return action;
      if (record.maskLen <= lastMaskLen) return 'loop';
      if (followed === q.maxReferrals) return 'depth-limit';
      lastMaskLen = record.maskLen;
      targets = record.refs.flatMap((r) => (r.address.afi === 'ipv4' || r.address.afi === 'ipv6' ? [{ address: formatAddress(r.address), port: q.ddtNode.port }] : []));
      if (targets.length === 0) return 'bad-referral';
    }
  } finally {
    waiting = undefined;
    await socket.close();
  }
}
