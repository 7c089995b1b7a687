// The query behind `loci lig`: an ECM Map-Request to a Map-Resolver, sent up to
// `count` times, and the first Map-Reply whose nonce matches (others are ignored).
import type { Endpoint, Network } from '../core/ports.js';
import { isIPv6 } from 'node:net';
import { decodeMessage, encapsulate, encodeMessage, ipAddress, LispDecodeError, mapRequestFor, randomNonce, type MapReply } from '../packet/index.js';

export interface LigQuery {
  eid: string;
  instanceId: number;
  mapResolver: Endpoint;
  /** Local RLOC: bound, and sent as the ITR-RLOC. */
  source: string;
  count: number;
  timeoutMs: number;
}

export interface LigAnswer {
  reply: MapReply;
  from: Endpoint;
  rttMs: number;
  attempt: number;
}

export async function ligQuery(q: LigQuery, network: Network): Promise<LigAnswer | undefined> {
  const nonce = randomNonce();
  let waiting: ((a: { reply: MapReply; from: Endpoint }) => void) | undefined;
  const socket = await network.bind({ address: q.source, port: 0 }, (data, from) => {
    const r = decodeMessage(data);
    if (r instanceof LispDecodeError || r.value.type !== 'map-reply' || r.value.nonce !== nonce) return;
    waiting?.({ reply: r.value, from });
  });
  try {
    const request = mapRequestFor({ eid: ipAddress(q.eid, q.instanceId), maskLen: isIPv6(q.eid) ? 128 : 32, itrRlocs: [q.source], nonce });
    const bytes = encodeMessage(encapsulate(request, { src: q.source, dst: q.eid, sport: socket.local.port }));
    for (let attempt = 1; attempt <= q.count; attempt++) {
      const got = new Promise<{ reply: MapReply; from: Endpoint } | undefined>((resolve) => {
        waiting = resolve;
        setTimeout(() => resolve(undefined), q.timeoutMs).unref();
      });
      const sent = performance.now();
      await socket.send(bytes, q.mapResolver);
      const answer = await got;
      if (answer) return { ...answer, rttMs: performance.now() - sent, attempt };
    }
    return undefined;
  } finally {
    waiting = undefined;
    await socket.close();
  }
}
