// `loci rig EID -d DDT-NODE` (its options in commands.ts): walk the DDT referrals for an EID from a DDT node (RFC 8112) and print
// each step the way rig does: the DDT Map-Request sent, the Map-Referral received with its
// prefix, TTL, referral type and referral set. Exit code 0 when the walk reached a referral that
// ends it (ms-ack, ms-not-registered, delegation-hole, not-authoritative), 1 when it stopped before
// (no Map-Referral, a loop, the depth limit, an unusable referral), 2 for bad arguments.
import { sourceAddressFor, udpNetwork } from '../io/udp.js';
import { formatAddress, formatWirePrefix, REFERRAL_ACTIONS, toJsonValue, type MapReferral } from '../packet/index.js';
import { rigWalk, type RigEvent, type RigOutcome } from './rig-walk.js';

export interface RigOptions {
  ddtNode: string;
  port: number;
  count: number;
  timeout: number;
  source?: string;
  instanceId: number;
  maxReferrals: number;
  json: boolean;
}

const ENDS: readonly RigOutcome[] = ['ms-ack', 'ms-not-registered', 'delegation-hole', 'not-authoritative'];

const FAILURES: Partial<Record<RigOutcome, string>> = {
  'no-referral': '*** No map-referral received ***',
  'bad-referral': '*** Map-Referral without a usable record or referral set ***',
  loop: '*** Referral loop: a referral no more specific than the one before it ***',
  'depth-limit': '*** Referral depth limit reached ***',
};

export async function runRig(eid: string, opts: RigOptions, out: (line: string) => void): Promise<number> {
  const ddtNode = { address: opts.ddtNode, port: opts.port };
  const source = opts.source ?? (await sourceAddressFor(opts.ddtNode));
  const shown = `${opts.instanceId ? `[${opts.instanceId}]` : ''}${eid}`;
  const steps: RigEvent[] = [];
  const outcome = await rigWalk(
    { eid, instanceId: opts.instanceId, ddtNode, source, count: opts.count, timeoutMs: opts.timeout * 1000, maxReferrals: opts.maxReferrals },
    udpNetwork,
    (e) => (opts.json ? steps.push(e) : out(formatEvent(e, shown).join('\n'))),
  );
  if (opts.json) out(JSON.stringify(toJsonValue({ eid, instanceId: opts.instanceId, ddtNode, source, steps, outcome })));
  else if (FAILURES[outcome]) out(FAILURES[outcome]);
  return ENDS.includes(outcome) ? 0 : 1;
}

function formatEvent(e: RigEvent, eid: string): string[] {
  if (e.kind === 'sent') return [`Send rig map-request to ${e.to.address}:${e.to.port} for EID ${eid} ...`];
  if (e.kind === 'silent') return [`No map-referral from ${e.to.address}:${e.to.port}`];
  return [`Received map-referral from ${e.from.address}:${e.from.port} with rtt ${(e.rttMs / 1000).toFixed(5)} secs`, ...referralLines(e.referral)];
}

function referralLines(m: MapReferral): string[] {
  return m.records.flatMap((r) => {
    const flags = `${r.authoritative ? '' : ', not authoritative'}${r.incomplete ? ', incomplete' : ''}`;
    const head = `EID-prefix: ${formatWirePrefix(r.eid, r.maskLen)}, ttl: ${r.ttl}, referral-type: ${REFERRAL_ACTIONS[r.act] ?? `action ${r.act}`}${flags}`;
    return r.refs.length === 0 ? [head] : [head, `  Referrals: ${r.refs.map((l) => formatAddress(l.address)).join(', ')}`];
  });
}
