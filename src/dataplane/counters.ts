// Data-plane counters: one slot each that a worker writes and the control plane reads (a
// SharedArrayBuffer in a real data plane, io/thread/shared-counters.ts), so counting costs no messages.
import { SharedCounters, slotsOf } from '../io/thread/shared-counters.js';

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

export const C = slotsOf(COUNTER_NAMES);

export class DataCounters extends SharedCounters<CounterName> {
  /** On an ArrayBuffer by default (one thread, in tests); shared() when a worker counts. */
  constructor(buffer: ArrayBufferLike = new ArrayBuffer(COUNTER_NAMES.length * 8)) {
    super(COUNTER_NAMES, buffer);
  }

  static shared(): DataCounters {
    return new DataCounters(new SharedArrayBuffer(COUNTER_NAMES.length * 8));
  }

  /** The non-zero counters by name, prefixed "dataplane.". */
  snapshot(): Record<string, number> {
    return this.byName((name) => `dataplane.${name}`);
  }
}
