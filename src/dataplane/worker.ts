// A data-plane worker thread: one packet loop on blocking system calls, off the event loop
// (../shared notes: the kernel work per packet dominates, so the loop must not wait on libuv).
//
//   encap: TUN (TSO packets cut into segments) -> Encapsulator -> UDP to the locator (a source port
//          per flow from a socket pool, GSO batches)
//   decap: UDP 4341 (recvmmsg batches, GRO) -> Decapsulator -> TUN (TCP segments merged, one write)
//
// The loop (io/thread/loop.ts) reads the mapping-socket messages when the control plane bumped the
// generation after posting them; when nothing is ready the worker sleeps in poll() for a few
// milliseconds at most, so it stops and applies routes promptly.
import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';
// Deep imports, here and in the modules below, keep the thread's module graph (and memory) small.
import { tunFromFd } from '../io/linux/tun.js';
import { ReceiveBatch, UdpFd } from '../io/linux/udp-fd.js';
import { emptyVnetHeader, readVnetHeader, VNET_F_NEEDS_CSUM, VNET_GSO_NONE, VNET_HEADER_LENGTH } from '../io/linux/vnet-header.js';
import { ThreadControl } from '../io/thread/control.js';
import { runLoop } from '../io/thread/loop.js';
import { viewOf } from '../packet/checksum.js';
import { LISP_DATA_PORT } from '../packet/constants.js';
import { CoalescingTunWriter } from './coalescing.js';
import { C, DataCounters } from './counters.js';
import { Fib } from './fib.js';
import { GsoSender } from './gso-sender.js';
import { LISP_HEADER_LENGTH } from './lisp-header.js';
import { MissQueue } from './miss-queue.js';
import { OwnEids } from './own-eids.js';
import { Decapsulator, Encapsulator, type PipelineOptions, type TunWriter } from './pipeline.js';
import { MappingReceiver } from './receiver.js';
import { completeChecksum, segmentTcp } from './segmentation.js';
import type { WorkerMessage } from './protocol.js';
import type { WorkerSetup } from './worker-setup.js';

const REPORT_MS = 1000;
const BATCH = 64;
/** A TUN read: virtio_net_hdr and a packet of up to 64 KB. */
const MAX_READ = VNET_HEADER_LENGTH + 65535;
/** The smallest segment size Linux sends (TCP_MIN_SND_MSS). */
const MIN_MSS = 48;
/** Room a read needs: the packet, and the headers its segments add (IP and TCP headers are at most 120 bytes). */
const ROOM = MAX_READ + Math.ceil(65535 / MIN_MSS) * (LISP_HEADER_LENGTH + 120);

