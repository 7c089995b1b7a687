// One hostile-input run, shared by the netns test and `npm run hostile`: build the lab
// (topology.ts), start the Map-Server/Map-Resolver, the ETR and the xTR (configs.ts), capture the
// ETR's Map-Registers, change its mapping (so that those captures are stale), then flood all three
// from the attacker's namespace (flood.ts) while the probe's namespace runs `loci lig` through the
// Map-Resolver (lig-probe.ts), the Map-Server's API is watched (watch.ts) and the ETR changes its
// mapping now and then (etr-changes.ts: SMRs to the ITRs it answered, the flood's bait among them).
// Returns the figures; the lab and its files are removed whatever happens (unless kept).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from '../../src/lab/lab.js';
// The daemons run the TypeScript sources, never a stale build (as every test's spawns do).
import '../helpers/loci.js';
import { until } from '../../src/lab/poll.js';
import { EtrChanges } from './etr-changes.js';
import { hostileConfigs, REGISTRATION_TIMEOUT_S, SITE_A, SITE_B, type HostileNode } from './configs.js';
import type { ProbeSummary } from './lig-probe.js';
import { logBytes, memoryOf, NODES, startDaemons, withTimeout, type Daemons, type Memory } from './nodes.js';
import type { FloodPlan, FloodSummary } from './plan.js';
import { captureRegisters } from './replays.js';
import { buildHostileTopology, type HostileTopology } from './topology.js';
import { RegistrationWatch, type RegistrationFigures } from './watch.js';

export interface HostileOptions {
  seed: number;
  /** The flood's bounds: packets, seconds, and packets per second (0: as fast as it can). */
  packets: number;
  seconds: number;
  rate: number;
  /** One lig every this many milliseconds during the flood. */
  ligIntervalMs: number;
  /** The ETR changes its mapping this often during the flood (SMRs go to the ITRs it remembers: the bait). */
  changeEveryS: number;
  /** Progress lines. */
  say?: (line: string) => void;
  /** Keep the directory with the configs, logs, capture and plan (its path is said). */
  keep?: boolean;
}

export interface DaemonFigures {
  pid: number;
  before: Memory;
  after: Memory;
  /** Bytes its log (stdout and stderr) grew by during the flood, and its size at the end. */
  logBytesFlood: number;
  logBytes: number;
  /** How it exited during the run, when it did. */
  died?: string;
  /** Counters that changed during the flood (after minus before). */
  counters: Record<string, number>;
  /** The kernel's UDP counters of its namespace during the flood: datagrams delivered to sockets, and dropped at full ones. */
  udp: { delivered: number; bufferDrops: number };
}

export interface HostileFigures {
  flood: FloodSummary;
  lig: ProbeSummary & { share: number };
  registrations: Record<string, RegistrationFigures>;
  daemons: Record<HostileNode, DaemonFigures>;
  /** Map-Registers of the correct ETR captured and replayed. */
  replays: number;
  /** Changes of the ETR's mapping during the flood, and how many reached the Map-Server within 10 s. */
  etrChanges: { made: number; registered: number };
}

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const TSX = ['--import', 'tsx'];
const ETR_WEIGHT_AFTER_CHANGE = 50;
/** The weights the ETR's locator takes in turn when it changes during the flood. */
const ETR_WEIGHTS_IN_FLOOD = [60, ETR_WEIGHT_AFTER_CHANGE];

/** What the attacker sends, to whom. */
export function floodPlan(t: HostileTopology, replays: readonly Buffer[]): FloodPlan {
  const control = 4342;
  return {
    sources: t.attacker.addresses,
    portsPerSource: 4,
    sitePrefixes: [SITE_A.prefix, SITE_B.prefix],
    replays: replays.map((b) => b.toString('hex')),
    targets: [
      {
        name: 'ms',
        address: t.ms.addresses[0]!,
        port: control,
        weight: 4,
        eid: SITE_A.eid,
        mix: {
          'mutated-control': 6,
          'register-bad-auth': 2,
          'register-short-auth': 1,
          'register-unknown-key': 1,
          'register-replay': 2,
          'ecm-random-eid': 3,
          'ecm-bait': 2,
          'request-bait': 1,
          'reply-unmatched': 1,
          'info-request': 1,
        },
      },
      {
        name: 'etr',
        address: t.etr.addresses[0]!,
        port: control,
        weight: 2,
        eid: SITE_A.eid,
        mix: { 'mutated-control': 4, 'request-bait': 4, probe: 1, 'notify-forged': 1, 'reply-unmatched': 1, smr: 1 },
      },
      {
        name: 'xtr',
        address: t.xtr.addresses[0]!,
        port: control,
        weight: 2,
        eid: SITE_B.eid,
        mix: { 'mutated-control': 4, 'request-bait': 2, 'reply-unmatched': 2, smr: 2, 'notify-forged': 1, probe: 1 },
      },
      { name: 'xtr:data', address: t.xtr.addresses[0]!, port: 4341, weight: 2, eid: SITE_B.eid, mix: { 'mutated-data': 3, 'data-to-eid': 2 } },
    ],
  };
}

/** Counters after minus before, only those that changed. */
function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).flatMap(([k, v]) => (v !== (before[k] ?? 0) ? [[k, v - (before[k] ?? 0)]] : [])));
}

const lastJson = <T>(stdout: string): T => JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;

