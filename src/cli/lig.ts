// `loci lig EID -m MAP-RESOLVER`: ask the mapping system for an EID and print the
// answer the way the classic lig does.
import type { Command } from 'commander';
import { sourceAddressFor, udpNetwork } from '../io/udp.js';
import { ACT_NAMES, formatAddress, formatWirePrefix, LISP_CONTROL_PORT, toJsonValue, type MappingRecord } from '../packet/index.js';
import { ligQuery, type LigAnswer } from './lig-query.js';
import { intArg, ipArg, parsePort } from './options.js';

interface LigOptions {
  mapResolver: string;
  port: number;
  count: number;
  timeout: number;
  source?: string;
  instanceId: number;
  json: boolean;
}

export function registerLig(program: Command): void {
  program
    .command('lig')
    .description('query the mapping system for an EID (an ECM Map-Request to a Map-Resolver) and print the mapping')
    .argument('<eid>', 'the EID to look up (IPv4 or IPv6 address)', ipArg('EID'))
    .requiredOption('-m, --map-resolver <address>', 'Map-Resolver to ask', ipArg('Map-Resolver'))
    .option('--port <n>', 'Map-Resolver UDP port', parsePort, LISP_CONTROL_PORT)
    .option('-c, --count <n>', 'Map-Requests to send before giving up', intArg(1, 100), 3)
    .option('-t, --timeout <seconds>', 'seconds to wait for each reply', intArg(1, 60), 2)
    .option('-s, --source <address>', 'local RLOC to send from and to be answered at (default: the route to the Map-Resolver)', ipArg('source'))
    .option('-i, --instance-id <n>', 'instance-id of the EID', intArg(0, 0xffffff), 0)
    .option('--json', 'print the answer as JSON', false)
    .action(async (eid: string, opts: LigOptions) => {
      process.exitCode = await runLig(eid, opts, (line) => process.stdout.write(`${line}\n`));
    });
}

export async function runLig(eid: string, opts: LigOptions, out: (line: string) => void): Promise<number> {
  const mapResolver = { address: opts.mapResolver, port: opts.port };
  const source = opts.source ?? (await sourceAddressFor(opts.mapResolver));
  if (!opts.json) out(`Send map-request to ${opts.mapResolver}:${opts.port} for ${eid} ...`);
  const answer = await ligQuery({ eid, instanceId: opts.instanceId, mapResolver, source, count: opts.count, timeoutMs: opts.timeout * 1000 }, udpNetwork);
  if (opts.json) {
    out(JSON.stringify(toJsonValue({ eid, instanceId: opts.instanceId, mapResolver, source, ...(answer ? jsonAnswer(answer) : { replied: false }) })));
  } else if (answer) {
    out(`Received map-reply from ${answer.from.address}:${answer.from.port} with rtt ${(answer.rttMs / 1000).toFixed(5)} secs`);
    out('');
    out(`Mapping entry for EID '${eid}':`);
    for (const r of answer.reply.records) out(formatRecord(r));
  } else {
    out('*** No map-reply received ***');
  }
  return answer ? 0 : 1;
}

const jsonAnswer = (a: LigAnswer) => ({ replied: true, from: a.from, rttMs: a.rttMs, attempt: a.attempt, records: a.reply.records });

function formatRecord(r: MappingRecord): string {
  const head = `${formatWirePrefix(r.eid, r.maskLen)}, via map-reply, record ttl: ${r.ttl}, ${r.authoritative ? 'auth' : 'not auth'}, not mobile`;
  if (r.locators.length === 0) return `${head}\n  Negative cache entry, action: ${ACT_NAMES[r.act]}`;
  const rows = r.locators.map((l) => [formatAddress(l.address), l.reachable ? 'up' : 'down', `${l.priority}/${l.weight}`]);
  const w = Math.max(7, ...rows.map((x) => x[0]!.length)) + 2;
  return [head, `  ${'Locator'.padEnd(w)}${'State'.padEnd(7)}Priority/Weight`, ...rows.map(([a, s, pw]) => `  ${a!.padEnd(w)}${s!.padEnd(7)}${pw}`)].join('\n');
}
