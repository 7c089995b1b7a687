// The packet pipelines of an xTR, one packet at a time over narrow sinks (so they run on real
// file descriptors in a worker, or on in-memory fakes in tests).
//
// Encapsulation (ITR), for a packet read from the TUN device with LISP_HEADER_LENGTH of headroom:
//   1. a whole IPv4 or IPv6 unicast packet, else dropped (encap.not-ip, encap.not-unicast: the
//      kernel's own multicast and link-local chatter on the TUN device)
//   2. route of the destination EID; none: queue it and report the miss (first packet only)
//   3. negative route: its action (drop; natively-forward only through PETRs, which the
//      control plane turns into a forward route)
//   4. locator by flow hash (priority, weight, up); none usable: dropped
//   5. too big for the underlay once encapsulated and may not be fragmented: ICMP back to the source
//   6. LISP header written in the headroom, sent to the locator's port 4341 with the inner TTL and
//      TOS/traffic class copied to the outer header (RFC 9300 section 5.3)
// Decapsulation (ETR), for a UDP 4341 payload:
//   1. a header Loci reads (no GPE, no encryption), of our instance-id
//   2. a whole inner IPv4 or IPv6 packet, for one of our EIDs (else decap.not-our-eid), unless the
//      node serves as a PETR (data-plane.decapsulate-for: any)
//   3. inner TTL capped at the outer TTL, and an outer Congestion Experienced mark copied in
//      (RFC 9300 section 5.3); written to the TUN device
import { packetFlowHash } from '../table/flow-hash.js';
import { C, type DataCounters } from './counters.js';
import { destinationOf, type Fib, type FibLocator } from './fib.js';
import { mayNotFragment, tooBig } from './icmp-too-big.js';
import { marking } from '../io/linux/udp-fd.js';
import { capTtl, ipVersion, markCongestion, trafficClassOf, ttlOf, unicastDestination } from './inner-packet.js';
import { LISP_HEADER_LENGTH, nextNonce, readInstanceId, writeLispHeader } from './lisp-header.js';
import type { MissQueue } from './miss-queue.js';
import type { OwnEids } from './own-eids.js';

export interface UnderlaySender {
  /**
   * Sends buf[offset..offset+length) (LISP header and inner packet) to the locator, port 4341, from
   * a source port chosen by flowHash, with the outer TTL and TOS of mark (udp-fd's marking); it may
   * hold the bytes until flush().
   */
  send(buf: Buffer, offset: number, length: number, locator: FibLocator, flowHash: number, mark: number): boolean;
  flush(): void;
}

export interface TunWriter {
  write(buf: Buffer, offset: number, length: number): boolean;
}

export interface PipelineOptions {
  readonly fib: Fib;
  readonly counters: DataCounters;
  /** The instance-id of our EIDs (sent in the header, required of received packets). */
  readonly instanceId: number;
  /** MTU of the underlay links: an encapsulated packet must fit it. */
  readonly underlayMtu: number;
  /** The Locator-Status-Bits sent at first (0: none, L=0); Encapsulator.locatorStatusBits changes them. */
  readonly locatorStatusBits: number;
}

/** Outer IPv4/IPv6 + UDP + LISP header. */
const overhead = (l: FibLocator) => (l.family === 'ipv4' ? 20 : 40) + 8 + LISP_HEADER_LENGTH;

export class Encapsulator {
  private readonly nonce = Uint32Array.of((Math.random() * 0xffffffff) >>> 0 || 1);
  /** ICMP errors are built here (at most 1280 bytes). */
  private readonly icmp = Buffer.alloc(1500);
  /** A queued packet is copied here, behind room for its LISP header, to be sent. */
  private readonly queued = Buffer.alloc(LISP_HEADER_LENGTH + 65536);
  /** The Locator-Status-Bits sent (0: none, L=0); the control plane changes them as the local database changes. */
  locatorStatusBits: number;

  constructor(
    private readonly o: PipelineOptions,
    private readonly sender: UnderlaySender,
    private readonly tun: TunWriter,
    private readonly queue: MissQueue,
    private readonly onMiss: (destination: ReturnType<typeof destinationOf>) => void,
  ) {
    this.locatorStatusBits = o.locatorStatusBits;
  }