function main(setup: WorkerSetup): void {
  const control = new ThreadControl(setup.control);
  const counters = new DataCounters(setup.counters);
  const fib = new Fib();
  const options: PipelineOptions = { fib, counters, instanceId: setup.instanceId, underlayMtu: setup.underlayMtu, locatorStatusBits: setup.locatorStatusBits };
  const tun = tunFromFd(setup.tunFd, setup.tunName);
  const device: TunWriter = {
    write(buf, offset, length) {
      try {
        return tun.write(buf, offset, length) === length;
      } catch {
        return false;
      }
    },
  };
  const post = (m: WorkerMessage) => setup.port.postMessage(m);
  if (setup.role === 'decap') {
    const tunWriter = new CoalescingTunWriter(device, setup.offload, counters);
    const decap = new Decapsulator(options, tunWriter, setup.ownEids ? new OwnEids(setup.ownEids) : undefined);
    // Only what follows the local database: the destinations it delivers.
    const receiver = new MappingReceiver(counters, { ownEids: (eids) => void (decap.ours = eids ? new OwnEids(eids) : undefined) });
    post({ op: 'ready' });
    return decapLoop(setup, control, decap, tunWriter, receiver, post);
  }

  const pools = { ipv4: setup.sockets.ipv4.map((fd) => UdpFd.fromFd(fd)), ipv6: setup.sockets.ipv6.map((fd) => UdpFd.fromFd(fd)) };
  const sender = new GsoSender(pools, LISP_DATA_PORT);
  const encap = new Encapsulator(options, sender, new CoalescingTunWriter(device, false, counters), new MissQueue(), (eid) => post({ op: 'miss', eid }));
  // Packets are read back to back, each after room for its LISP header, so the sender can batch
  // them; a TCP packet the kernel left unsegmented (TSO) is copied aside and cut into segments
  // laid out the same way.
  const buf = Buffer.alloc(BATCH * 2048 + 2 * ROOM);
  const view = viewOf(buf);
  const unsegmented = Buffer.alloc(MAX_READ);
  const unsegmentedView = viewOf(unsegmented);
  const vnet = emptyVnetHeader();
  let now = 0;
  const emit = (offset: number, length: number) => encap.process(buf, offset, length, now);
  const mappings = new MappingReceiver(counters, { fib, locatorStatusBits: (bits) => void (encap.locatorStatusBits = bits) });
  post({ op: 'ready' });
  let reportAt = performance.now() + REPORT_MS;
  runLoop({
    control,
    fds: Int32Array.of(setup.tunFd),
    port: setup.port,
    onMessage: (m) => mappings.receive(m),
    afterMessages: () => encap.drainQueue(performance.now()),
    pass: () => {
      now = performance.now();
      if (now >= reportAt) {
        reportAt = now + REPORT_MS;
        encap.drainQueue(now);
        const used = fib.takeUsed();
        if (used.length > 0) post({ op: 'used', prefixes: used });
        post({ op: 'stats', locators: fib.stats() });
        const rejected = mappings.takeRejected();
        if (rejected) post({ op: 'rejected', ...rejected });
      }
      let n = 0;
      for (; n < BATCH; n++) {
        const at = Math.max(sender.end, VNET_HEADER_LENGTH - LISP_HEADER_LENGTH) + LISP_HEADER_LENGTH;
        if (at + ROOM > buf.length) break;
        // The virtio_net_hdr lands in the LISP header's room and the last 2 bytes of the packet
        // before, which are kept aside.
        const hdr = at - VNET_HEADER_LENGTH;
        const keep = view.getUint16(hdr);
        const read = tun.read(buf, hdr, MAX_READ);
        if (read === 0) break;
        readVnetHeader(buf, hdr, vnet);
        view.setUint16(hdr, keep);
        const length = read - VNET_HEADER_LENGTH;
        if (vnet.gsoType !== VNET_GSO_NONE) {
          buf.copy(unsegmented, 0, at, at + length);
          counters.inc(C['encap.segmented']);
          const cut = vnet.gsoSize >= MIN_MSS && segmentTcp(unsegmented, unsegmentedView, 0, length, vnet.gsoSize, buf, view, at - LISP_HEADER_LENGTH, LISP_HEADER_LENGTH, emit);
          if (!cut) counters.inc(C['encap.bad-offload']);
        } else if (vnet.flags & VNET_F_NEEDS_CSUM && !completeChecksum(view, at, length, vnet.csumStart, vnet.csumOffset)) {
          counters.inc(C['encap.bad-offload']);
        } else encap.process(buf, at, length, now);
      }
      sender.flush();
      if (sender.failed > 0) {
        counters.inc(C['encap.send-error'], sender.failed);
        sender.failed = 0;
      }
      return n;
    },
  });
}

function decapLoop(setup: WorkerSetup, control: ThreadControl, decap: Decapsulator, tunWriter: CoalescingTunWriter, receiver: MappingReceiver, post: (m: WorkerMessage) => void): void {
  const sockets = [...setup.sockets.ipv4, ...setup.sockets.ipv6].map((fd) => UdpFd.fromFd(fd));
  // With UDP_GRO one slot may hold several datagrams of segmentSizes[i] bytes each.
  const slot = 65535;
  const batch = new ReceiveBatch(BATCH, slot);
  runLoop({
    control,
    fds: Int32Array.from(sockets.map((s) => s.fd)),
    port: setup.port,
    onMessage: (m) => receiver.receive(m),
    // Rare (a database change): what it refused is reported at once.
    afterMessages: () => {
      const rejected = receiver.takeRejected();
      if (rejected) post({ op: 'rejected', ...rejected });
    },
    pass: () => {
      let received = 0;
      for (const socket of sockets) {
        const n = socket.receiveMany(batch);
        for (let i = 0; i < n; i++) {
          const start = i * slot;
          const end = start + batch.lengths[i]!;
          const segment = batch.segmentSizes[i]!;
          const ttl = batch.ttls[i]!;
          const tos = batch.tos[i]!;
          for (let at = start; at < end; at += segment) decap.process(batch.data, at, Math.min(segment, end - at), ttl, tos);
        }
        received += n;
      }
      tunWriter.flush();
      return received;
    },
  });
}

main(workerData as WorkerSetup);
