// The ordered Map-Request chain (DESIGN example 5): a Map-Request (plain or in an ECM) goes down the
// links the roles contribute until one answers: local database (ETR, 10) -> registrations and proxy
// replies (Map-Server, 20) -> referral or forward (Map-Resolver, 30); a link may answer later (a DDT
// resolver needs several round trips). When none answers, the most specific negative answer a link
// proposed is sent, else the request is dropped as not ours.
//
// Replies go to an ITR-RLOC of the family the request came in on, else of a family the node can
// send from (RFC 9301 section 5.3 lets the reply go to any of them), at the request's source port.
import { isIPv6 } from 'node:net';
import { encapsulate, encodeMessage, formatAddress, type Ecm, type MapRequest } from '../packet/index.js';
import { eidPrefixOf, formatAddress as formatEidAddress } from '../table/index.js';
import type { ControlSocket, Endpoint } from './ports.js';
import { mapReply, negativeRecord } from './wire-mapping.js';
import type { MapRequestContext, NodeComponents, RequestLink } from './role.js';

export class RequestChain {
  private readonly links: RequestLink[];

  constructor(
    links: readonly RequestLink[],
    private readonly c: NodeComponents,
    /** The node's control sockets (replies of the other family leave from one of them). */
    private readonly sockets: () => readonly ControlSocket[],
  ) {
    this.links = [...links].sort((a, b) => a.order - b.order);
  }

  /** Runs a Map-Request down the chain; replyPort is the port it came from (of the inner UDP header for an ECM). */
  handle(request: MapRequest, ecm: Ecm | undefined, data: Buffer, replyPort: number, from: Endpoint, arrivedOn: ControlSocket): void {
    const ctx = this.context(request, ecm, data, replyPort, from, arrivedOn);
    if (!ctx) return this.c.counters.inc('dropped.map-request-no-usable-itr-rloc');
    for (let i = 0; i < this.links.length; i++) {
      const answered = this.links[i]!.handle(ctx);
      if (answered === true) return;
      // A link that answers later takes the rest of the chain with it.
      if (answered !== false) return void this.continueAsync(ctx, i, answered);
    }
    this.last(ctx);
  }

  private async continueAsync(ctx: MapRequestContext, at: number, pending: Promise<boolean>): Promise<void> {
    try {
      if (await pending) return;
      for (let i = at + 1; i < this.links.length; i++) if (await this.links[i]!.handle(ctx)) return;
      this.last(ctx);
    } catch (e) {
      this.c.counters.inc('dropped.error.map-request');
      this.c.limited.warn('error.map-request', { error: e instanceof Error ? e.message : String(e) }, 'Map-Request dropped');
    }
  }

  /** No link answered: the most specific negative answer proposed, or nothing. */
  private last(ctx: MapRequestContext): void {
    const best = ctx.negatives.reduce<MapRequestContext['negatives'][number] | undefined>((a, b) => (a && a.prefix.len >= b.prefix.len ? a : b), undefined);
    if (!best) return this.c.counters.inc('dropped.map-request-not-ours');
    this.c.counters.inc(`map-reply.negative.${best.kind}`);
    ctx.reply(mapReply(ctx.request.nonce, [negativeRecord(best.prefix, best.ttlMinutes, 'natively-forward')]));
  }

  private context(request: MapRequest, ecm: Ecm | undefined, data: Buffer, replyPort: number, from: Endpoint, arrivedOn: ControlSocket): MapRequestContext | undefined {
    const v6 = (a: { afi: string }) => a.afi === 'ipv6';
    const socketOf = (a: { afi: string }) => this.sockets().find((s) => isIPv6(s.local.address) === v6(a));
    const usable = request.itrRlocs.filter((a) => a.afi === 'ipv4' || a.afi === 'ipv6');
    const itr = usable.find((a) => v6(a) === isIPv6(arrivedOn.local.address)) ?? usable.find((a) => socketOf(a) !== undefined);
    if (!itr) return undefined;
    const socket = v6(itr) === isIPv6(arrivedOn.local.address) ? arrivedOn : socketOf(itr)!;
    const replyTo = { address: formatAddress(itr), port: replyPort };
    const record = request.records[0];
    const eid = record && eidPrefixOf(record.eid, record.maskLen);
    const c = this.c;
    return {
      request,
      ecm,
      data,
      from,
      replyTo,
      socket,
      arrivedOn,
      eid,
      negatives: [],
      reply: (m) => c.send(encodeMessage(m), replyTo, socket),
      forward(to, counter) {
        // Forwarded requests go out re-encapsulated unchanged (a DDT Map-Request without its D bit:
        // the ETR answers the ITR, the DDT client hears from the Map-Server); the answer goes to the ITR directly.
        const bytes = ecm ? (ecm.ddt ? encodeMessage({ ...ecm, ddt: false }) : data) : encodeMessage(encapsulate(request, { src: replyTo.address, dst: eid ? formatEidAddress(eid.family, eid.address) : replyTo.address, sport: replyPort }));
        c.counters.inc(counter);
        c.send(bytes, { address: to, port: c.controlPort });
      },
    };
  }
}
