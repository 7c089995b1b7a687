// A data-plane worker thread: one packet loop on blocking system calls, off the event loop
// (../shared notes: the kernel work per packet dominates, so the loop must not wait on libuv).
//
//   encap: TUN -> Encapsulator -> UDP to the locator (a source port per flow from a socket pool)
//   decap: UDP 4341 (recvmmsg batches) -> Decapsulator -> TUN
//
// Each pass checks the stop flag and the control generation (bumped by the control plane after it
// posts mapping-socket messages); when nothing is ready the worker sleeps in poll() for at most
// IDLE_WAIT_MS, so it stops and applies routes promptly.
import { performance } from 'node:perf_hooks';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { ReceiveBatch, tunFromFd, UdpFd, waitReadable } from '../io/linux/index.js';
import { C, DataCounters } from './counters.js';
import { Fib } from './fib.js';
import { GsoSender } from './gso-sender.js';
import { LISP_HEADER_LENGTH } from './lisp-header.js';
import { MissQueue } from './miss-queue.js';
import { Decapsulator, Encapsulator, type PipelineOptions, type TunWriter } from './pipeline.js';
import type { ControlMessage, WorkerMessage } from './protocol.js';
import { GENERATION, LISP_DATA_PORT, STOP, type WorkerSetup } from './worker-setup.js';

const IDLE_WAIT_MS = 20;
const REPORT_MS = 1000;
const BATCH = 64;

function main(setup: WorkerSetup): void {
  const control = new Int32Array(setup.control);
  const counters = new DataCounters(setup.counters);
  const fib = new Fib();
  const options: PipelineOptions = { fib, counters, instanceId: setup.instanceId, underlayMtu: setup.underlayMtu };
  const tun = tunFromFd(setup.tunFd, setup.tunName);
  const tunWriter: TunWriter = {
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
    const decap = new Decapsulator(options, tunWriter);
    post({ op: 'ready' });
    return decapLoop(setup, control, decap);
  }

  const pools = { ipv4: setup.sockets.ipv4.map((fd) => UdpFd.fromFd(fd)), ipv6: setup.sockets.ipv6.map((fd) => UdpFd.fromFd(fd)) };
  const sender = new GsoSender(pools, LISP_DATA_PORT);
  const encap = new Encapsulator(options, sender, tunWriter, new MissQueue(), (eid) => post({ op: 'miss', eid }));
  // Packets are read back to back (each after room for its LISP header) so the sender can batch them.
  const buf = Buffer.alloc(BATCH * 2048 + LISP_HEADER_LENGTH + 65536);
  const fds = Int32Array.of(setup.tunFd);
  let generation = 0;
  post({ op: 'ready' });
  let reportAt = performance.now() + REPORT_MS;
  while (Atomics.load(control, STOP) === 0) {
    const now = performance.now();
    if (Atomics.load(control, GENERATION) !== generation) {
      generation = Atomics.load(control, GENERATION);
      for (let m = receiveMessageOnPort(setup.port); m; m = receiveMessageOnPort(setup.port)) fib.apply(m.message as ControlMessage);
      encap.drainQueue(now);
    }
    if (now >= reportAt) {
      reportAt = now + REPORT_MS;
      encap.drainQueue(now);
      const used = fib.takeUsed();
      if (used.length > 0) post({ op: 'used', prefixes: used });
      post({ op: 'stats', locators: fib.stats() });
    }
    let n = 0;
    for (let i = 0; i < BATCH; i++) {
      const at = sender.end + LISP_HEADER_LENGTH;
      if (at > buf.length - 65536) break;
      const length = tun.read(buf, at, 65536);
      if (length === 0) break;
      encap.process(buf, at, length, now);
      n++;
    }
    sender.flush();
    if (sender.failed > 0) {
      counters.inc(C['encap.send-error'], sender.failed);
      sender.failed = 0;
    }
    if (n === 0) waitReadable(fds, IDLE_WAIT_MS);
  }
}

function decapLoop(setup: WorkerSetup, control: Int32Array, decap: Decapsulator): void {
  const sockets = [...setup.sockets.ipv4, ...setup.sockets.ipv6].map((fd) => UdpFd.fromFd(fd));
  // With UDP_GRO one slot may hold several datagrams of segmentSizes[i] bytes each.
  const slot = 65535;
  const batch = new ReceiveBatch(BATCH, slot);
  const fds = Int32Array.from(sockets.map((s) => s.fd));
  while (Atomics.load(control, STOP) === 0) {
    let received = 0;
    for (const socket of sockets) {
      const n = socket.receiveMany(batch);
      for (let i = 0; i < n; i++) {
        const start = i * slot;
        const end = start + batch.lengths[i]!;
        const segment = batch.segmentSizes[i]!;
        for (let at = start; at < end; at += segment) decap.process(batch.data, at, Math.min(segment, end - at), 0);
      }
      received += n;
    }
    if (received === 0) waitReadable(fds, IDLE_WAIT_MS);
  }
}

main(workerData as WorkerSetup);