  /** Handles the packet at buf[offset..offset+length), with LISP_HEADER_LENGTH bytes of headroom before it. */
  process(buf: Buffer, offset: number, length: number, now: number): void {
    const counters = this.o.counters;
    if (ipVersion(buf, offset, length) === 0) {
      counters.inc(C['encap.not-ip']);
      return;
    }
    if (!unicastDestination(buf, offset)) {
      counters.inc(C['encap.not-unicast']);
      return;
    }
    if (!this.forward(buf, offset, length)) {
      counters.inc(C['encap.miss']);
      const destination = destinationOf(this.o.instanceId, buf, offset);
      const queued = this.queue.add(destination, buf.subarray(offset, offset + length), now);
      if (queued === 'dropped') counters.inc(C['encap.queue-dropped']);
      else counters.inc(C['encap.queued']);
      if (queued === 'first') this.onMiss(destination);
    }
  }

  /** Sends what waits in the miss queue and now has a route; drops what waited too long. */
  drainQueue(now: number): void {
    const scratch = this.queued;
    const expired = this.queue.drain(now, (packet) => {
      scratch.set(packet, LISP_HEADER_LENGTH);
      const sent = this.forward(scratch, LISP_HEADER_LENGTH, packet.length);
      // The next packet reuses the scratch buffer.
      this.sender.flush();
      if (sent) this.o.counters.inc(C['encap.queue-sent']);
      return sent;
    });
    this.o.counters.inc(C['encap.queue-expired'], expired);
  }

  /** Steps 2-6; false when there is no route. */
  private forward(buf: Buffer, offset: number, length: number): boolean {
    const { fib, counters, instanceId } = this.o;
    const route = fib.lookup(instanceId, buf, offset);
    if (!route) return false;
    if (!route.forward) {
      counters.inc(route.action === 'natively-forward' || route.action === 'no-action' ? C['encap.negative-no-petr'] : C['encap.negative-drop']);
      return true;
    }
    const hash = packetFlowHash(buf, offset);
    const locator = route.selection.pick(hash);
    if (!locator) {
      counters.inc(C['encap.no-locator']);
      return true;
    }
    if (length + overhead(locator) > this.o.underlayMtu && mayNotFragment(buf, offset)) {
      counters.inc(C['encap.too-big']);
      const n = tooBig(buf, offset, length, this.o.underlayMtu - overhead(locator), this.icmp, 0);
      this.tun.write(this.icmp, 0, n);
      return true;
    }
    writeLispHeader(buf, offset - LISP_HEADER_LENGTH, nextNonce(this.nonce), instanceId, this.locatorStatusBits);
    const mark = marking(Math.max(1, ttlOf(buf, offset)), trafficClassOf(buf, offset));
    if (this.sender.send(buf, offset - LISP_HEADER_LENGTH, length + LISP_HEADER_LENGTH, locator, hash, mark)) {
      locator.counter.packets++;
      locator.counter.bytes += length;
      counters.inc(C['encap.packets']);
      counters.inc(C['encap.bytes'], length);
    } else counters.inc(C['encap.send-error']);
    return true;
  }
}

export class Decapsulator {
  constructor(
    private readonly o: PipelineOptions,
    private readonly tun: TunWriter,
    /** The destinations delivered; undefined: any (a PETR). The control plane changes them as the local database changes. */
    public ours: OwnEids | undefined,
  ) {}

  /** Handles the UDP payload at buf[offset..offset+length); outerTtl 0 when unknown, outerTos the outer TOS or traffic class. */
  process(buf: Buffer, offset: number, length: number, outerTtl: number, outerTos: number): void {
    const counters = this.o.counters;
    if (length < LISP_HEADER_LENGTH + 20) {
      counters.inc(C['decap.truncated']);
      return;
    }
    const iid = readInstanceId(buf, offset);
    if (iid < 0) {
      counters.inc(C['decap.unsupported-header']);
      return;
    }
    if (iid !== this.o.instanceId) {
      counters.inc(C['decap.wrong-instance-id']);
      return;
    }
    const inner = offset + LISP_HEADER_LENGTH;
    const innerLength = length - LISP_HEADER_LENGTH;
    if (ipVersion(buf, inner, innerLength) === 0) {
      counters.inc(C['decap.not-ip']);
      return;
    }
    if (this.ours && !this.ours.holdsDestination(buf, inner)) {
      counters.inc(C['decap.not-our-eid']);
      return;
    }
    if (outerTtl > 0) capTtl(buf, inner, outerTtl);
    if ((outerTos & 3) === 3) markCongestion(buf, inner);
    if (this.tun.write(buf, inner, innerLength)) {
      counters.inc(C['decap.packets']);
      counters.inc(C['decap.bytes'], innerLength);
    } else counters.inc(C['decap.write-error']);
  }
}