export async function runHostile(o: HostileOptions): Promise<HostileFigures> {
  const say = o.say ?? (() => {});
  const lab = await Lab.create('hostile');
  const dir = mkdtempSync(join(tmpdir(), 'loci-hostile-'));
  try {
    say('building the lab: core, ms, etr, xtr, attacker, probe (no route beyond them)');
    const t = await buildHostileTopology(lab);
    const d = await startDaemons(lab, t, hostileConfigs(t, dir), dir);
    say('daemons up, both sites registered; capturing the ETR\'s Map-Registers for replay');
    const replays = await captureRegisters(lab, t, dir, 4);

    // The ETR's mapping changes: every captured Map-Register now describes the state before.
    const etr = t.etr.addresses[0]!;
    const changes = new EtrChanges(d, SITE_A.prefix, etr, 100);
    if (!(await changes.change(ETR_WEIGHT_AFTER_CHANGE))) throw new Error("the ETR's changed mapping did not reach the Map-Server");

    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(floodPlan(t, replays)));
    const before = await snapshot(lab, t, d);
    const watch = new RegistrationWatch(
      d.ms,
      [
        { prefix: SITE_A.prefix, etr, locators: () => changes.accepted() },
        { prefix: SITE_B.prefix, etr: t.xtr.addresses[0]!, locators: () => [[{ address: t.xtr.addresses[0]!, priority: 1, weight: 100, state: 'up' }]] },
      ],
      REGISTRATION_TIMEOUT_S,
    );
    const probe = lab.spawn(t.probe.ns, [process.execPath, ...TSX, here('./lig-probe.ts'), '--map-resolver', t.ms.addresses[0]!, '--eid', SITE_A.eid, '--eid', SITE_B.eid, '--interval-ms', String(o.ligIntervalMs)]);
    let probeOut = '';
    probe.stdout?.on('data', (b: Buffer) => (probeOut += b.toString()));
    probe.stderr?.resume();
    const probeDone = new Promise<void>((resolve) => probe.once('exit', () => resolve()));
    await until(() => probeOut.includes('probing'), { what: 'the lig probe to start', timeoutMs: 20_000 });

    say(`flooding: seed ${o.seed}, at most ${o.packets} packets in ${o.seconds} s${o.rate > 0 ? ` at ${o.rate}/s` : ''}`);
    watch.start();
    const argv = [process.execPath, ...TSX, here('./flood.ts'), '--plan', planFile, '--seed', String(o.seed), '--count', String(o.packets), '--seconds', String(o.seconds), '--rate', String(o.rate), '--progress'];
    const flood = lab.spawn(t.attacker.ns, argv);
    let floodOut = '';
    flood.stdout?.on('data', (b: Buffer) => (floodOut += b.toString()));
    flood.stderr?.on('data', (b: Buffer) => say(b.toString().trimEnd()));
    const floodExit = new Promise<number | null>((resolve) => flood.once('exit', (code) => resolve(code)));
    // Now and then the ETR's mapping changes again, during the flood.
    const changing = changes.repeat(o.changeEveryS, ETR_WEIGHTS_IN_FLOOD, floodExit);
    const floodCode = await floodExit;
    probe.kill('SIGINT');
    await probeDone;
    await changing;
    const registrations = await watch.stop();
    if (floodCode !== 0) throw new Error(`the flood failed (exit ${floodCode}):\n${floodOut}`);

    const after = await snapshot(lab, t, d);
    const lig = lastJson<ProbeSummary>(probeOut);
    const daemons = {} as Record<HostileNode, DaemonFigures>;
    for (const n of NODES) {
      daemons[n] = {
        pid: d[n].pid,
        before: before[n].memory,
        after: after[n].memory,
        logBytesFlood: after[n].logBytes - before[n].logBytes,
        logBytes: after[n].logBytes,
        ...(d[n].exit !== undefined ? { died: d[n].exit } : {}),
        counters: delta(before[n].counters, after[n].counters),
        udp: { delivered: after[n].udp.InDatagrams - before[n].udp.InDatagrams, bufferDrops: after[n].udp.RcvbufErrors - before[n].udp.RcvbufErrors },
      };
    }
    // The first change came before the flood.
    const etrChanges = { made: changes.made - 1, registered: changes.registered - 1 };
    return { flood: lastJson<FloodSummary>(floodOut), lig: { ...lig, share: lig.sent > 0 ? lig.answered / lig.sent : 0 }, registrations, daemons, replays: replays.length, etrChanges };
  } finally {
    await lab.destroy();
    if (o.keep) say(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

interface Snapshot {
  memory: Memory;
  logBytes: number;
  counters: Record<string, number>;
  udp: { InDatagrams: number; RcvbufErrors: number };
}

/** The Udp line of /proc/net/snmp in a namespace, by field name. */
async function udpCounters(lab: Lab, ns: string): Promise<{ InDatagrams: number; RcvbufErrors: number }> {
  const lines = (await lab.exec(ns, ['cat', '/proc/net/snmp'])).stdout.split('\n').filter((l) => l.startsWith('Udp:'));
  const [names = [], values = []] = lines.map((l) => l.split(/\s+/).slice(1));
  const field = (name: string) => Number(values[names.indexOf(name)] ?? 0);
  return { InDatagrams: field('InDatagrams'), RcvbufErrors: field('RcvbufErrors') };
}

async function snapshot(lab: Lab, t: HostileTopology, d: Daemons): Promise<Record<HostileNode, Snapshot>> {
  const out = {} as Record<HostileNode, Snapshot>;
  for (const n of NODES) {
    // After a flood the API answers once the backlog is handled.
    const counters = (await withTimeout(d[n].client.counters(), 10_000)) ?? {};
    out[n] = { memory: memoryOf(d[n].pid), logBytes: logBytes(d[n]), counters, udp: await udpCounters(lab, t[n].ns) };
  }
  return out;
}
