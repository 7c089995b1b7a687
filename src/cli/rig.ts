// `loci rig EID -d DDT-NODE`: walk the DDT referrals for an EID from a DDT node (RFC 8112) and print
// each step the way rig does: the DDT Map-Request sent, the Map-Referral received with its
// prefix, TTL, referral type and referral set. Exit code 0 when the walk reached a referral that
// ends it (ms-ack, ms-not-registered, delegation-hole, not-authoritative), 1 when it stopped before
// (no Map-Referral, a loop, the depth limit, an unusable referral), 2 for bad arguments.
import type { Command } from 'commander';
import { sourceAddressFor, udpNetwork } from '../io/udp.js';
import { formatAddress, formatWirePrefix, LISP_CONTROL_PORT, REFERRAL_ACTIONS, toJsonValue, type MapReferral } from '../packet/index.js';
import { intArg, ipArg, parsePort } from './options.js';
import { rigWalk, type RigEvent, type RigOutcome } from './rig-walk.js';

interface RigOptions {
  ddtNode: string;
  port: number;
  count: number;
  timeout: number;
  source?: string;
  instanceId: number;
  maxReferrals: number;
  json: boolean;
}

export function registerRig(program: Command): void {
  program
    .command('rig')
    .description('walk the LISP-DDT referrals for an EID from a DDT node (DDT Map-Requests, RFC 8112) and print each step')
    .argument('<eid>', 'the EID to look up (IPv4 or IPv6 address)', ipArg('EID'))
    .requiredOption('-d, --ddt-node <address>', 'DDT node to start from (a root, or any node of the tree)', ipArg('DDT node'))
    .option('--port <n>', 'UDP port of the DDT nodes', parsePort, LISP_CONTROL_PORT)
    .option('-c, --count <n>', 'DDT Map-Requests to each node before the next of its referral set', intArg(1, 100), 2)
    .option('-t, --timeout <seconds>', 'seconds to wait for each Map-Referral', intArg(1, 60), 2)
    .option('-s, --source <address>', 'local RLOC to send from and be answered at (default: the route to the DDT node)', ipArg('source'))
    .option('-i, --instance-id <n>', 'instance-id of the EID', intArg(0, 0xffffff), 0)
    .option('--max-referrals <n>', 'node- and ms-referrals to follow at most', intArg(1, 64), 16)
    .option('--json', 'print the walk as JSON', false)
    .action(async (eid: string, opts: RigOptions) => {
      process.exitCode = await runRig(eid, opts, (line) => process.stdout.write(`${line}\n`));
    });
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
