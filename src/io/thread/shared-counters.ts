// Counters a worker thread writes and its owner reads without a message: one Float64 slot per name
// on a SharedArrayBuffer (or an ArrayBuffer, for a single thread in tests). A worker counts by slot
// number (slotsOf, fixed at load), the owner reads by name. The names are the caller's list, typed,
// so the Map-Server workers' list can only hold the node's own counter names (ms-workers/counters.ts).

/** Each name's slot: its index in the list. */
export function slotsOf<N extends string>(names: readonly N[]): Readonly<Record<N, number>> {
  return Object.fromEntries(names.map((n, i) => [n, i])) as Record<N, number>;
}

export class SharedCounters<N extends string> {
  readonly values: Float64Array;

  constructor(
    readonly names: readonly N[],
    buffer: ArrayBufferLike = new SharedArrayBuffer(names.length * 8),
  ) {
    if (buffer.byteLength !== names.length * 8) throw new RangeError(`${names.length} counters take ${names.length * 8} bytes, not ${buffer.byteLength}`);
    this.values = new Float64Array(buffer);
  }

  /** What to hand a worker (in its workerData). */
  get buffer(): ArrayBufferLike {
    return this.values.buffer;
  }

  inc(slot: number, by = 1): void {
    this.values[slot] = this.values[slot]! + by;
  }

  get(name: N): number {
    return this.values[this.names.indexOf(name)] ?? 0;
  }

  /** The non-zero counters, each under as(name). */
  byName(as: (name: N) => string = (name) => name): Record<string, number> {
    const out: Record<string, number> = {};
    this.names.forEach((name, i) => {
      const v = this.values[i]!;
      if (v) out[as(name)] = v;
    });
    return out;
  }
}
