// A Map-Server worker's counters: one Float64 slot each in a SharedArrayBuffer that the worker
// writes and the main thread reads. They carry the node's own names (the main thread counts the
// same events under them for what it handles), plus the worker's share of the work.

export const WORKER_COUNTERS = [
  'received',
  'received.map-register',
  'received.ecm',
  'map-register.accepted',
  'map-register.rejected.auth-failed',
  'map-reply.proxy',
  'sent',
  'sent.error',
  'ms-workers.forward-dropped',
  /** Datagrams this worker handled itself. */
  'handled',
  /** Datagrams this worker passed to the main thread. */
  'forwarded',
] as const;

export type WorkerCounter = (typeof WORKER_COUNTERS)[number];

export const W = Object.fromEntries(WORKER_COUNTERS.map((n, i) => [n, i])) as Record<WorkerCounter, number>;

/** The names counted per worker, as ms-workers.<index>.<name>. */
const PER_WORKER: ReadonlySet<WorkerCounter> = new Set(['handled', 'forwarded']);

export class WorkerCounters {
  readonly values: Float64Array;

  constructor(buffer: ArrayBufferLike = new SharedArrayBuffer(WORKER_COUNTERS.length * 8)) {
    this.values = new Float64Array(buffer);
  }

  inc(slot: number, by = 1): void {
    this.values[slot] = this.values[slot]! + by;
  }

  /** The non-zero counters of worker index by name. */
  snapshot(index: number): Record<string, number> {
    const out: Record<string, number> = {};
    WORKER_COUNTERS.forEach((name, i) => {
      const v = this.values[i]!;
      if (v) out[PER_WORKER.has(name) ? `ms-workers.${index}.${name}` : name] = v;
    });
    return out;
  }
}
