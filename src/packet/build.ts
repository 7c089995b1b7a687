// Builders for the messages every role sends: a Map-Request for one EID, and its
// encapsulation in an ECM (RFC 9301 section 5.8).
import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Address } from './address.js';
import { LISP_CONTROL_PORT, MAP_REQUEST_FLAGS } from './constants.js';
import type { Ecm } from './ecm.js';
import { ECM_FLAGS } from './ecm.js';
import { noFlags } from './flags.js';
import type { MapRequest } from './map-request.js';
import type { LispMessage } from './message.js';

/** A random 64-bit nonce from the system CSPRNG. */
export const randomNonce = (): bigint => randomBytes(8).readBigUInt64BE(0);

/** An IP address as an Address, wrapped in an Instance-ID LCAF when instanceId is not 0. */
export function ipAddress(text: string, instanceId = 0): Address {
  const a: Address = isIPv6(text) ? { afi: 'ipv6', address: text } : { afi: 'ipv4', address: text };
  return instanceId === 0 ? a : { afi: 'lcaf', lcaf: { type: 'instance-id', instanceId, maskLen: 0, address: a } };
}

export interface MapRequestFor {
  eid: Address;
  maskLen: number;
  itrRlocs: string[];
  nonce: bigint;
  sourceEid?: Address;
  smrInvoked?: boolean;
}

export function mapRequestFor(q: MapRequestFor): MapRequest {
  return {
    type: 'map-request',
    ...noFlags(MAP_REQUEST_FLAGS),
    smrInvoked: q.smrInvoked ?? false,
    nonce: q.nonce,
    sourceEid: q.sourceEid ?? { afi: 'none' },
    itrRlocs: q.itrRlocs.map((a) => ipAddress(a)),
    records: [{ notify: false, maskLen: q.maskLen, eid: q.eid }],
  };
}

export interface Encapsulation {
  /** Inner source: the sender's RLOC (when of another family than dst, the unspecified address of dst's family). */
  src: string;
  /** Inner destination: for a Map-Request, the EID asked for. */
  dst: string;
  /** Inner UDP source port: where the answer must come back. */
  sport: number;
  dport?: number;
}

/** Wraps a control message in an ECM whose inner IP family is that of the inner destination. */
export function encapsulate(message: LispMessage, e: Encapsulation, flags: Partial<Pick<Ecm, keyof typeof ECM_FLAGS>> = {}): Ecm {
  const v6 = isIPv6(e.dst);
  const src = isIPv6(e.src) === v6 ? e.src : v6 ? '::' : '0.0.0.0';
  return {
    type: 'ecm',
    ...noFlags(ECM_FLAGS),
    ...flags,
    ip: v6
      ? { version: 6, trafficClass: 0, flowLabel: 0, hopLimit: 64, src, dst: e.dst }
      : { version: 4, tos: 0, identification: 0, flags: 0, fragmentOffset: 0, ttl: 64, src, dst: e.dst },
    udp: { sport: e.sport, dport: e.dport ?? LISP_CONTROL_PORT },
    message,
  };
}
