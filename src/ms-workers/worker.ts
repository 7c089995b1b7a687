// A Map-Server worker thread: one loop of blocking system calls on its socket of each listen
// address (an SO_REUSEPORT group, so the kernel's 4-tuple hash keeps each ETR on one worker).
//
//   Map-Register that repeats one the main thread accepted (replica.ts): HMAC verified here,
//     counted, Map-Notify sent when asked for; the refresh (per token, the one with the greatest
//     nonce) reaches the main thread within REPORT_MS, where the replay guard has the last word.
//   ECM Map-Request for a registered, proxy-replied EID: the cached reply with the request's nonce.
//   Anything else (or everything, without the fast path): forwarded to the main thread's node, at
//   most MAX_IN_FLIGHT datagrams waiting there; beyond MAX_OTHER_IN_FLIGHT only Map-Requests for
//   registered EIDs and Map-Registers of ETRs it knows (Verdict below).
//
// The loop (io/thread/loop.ts) applies the replica updates the main thread posted when it bumped
// the generation; each pass reads a batch from each socket and posts what it forwards; when
// nothing came it sleeps in poll(), so it stops promptly.
import { performance } from 'node:perf_hooks';
import { workerData } from 'node:worker_threads';
// Deep imports keep the thread's module graph (and memory) small.
import { formatIpv4, formatIpv6 } from '../packet/ip-address.js';
import { KEY_ID_OFFSET, MESSAGE_TYPE_CODES, NONCE_OFFSET } from '../packet/constants.js';
import { authDataOf, etrIdOf, isMapRegister, notifyFor, wantsMapNotify } from '../packet/map-register-view.js';
import { scanEcmRequest, writeReply } from '../packet/map-request-view.js';
import { ReceiveBatch, UdpFd } from '../io/linux/udp-fd.js';
import { ThreadControl } from '../io/thread/control.js';
import { runLoop } from '../io/thread/loop.js';
import { W, WorkerCounters } from './counters.js';
import { IN_FLIGHT, MAX_IN_FLIGHT, MAX_OTHER_IN_FLIGHT, type Datagram, type Refresh, type ReplicaUpdate, type WorkerMessage, type WorkerSetup } from './protocol.js';
import { Replica } from './replica.js';

const BATCH = 32;
const SLOT = 65535;
const REPORT_MS = 100;
const REJECTED_REPORT_MS = 1000;
const ECM_TYPE = MESSAGE_TYPE_CODES.ecm;
const MAX_CACHED_SOURCES = 65536;

/**
 * The refresh of a token to report: of those since the last report, the one with the greatest nonce
 * (a replayed older one never hides the ETR's own). The nonce as two 32-bit halves: no bigint per packet.
 */
interface PendingRefresh {
  nonceHigh: number;
  nonceLow: number;
  authData: Buffer;
  address: string;
  port: number;
}

interface Socket {
  readonly fd: UdpFd;
  /** The listen address. */
  readonly address: string;
  readonly v6: boolean;
}

/**
 * What the worker made of a datagram: handled here, or for the main thread: 'wanted' (a Map-Request
 * for a registered EID, a Map-Register of an ETR with an accepted registration) may fill its whole
 * queue, 'other' (everything else) only part of it, so a flood of other datagrams cannot starve them.
 */
type Verdict = 'handled' | 'wanted' | 'other';

class MsWorker {
  private readonly control: ThreadControl;
  private readonly counters: WorkerCounters;
  private readonly replica = new Replica();
  private readonly sockets: Socket[];
  private readonly batch = new ReceiveBatch(BATCH, SLOT);
  private readonly sources: Buffer;
  private readonly out = Buffer.alloc(SLOT);
  /** The address a reply goes to, for sendTo. */
  private readonly to = { 4: new Uint8Array(4), 6: new Uint8Array(16) };
  private forwards: Datagram[] = [];
  private readonly refreshes = new Map<number, PendingRefresh>();
  /** IPv4 source addresses as text, by their 32-bit value (an ETR's id when it sends no xTR-ID). */
  private readonly sourceTexts = new Map<number, string>();
  private rejected: Omit<Extract<WorkerMessage, { op: 'rejected' }>, 'op'> | undefined;

