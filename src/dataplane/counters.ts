// Data-plane counters: one slot each in a Float64Array that a worker writes and the control
// plane reads (a SharedArrayBuffer in a real data plane), so counting costs no messages.

export const COUNTER_NAMES = [
  'encap.packets',
  'encap.bytes',
  'encap.miss',
  'encap.queued',
  'encap.queue-sent',
  'encap.queue-dropped',
  'encap.queue-expired',
  'encap.not-ip',
  'encap.not-unicast',
  'encap.no-locator',
  'encap.negative-drop',
  'encap.negative-no-petr',
  'encap.too-big',
  'encap.send-error',
  'encap.segmented',
  'encap.bad-offload',
  'decap.packets',
  'decap.bytes',
  'decap.truncated',
  'decap.unsupported-header',
  'decap.wrong-instance-id',
  'decap.not-ip',
  'decap.not-our-eid',
  'decap.write-error',
  'decap.coalesced',
  /** Mapping-socket messages the encap worker refused (protocol.ts checkControlMessage). */
  'rejected-mapping',
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];

export const C = Object.fromEntries(COUNTER_NAMES.map((n, i) => [n, i])) as Record<CounterName, number>;

export class DataCounters {
  /** On a SharedArrayBuffer when shared (a worker counts, the control plane reads). */
  readonly values: Float64Array;

  constructor(buffer: ArrayBufferLike = new ArrayBuffer(COUNTER_NAMES.length * 8)) {
    this.values = new Float64Array(buffer);
  }

  static shared(): DataCounters {
    return new DataCounters(new SharedArrayBuffer(COUNTER_NAMES.length * 8));
  }

  inc(slot: number, by = 1): void {
    this.values[slot] = this.values[slot]! + by;
  }

  get(name: CounterName): number {
    return this.values[C[name]]!;
  }

  /** The non-zero counters by name, prefixed "dataplane.". */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    COUNTER_NAMES.forEach((name, i) => {
      if (this.values[i]) out[`dataplane.${name}`] = this.values[i]!;
    });
    return out;
  }
}
