// Packets waiting for a mapping: a miss in the forwarding table queues the packet (a copy) under
// its destination and reports the destination once; when routes arrive the queues are sent.
// Bounded per destination and in destinations; a queue older than holdMs is dropped.
import type { EidPrefix } from '../table/index.js';

export interface MissQueueLimits {
  /** Default 32. */
  readonly perDestination?: number;
  /** Default 1024. */
  readonly destinations?: number;
  /** Default 3000. */
  readonly holdMs?: number;
}

interface Waiting {
  readonly destination: EidPrefix;
  readonly since: number;
  readonly packets: Uint8Array[];
}

export type Queued = 'first' | 'queued' | 'dropped';

export class MissQueue {
  private readonly waiting = new Map<string, Waiting>();
  private readonly perDestination: number;
  private readonly destinations: number;
  private readonly holdMs: number;

  constructor(limits: MissQueueLimits = {}) {
    this.perDestination = limits.perDestination ?? 32;
    this.destinations = limits.destinations ?? 1024;
    this.holdMs = limits.holdMs ?? 3000;
  }

  get size(): number {
    return this.waiting.size;
  }

  /** Queues a copy of packet for destination: 'first' when the destination was not waiting (report the miss). */
  add(destination: EidPrefix, packet: Uint8Array, now: number): Queued {
    const key = keyOf(destination);
    const w = this.waiting.get(key);
    if (w) {
      if (w.packets.length >= this.perDestination) return 'dropped';
      w.packets.push(Uint8Array.from(packet));
      return 'queued';
    }
    if (this.waiting.size >= this.destinations) return 'dropped';
    this.waiting.set(key, { destination, since: now, packets: [Uint8Array.from(packet)] });
    return 'first';
  }

  /**
   * Offers each waiting destination's packets to send, in arrival order; a destination is done when
   * send takes its first packet (it has a route now). Destinations waiting longer than holdMs are
   * dropped. Returns the number of packets dropped that way.
   */
  drain(now: number, send: (packet: Uint8Array) => boolean): number {
    let expired = 0;
    for (const [key, w] of this.waiting) {
      if (send(w.packets[0]!)) {
        for (let i = 1; i < w.packets.length; i++) send(w.packets[i]!);
        this.waiting.delete(key);
      } else if (now - w.since > this.holdMs) {
        expired += w.packets.length;
        this.waiting.delete(key);
      }
    }
    return expired;
  }
}

function keyOf(p: EidPrefix): string {
  return `${p.iid}/${Buffer.from(p.address.buffer, p.address.byteOffset, p.address.byteLength).toString('hex')}`;
}
