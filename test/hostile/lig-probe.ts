// The valid traffic during a flood, run inside the probe's namespace:
//   node --import tsx test/hostile/lig-probe.ts --map-resolver ADDR --eid EID [--eid EID ...] [--interval-ms N] [--timeout-s N]
// Every interval it starts one `loci lig` (runLig of src/cli/lig.ts, the command's own code) with
// one Map-Request and the timeout, for the EIDs in turn, until SIGINT or SIGTERM; then it waits for
// the lookups still open and prints a JSON summary: per EID, requests sent and answered, and RTTs.
import { parseArgs } from 'node:util';
import { runLig } from '../../src/cli/lig.js';

export interface ProbeSummary {
  sent: number;
  answered: number;
  perEid: Record<string, { sent: number; answered: number; rttMsMedian: number | null; rttMsMax: number | null }>;
}

const { values } = parseArgs({
  options: {
    'map-resolver': { type: 'string' },
    eid: { type: 'string', multiple: true },
    'interval-ms': { type: 'string', default: '200' },
    'timeout-s': { type: 'string', default: '1' },
  },
});
const mapResolver = values['map-resolver'];
const eids = values.eid ?? [];
const intervalMs = Number(values['interval-ms']);
const timeout = Number(values['timeout-s']);
if (!mapResolver || eids.length === 0 || !(intervalMs > 0) || !Number.isInteger(timeout) || timeout < 1) {
  console.error('usage: lig-probe.ts --map-resolver ADDR --eid EID [--eid EID ...] [--interval-ms N] [--timeout-s N]');
  process.exit(2);
}

const rtts = new Map<string, number[]>(eids.map((e) => [e, []]));
const sent = new Map<string, number>(eids.map((e) => [e, 0]));
const open = new Set<Promise<void>>();
let n = 0;

async function lookup(eid: string): Promise<void> {
  let line = '';
  const code = await runLig(eid, { mapResolver: mapResolver!, port: 4342, count: 1, timeout, instanceId: 0, json: true }, (l) => (line = l));
  if (code !== 0) return;
  const answer = JSON.parse(line) as { replied: boolean; rttMs: number };
  if (answer.replied) rtts.get(eid)!.push(answer.rttMs);
}

const timer = setInterval(() => {
  const eid = eids[n++ % eids.length]!;
  sent.set(eid, sent.get(eid)! + 1);
  const p = lookup(eid).catch(() => {});
  open.add(p);
  void p.finally(() => open.delete(p));
}, intervalMs);

async function finish(): Promise<void> {
  clearInterval(timer);
  await Promise.all([...open]);
  const perEid: ProbeSummary['perEid'] = {};
  for (const eid of eids) {
    const r = rtts.get(eid)!.sort((a, b) => a - b);
    perEid[eid] = { sent: sent.get(eid)!, answered: r.length, rttMsMedian: r.length ? r[r.length >> 1]! : null, rttMsMax: r.length ? r[r.length - 1]! : null };
  }
  const summary: ProbeSummary = { sent: n, answered: [...rtts.values()].reduce((k, r) => k + r.length, 0), perEid };
  console.log(JSON.stringify(summary));
  process.exit(0);
}
process.once('SIGINT', () => void finish());
process.once('SIGTERM', () => void finish());
console.log('probing');
