// The flood generator, run inside the attacker's namespace:
//   node --import tsx test/hostile/flood.ts --plan FILE [--seed S] [--count N] [--seconds T] [--rate R] [--progress]
// Sends hostile packets (packets.ts) to the plan's targets from every source address and several
// ports each, bounded by count and time, at a rate (0: as fast as the sockets take them). Each
// packet is built from the seeded Rng, so a seed gives the same packets in the same order. Sends
// go through the project's UDP layer (src/io/linux: sendmsg through koffi, blocking sockets, one
// copy into a fixed buffer). Prints `flood seed S` first and a JSON summary (FloodSummary) last;
// with --progress, a line on stderr every 5 s.
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { parseArgs } from 'node:util';
import { addressBytes, UdpFd } from '../../src/io/linux/index.js';
import { captureSeedsByPort } from '../fuzz/corpus.js';
import { lociDataHeaderSeeds, lociMessageSeeds } from '../fuzz/loci-seeds.js';
import { Rng } from '../fuzz/mutate.js';
import { BUILDERS, type Builder, type FloodContext, type Kind } from './packets.js';
import { checkPlan, type FloodPlan, type FloodSummary } from './plan.js';

const MAX_DATAGRAM = 65507;
/**
 * Structured messages cost 5-40 us each to encode (HMACs, codecs): each (target, kind) keeps a pool
 * of them, and each use rebuilds the one it took with probability 1/REBUILD, so the flood keeps
 * sending new nonces, EIDs and ITR-RLOCs at a small cost per packet. Mutants are made fresh.
 */
const POOL = 512;
const REBUILD = 8;
const FRESH: readonly Kind[] = ['mutated-control', 'mutated-data', 'register-replay'];
/** Packets built and sent between two looks at the clock. */
const BURST = 64;
const PROGRESS_MS = 5000;

interface Choice {
  /** Cumulative weight up to and including this choice. */
  upTo: number;
  target: string;
  kind: Kind;
  build: Builder;
  eid: { eid?: string };
  to: Uint8Array;
  port: number;
  v6: boolean;
  pool?: Buffer[];
}

const { values } = parseArgs({
  options: {
    plan: { type: 'string' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    count: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '0' },
    progress: { type: 'boolean', default: false },
  },
});
const limits = { seed: Number(values.seed), count: Number(values.count), seconds: Number(values.seconds), rate: Number(values.rate) };
if (!values.plan || !Number.isSafeInteger(limits.seed) || !(limits.count >= 0) || !(limits.seconds > 0) || !(limits.rate >= 0)) {
  console.error('usage: flood.ts --plan FILE [--seed S] [--count N] [--seconds T] [--rate PER_SECOND] [--progress]');
  process.exit(2);
}
console.log(`flood seed ${limits.seed}`);

const plan = checkPlan(JSON.parse(readFileSync(values.plan, 'utf8')) as FloodPlan);
const captures = captureSeedsByPort();
const ctx: FloodContext = {
  controlSeeds: [...captures.control, ...lociMessageSeeds],
  dataSeeds: [...captures.data, ...lociDataHeaderSeeds],
  own: plan.sources,
  sitePrefixes: plan.sitePrefixes,
  replays: plan.replays.map((h) => Buffer.from(h, 'hex')),
};

const choices: Choice[] = [];
let total = 0;
for (const t of plan.targets) {
  const mixTotal = Object.values(t.mix).reduce((n, w) => n + (w ?? 0), 0);
  for (const [kind, w] of Object.entries(t.mix) as [Kind, number][]) {
    if (!(w > 0)) continue;
    // Integer weights in parts per million of the whole flood.
    total += Math.max(1, Math.round((t.weight * w * 1e6) / mixTotal));
    choices.push({ upTo: total, target: t.name, kind, build: BUILDERS[kind], eid: t.eid === undefined ? {} : { eid: t.eid }, to: addressBytes(t.address), port: t.port, v6: isIPv6(t.address) });
  }
}

function choose(rng: Rng): Choice {
  const x = rng.below(total);
  let lo = 0;
  let hi = choices.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (choices[mid]!.upTo > x) hi = mid;
    else lo = mid + 1;
  }
  return choices[lo]!;
}

const sockets = plan.sources.flatMap((address) =>
  Array.from({ length: plan.portsPerSource }, () => UdpFd.open({ family: isIPv6(address) ? 6 : 4, address, port: 0, sendBufferSize: 1 << 20 })),
);
const sockets4 = sockets.filter((s) => s.family === 4);
const sockets6 = sockets.filter((s) => s.family === 6);

const rng = new Rng(limits.seed);
for (const c of choices) if (!FRESH.includes(c.kind)) c.pool = Array.from({ length: POOL }, () => c.build(rng, ctx, c.eid));

/** The next packet of choice c: fresh, or from its pool (rebuilding the slot now and then). */
function packetOf(c: Choice): Buffer {
  if (!c.pool) return c.build(rng, ctx, c.eid);
  const slot = rng.below(POOL);
  if (rng.below(REBUILD) === 0) c.pool[slot] = c.build(rng, ctx, c.eid);
  return c.pool[slot]!;
}
const scratch = Buffer.alloc(MAX_DATAGRAM);
const summary: FloodSummary = { ...limits, sent: 0, bytes: 0, refused: 0, elapsedS: 0, perKind: {}, perTarget: {} };
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const start = performance.now();
const end = start + limits.seconds * 1000;
let progressAt = start + PROGRESS_MS;
let next = 0;

for (let now = start; summary.sent + summary.refused < limits.count && now < end; now = performance.now()) {
  if (limits.rate > 0 && summary.sent + summary.refused >= ((now - start) / 1000) * limits.rate) {
    Atomics.wait(sleeper, 0, 0, 0.5);
    continue;
  }
  if (values.progress && now >= progressAt) {
    progressAt = now + PROGRESS_MS;
    console.error(`flood: ${summary.sent} sent in ${((now - start) / 1000).toFixed(0)} s`);
  }
  for (let i = 0; i < BURST && summary.sent + summary.refused < limits.count; i++) {
    const c = choose(rng);
    const packet = packetOf(c);
    const length = Math.min(packet.length, MAX_DATAGRAM);
    packet.copy(scratch, 0, 0, length);
    const pool = c.v6 ? sockets6 : sockets4;
    const socket = pool[next++ % pool.length];
    let sent = 0;
    try {
      sent = socket ? socket.sendTo(scratch, 0, length, c.to, c.port) : 0;
    } catch {
      sent = -1; // no route, message too long: refused like a full buffer
    }
    if (sent !== length) {
      summary.refused++;
      continue;
    }
    summary.sent++;
    summary.bytes += length;
    summary.perKind[c.kind] = (summary.perKind[c.kind] ?? 0) + 1;
    summary.perTarget[c.target] = (summary.perTarget[c.target] ?? 0) + 1;
  }
}
summary.elapsedS = (performance.now() - start) / 1000;
for (const s of sockets) s.close();
console.log(JSON.stringify(summary));
