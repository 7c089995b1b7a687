// What a flood aims at and with what (the flood's input file, JSON), and what it reports.
import { KINDS, type Kind } from './packets.js';

export interface FloodTarget {
  /** A name for the report ("ms", "etr:data", ...). */
  name: string;
  address: string;
  port: number;
  /** Share of the flood this target gets, relative to the other targets. */
  weight: number;
  /** The kinds of packet it gets, with their relative weights. */
  mix: Partial<Record<Kind, number>>;
  /** The EID it answers for, used by the kinds that ask about one or carry data to one. */
  eid?: string;
}

export interface FloodPlan {
  /** Local addresses to send from; each gets portsPerSource sockets on ephemeral ports. */
  sources: string[];
  portsPerSource: number;
  sitePrefixes: string[];
  /** Captured Map-Registers of the correct ETR, hex. */
  replays: string[];
  targets: FloodTarget[];
}

export interface FloodLimits {
  seed: number;
  /** Stop after this many packets. */
  count: number;
  /** Or after this long. */
  seconds: number;
  /** Packets per second (0: as fast as the sockets take them). */
  rate: number;
}

export interface FloodSummary extends FloodLimits {
  sent: number;
  bytes: number;
  /** Sends the kernel refused (no buffer space, no route). */
  refused: number;
  elapsedS: number;
  perKind: Partial<Record<Kind, number>>;
  perTarget: Record<string, number>;
}

/** Throws unless p is a plan this flood can run. */
export function checkPlan(p: FloodPlan): FloodPlan {
  if (p.sources.length === 0 || !(p.portsPerSource >= 1)) throw new Error('the plan needs sources and portsPerSource >= 1');
  if (p.targets.length === 0) throw new Error('the plan has no targets');
  for (const t of p.targets) {
    const unknown = Object.keys(t.mix).filter((k) => !KINDS.includes(k as Kind));
    if (unknown.length > 0) throw new Error(`target ${t.name}: unknown kinds ${unknown.join(', ')} (known: ${KINDS.join(', ')})`);
    if (!(t.weight > 0) || Object.values(t.mix).every((w) => !(w! > 0))) throw new Error(`target ${t.name}: nothing to send`);
  }
  return p;
}
