// Every name a node counts under (Counters.inc takes only these), and so every name the Map-Server
// workers may count under too: their list (ms-workers/counters.ts) is checked against this type,
// so a worker cannot count what the node calls by another name. The data plane's counters are its
// own, under "dataplane." (dataplane/counters.ts).
import type { LispErrorCode } from '../packet/errors.js';
import type { ReferralAction } from '../packet/map-referral.js';
import type { MessageType } from '../packet/message.js';
import type { RefusedRecord, RejectReason } from './roles/map-server.js';

type DdtWalkCounter =
  | 'bad-eid'
  | 'duplicate-nonce'
  | 'pending-full'
  | 'walks'
  | 'answered-from-cache'
  | 'map-request.sent'
  | 'timeout'
  | 'gave-up'
  | 'restarted'
  | 'not-authoritative'
  | 'referral-loop'
  | 'referral-limit';

export type NodeCounterName =
  // The node: every datagram, every send (node.ts), a failed timer (daemon/process.ts).
  | 'received'
  | `received.${MessageType}`
  | `received.malformed.${LispErrorCode}`
  | 'sent'
  | 'sent.error'
  | 'sent.no-socket'
  | `dropped.error.${MessageType}`
  | `dropped.unhandled.${MessageType}`
  | 'dropped.unhandled.smr'
  | 'dropped.ecm-not-map-request'
  | 'timer.error'
  // The Map-Request chain (request-chain.ts) and its links in the roles.
  | 'dropped.map-request-no-usable-itr-rloc'
  | 'dropped.map-request-not-ours'
  | 'dropped.map-request-bad-eid'
  | 'map-reply.negative.unregistered'
  | 'map-reply.negative.not-eid'
  | 'map-reply.proxy'
  | 'map-request.forwarded'
  | 'map-request.forwarded-to-map-server'
  // Map-Server.
  | 'map-register.accepted'
  | `map-register.rejected.${RejectReason}`
  | `map-register.record-rejected.${RefusedRecord['reason']}`
  | 'registration.expired'
  | 'registration.withdrawn'
  | 'registration.replaced'
  | 'map-notify-ack.accepted'
  | 'map-notify-ack.rejected'
  // ETR: registering, SMRs.
  | 'map-register.sent'
  | 'map-register.withdrawal.sent'
  | 'map-register.encode-error'
  | 'map-register.records-refused'
  | 'map-register.unacknowledged'
  | 'map-notify.accepted'
  | 'map-notify.rejected'
  | 'map-notify.unmatched-nonce'
  | 'map-notify-ack.sent'
  | 'smr.sent'
  | 'smr.rate-limited'
  // ITR: resolving, RLOC probing.
  | 'map-request.sent'
  | 'map-request.smr-invoked.sent'
  | 'map-request.retransmit'
  | 'map-request.gave-up'
  | 'map-request.rate-limited'
  | 'map-request.too-many-outstanding'
  | 'map-resolver.failover'
  | 'map-reply.accepted'
  | 'map-reply.unmatched-nonce'
  | 'map-reply.ttl-capped'
  | 'map-reply.record-rejected.not-requested'
  | 'smr.received'
  | 'smr.ignored'
  | 'rloc-probe.sent'
  | 'rloc-probe.answered'
  | 'rloc-probe.unanswered'
  | 'rloc.up'
  | 'rloc.down'
  // DDT: the DDT node's and Map-Server's referrals (ddt-referrals.ts), the DDT Map-Resolver's walks
  // (ddt-resolver.ts) and its referral cache (referral-cache.ts).
  | `map-referral.sent.${ReferralAction}`
  | `map-referral.received.${ReferralAction}`
  | `map-referral.rejected.${'unknown-nonce' | 'wrong-source' | 'bad-record' | 'no-refs'}`
  | 'map-reply.negative.ddt'
  | `ddt.${DdtWalkCounter}`
  | 'ddt.referral-cache.evicted'
  // Counted by the Map-Server workers only: datagrams dropped while the main thread was behind.
  | 'ms-workers.forward-dropped';