  constructor(private readonly setup: WorkerSetup) {
    this.control = new ThreadControl(setup.control);
    this.counters = new WorkerCounters(setup.counters);
    this.sockets = setup.sockets.map((s) => {
      const fd = UdpFd.fromFd(s.fd);
      return { fd, address: s.address, v6: fd.family === 6 };
    });
    this.sources = Buffer.from(this.batch.addresses.buffer, this.batch.addresses.byteOffset, this.batch.addresses.byteLength);
  }

  run(): void {
    let reportAt = 0;
    let rejectedAt = 0;
    this.post({ op: 'ready' });
    runLoop({
      control: this.control,
      fds: Int32Array.from(this.sockets.map((s) => s.fd.fd)),
      port: this.setup.port,
      onMessage: (m) => {
        for (const u of m as ReplicaUpdate[]) this.replica.apply(u);
      },
      pass: () => {
        const now = performance.now();
        if (now >= reportAt) {
          reportAt = now + REPORT_MS;
          this.reportRefreshes();
        }
        if (this.rejected && now >= rejectedAt) {
          rejectedAt = now + REJECTED_REPORT_MS;
          this.post({ op: 'rejected', ...this.rejected });
          this.rejected = undefined;
        }
        let received = 0;
        for (const socket of this.sockets) {
          const n = socket.fd.receiveMany(this.batch);
          for (let i = 0; i < n; i++) this.handle(socket, i);
          received += n;
        }
        this.postForwards();
        return received;
      },
    });
  }

  private handle(socket: Socket, i: number): void {
    const data = this.batch.data;
    const start = i * SLOT;
    const end = start + this.batch.lengths[i]!;
    // Without the fast path every datagram goes to the main thread, with the whole budget.
    let verdict: Verdict = this.setup.fastPath ? 'other' : 'wanted';
    if (this.setup.fastPath) {
      try {
        if (isMapRegister(data, start, end)) verdict = this.register(socket, i, start, end);
        else if (data[start]! >>> 4 === ECM_TYPE) verdict = this.request(socket, start, end);
      } catch {
        // Not expected (the readers check every bound); the main thread's node handles it instead.
      }
    }
    if (verdict === 'handled') return this.counters.inc(W.handled);
    this.forward(socket, i, start, end, verdict === 'wanted' ? MAX_IN_FLIGHT : MAX_OTHER_IN_FLIGHT);
  }

  /**
   * A Map-Register that repeats an accepted one: verified and taken as a refresh ('handled'). Else
   * 'wanted' when it comes from an ETR with an accepted registration (a change), 'other' otherwise.
   */
  private register(socket: Socket, i: number, start: number, end: number): Verdict {
    const data = this.batch.data;
    const source = this.sourceText(socket, i);
    const id = etrIdOf(data, start, end, source);
    if (id === undefined) return 'other';
    const accepted = this.replica.acceptedFor(id, data, start, end);
    if (!accepted) return this.replica.knowsEtr(id) ? 'wanted' : 'other';
    const c = this.counters;
    c.inc(W.received);
    c.inc(W['received.map-register']);
    if (!accepted.auth.verify(data, start, end)) {
      c.inc(W['map-register.rejected.auth-failed']);
      const detail = `authentication data does not verify with key ${data[start + KEY_ID_OFFSET]} of the registration it repeats`;
      this.rejected = { count: (this.rejected?.count ?? 0) + 1, from: { address: source, port: this.batch.ports[i]! }, reason: 'auth-failed', detail };
      return 'handled';
    }
    c.inc(W['map-register.accepted']);
    const port = this.batch.ports[i]!;
    const nonceHigh = data.readUInt32BE(start + NONCE_OFFSET);
    const nonceLow = data.readUInt32BE(start + NONCE_OFFSET + 4);
    const pending = this.refreshes.get(accepted.token);
    if (!pending || nonceHigh > pending.nonceHigh || (nonceHigh === pending.nonceHigh && nonceLow > pending.nonceLow)) {
      this.refreshes.set(accepted.token, { nonceHigh, nonceLow, authData: authDataOf(data, start), address: source, port });
    }
    if (wantsMapNotify(data, start)) {
      const notify = notifyFor(data, start, end, accepted.auth);
      this.send(socket, notify, notify.length, this.batch.addresses.subarray(16 * i, 16 * i + (socket.v6 ? 16 : 4)), port);
    }
    return 'handled';
  }

