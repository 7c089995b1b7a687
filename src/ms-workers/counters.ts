// A Map-Server worker's counters (io/thread/shared-counters.ts): the worker writes them, the main
// thread reads them. They carry the node's own names, checked against the node's list
// (core/counter-names.ts), as the main thread counts the same events under them for what it
// handles; plus the worker's share of the work, under its index.
import type { NodeCounterName } from '../core/counter-names.js';
import { SharedCounters, slotsOf } from '../io/thread/shared-counters.js';

const NODE_COUNTERS = [
  'received',
  'received.map-register',
  'received.ecm',
  'map-register.accepted',
  'map-register.rejected.auth-failed',
  'map-reply.proxy',
  'sent',
  'sent.error',
  'ms-workers.forward-dropped',
] as const satisfies readonly NodeCounterName[];

/** Counted per worker, as ms-workers.<index>.<name>: datagrams it handled itself, datagrams it passed to the main thread. */
const PER_WORKER = ['handled', 'forwarded'] as const;

export const WORKER_COUNTERS = [...NODE_COUNTERS, ...PER_WORKER] as const;

export type WorkerCounter = (typeof WORKER_COUNTERS)[number];

export const W = slotsOf(WORKER_COUNTERS);

const perWorker: ReadonlySet<string> = new Set(PER_WORKER);

export class WorkerCounters extends SharedCounters<WorkerCounter> {
  constructor(buffer?: ArrayBufferLike) {
    super(WORKER_COUNTERS, buffer);
  }

  /** The non-zero counters of worker index by name. */
  snapshot(index: number): Record<string, number> {
    return this.byName((name) => (perWorker.has(name) ? `ms-workers.${index}.${name}` : name));
  }
}
