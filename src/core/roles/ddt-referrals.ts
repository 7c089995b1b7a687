// Map-Referrals as DDT nodes and DDT Map-Servers send them (RFC 8111 section 6.4): one record per
// answer, with the TTL, the Authoritative and Incomplete bits and the referral set its action
// calls for, sent back to the DDT client at the address and port its DDT Map-Request came from.
import { encodeMessage, ipAddress, REFERRAL_ACTIONS, type LocatorRecord, type MapReferral, type ReferralAction, type ReferralRecord } from '../../packet/index.js';
import { addressOf, type EidPrefix } from '../../table/index.js';
import type { MapRequestContext, NodeComponents } from '../role.js';

/** Record TTL of each action, in minutes (RFC 8111 section 6.4). */
export const REFERRAL_TTL: Readonly<Record<ReferralAction, number>> = {
  'node-referral': 1440,
  'ms-referral': 1440,
  'ms-ack': 1440,
  'ms-not-registered': 1,
  'delegation-hole': 15,
  'not-authoritative': 0,
};

/** One answer of a DDT node or DDT Map-Server. */
export interface Referral {
  action: ReferralAction;
  prefix: EidPrefix;
  /** RLOCs of the DDT nodes or Map-Servers referred to (none for the negative actions). */
  refs: readonly string[];
  /** I: the referral set is not complete (the client should not cache it). */
  incomplete: boolean;
}

const refOf = (address: string): LocatorRecord => ({ priority: 1, weight: 100, mPriority: 255, mWeight: 0, local: false, probed: false, reachable: true, address: ipAddress(address) });

/** The referral record of an answer; A is set on every action but not-authoritative. */
export function referralRecord(r: Referral): ReferralRecord {
  return {
    ttl: REFERRAL_TTL[r.action],
    maskLen: r.prefix.len,
    eid: addressOf(r.prefix),
    act: REFERRAL_ACTIONS.indexOf(r.action),
    authoritative: r.action !== 'not-authoritative',
    incomplete: r.incomplete,
    mapVersion: 0,
    refs: r.refs.map(refOf),
    signatures: [],
  };
}

/** Sends the Map-Referral answering a DDT Map-Request (same nonce) to where it came from, and counts it. */
export function sendReferral(c: NodeComponents, ctx: MapRequestContext, r: Referral): void {
  const m: MapReferral = { type: 'map-referral', nonce: ctx.request.nonce, records: [referralRecord(r)] };
  c.counters.inc(`map-referral.sent.${r.action}`);
  c.send(encodeMessage(m), ctx.from, ctx.arrivedOn);
}

/** Whether the request is a DDT Map-Request (an ECM with D) that a DDT node or Map-Server answers. */
export const isDdtRequest = (ctx: MapRequestContext): boolean => ctx.ecm?.ddt === true && !ctx.request.probe;