  /**
   * An ECM Map-Request answered from the replica by proxy reply ('handled'). Else 'wanted' when its
   * EID is registered (the main thread forwards it to an ETR), 'other' for the rest (negative answers).
   */
  private request(socket: Socket, start: number, end: number): Verdict {
    const data = this.batch.data;
    const r = scanEcmRequest(data, start, end, socket.v6);
    if (!r) return 'other';
    const template = this.replica.lookup(data, r.eidAt, r.v6, r.iid, r.maskLen);
    if (template === undefined) return 'other';
    if (template === null || !this.setup.answerMapRequests) return 'wanted';
    const c = this.counters;
    c.inc(W.received);
    c.inc(W['received.ecm']);
    c.inc(W['map-reply.proxy']);
    const to = socket.v6 ? this.to[6] : this.to[4];
    to.set(data.subarray(r.itrAt, r.itrAt + to.length));
    this.send(socket, this.out, writeReply(template, data, r.nonceAt, this.out), to, r.replyPort);
    return 'handled';
  }

  private send(socket: Socket, buf: Buffer, length: number, address: Uint8Array, port: number): void {
    try {
      this.counters.inc(socket.fd.sendTo(buf, 0, length, address, port) === length ? W.sent : W['sent.error']);
    } catch {
      this.counters.inc(W['sent.error']);
    }
  }

  /** Passes the datagram to the main thread, unless `limit` datagrams already wait there. */
  private forward(socket: Socket, i: number, start: number, end: number, limit: number): void {
    if (Atomics.load(this.control.slots, IN_FLIGHT) >= limit) {
      this.counters.inc(W.received);
      return this.counters.inc(W['ms-workers.forward-dropped']);
    }
    Atomics.add(this.control.slots, IN_FLIGHT, 1);
    this.counters.inc(W.forwarded);
    const data = new Uint8Array(this.batch.data.subarray(start, end));
    this.forwards.push({ data, address: this.sourceText(socket, i), port: this.batch.ports[i]!, local: socket.address });
  }

  private postForwards(): void {
    if (this.forwards.length === 0) return;
    const datagrams = this.forwards;
    this.forwards = [];
    this.setup.port.postMessage({ op: 'forward', datagrams } satisfies WorkerMessage, datagrams.map((d) => d.data.buffer as ArrayBuffer));
  }

  private reportRefreshes(): void {
    if (this.refreshes.size === 0) return;
    const refreshes: Refresh[] = [];
    for (const [token, r] of this.refreshes) {
      refreshes.push({ token, nonce: (BigInt(r.nonceHigh) << 32n) | BigInt(r.nonceLow), authData: r.authData, address: r.address, port: r.port });
    }
    this.post({ op: 'refresh', refreshes });
    this.refreshes.clear();
  }

  private sourceText(socket: Socket, i: number): string {
    if (socket.v6) return formatIpv6(this.sources, 16 * i);
    const key = this.sources.readUInt32BE(16 * i);
    let text = this.sourceTexts.get(key);
    if (text === undefined) {
      if (this.sourceTexts.size >= MAX_CACHED_SOURCES) this.sourceTexts.clear();
      text = formatIpv4(this.sources, 16 * i);
      this.sourceTexts.set(key, text);
    }
    return text;
  }

  private post(m: WorkerMessage): void {
    this.setup.port.postMessage(m);
  }
}

new MsWorker(workerData as WorkerSetup).run();
