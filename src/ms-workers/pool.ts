// The Map-Server workers seen from the main thread. It opens one SO_REUSEPORT socket per worker
// on each listen address (UDP 4342) and starts the worker threads (worker.ts) on them. The node
// binds no socket of its own there: network() gives it sockets that receive what the workers
// forward and send through a worker's socket (the main thread calls sendto on it directly). The
// replica sync (sync.ts) keeps the workers' state in step with the node's Map-Server, and their
// counters join the node's. A worker that dies is started again (SupervisedThread) on the same
// sockets and counters, and sent the whole replica before any further update.
import type { MessagePort } from 'node:worker_threads';
import { isIPv6 } from 'node:net';
import { addressBytes, setupError, UdpFd } from '../io/linux/index.js';
import { ThreadControl } from '../io/thread/control.js';
import { startChannelThread } from '../io/thread/start.js';
import { SupervisedThread, type StartedThread } from '../io/thread/supervised.js';
import type { LispNode } from '../core/node.js';
import type { ControlSocket, DatagramHandler, Endpoint, Log, Network } from '../core/ports.js';
import { WorkerCounters } from './counters.js';
import { IN_FLIGHT, type Datagram, type ReplicaUpdate, type WorkerMessage, type WorkerSetup } from './protocol.js';
import { ReplicaSync } from './sync.js';

export interface MsWorkersOptions {
  readonly count: number;
  /** The node's listen addresses. */
  readonly listen: readonly string[];
  readonly port: number;
  /** Answer proxy-replied Map-Requests in the workers (not when the node is also an ETR). */
  readonly answerMapRequests: boolean;
  /** Off: the workers forward every datagram (the node logs each packet at debug level). */
  readonly fastPath: boolean;
  readonly log?: Log;
}

interface Thread {
  readonly supervised: SupervisedThread;
  /** Kept across restarts, so the totals go on. */
  readonly counters: WorkerCounters;
}

const SOCKET_BUFFER = 4 << 20;

/** A node's socket on a listen address: datagrams from the workers, sends through a worker's socket. */
class WorkerSocket implements ControlSocket {
  constructor(
    readonly local: Endpoint,
    private readonly fd: UdpFd,
  ) {}

  send(data: Buffer, to: Endpoint): Promise<void> {
    try {
      if (this.fd.sendTo(data, 0, data.length, addressBytes(to.address), to.port) === data.length) return Promise.resolve();
      return Promise.reject(new Error('no buffer space to send'));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** The pool closes the sockets when it stops. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class MsWorkers {
  private readonly control = new ThreadControl({ extraSlots: 1 });
  private readonly fds: UdpFd[] = [];
  private readonly threads: Thread[] = [];
  /** By worker index: the main thread's end of the running worker's channel (a new one per start). */
  private readonly ports: MessagePort[] = [];
  private readonly sockets = new Map<string, WorkerSocket>();
  private readonly handlers = new Map<string, DatagramHandler>();
  private sync: ReplicaSync | undefined;
  private stopped = false;

  private constructor(private readonly o: MsWorkersOptions) {}

  static async start(o: MsWorkersOptions): Promise<MsWorkers> {
    const pool = new MsWorkers(o);
    try {
      pool.open();
      await Promise.all(pool.threads.map((t) => t.supervised.ready));
    } catch (e) {
      await pool.stop();
      throw setupError(e);
    }
    return pool;
  }

  get count(): number {
    return this.threads.length;
  }

  /** The worker threads, by index (for their restart counts, and for tests). */
  get workers(): readonly SupervisedThread[] {
    return this.threads.map((t) => t.supervised);
  }

  /** base, except that binding a listen address on the control port gives the workers' socket there. */
  network(base: Network): Network {
    return {
      bind: (local, onDatagram) => {
        const socket = local.port === this.o.port ? this.sockets.get(local.address) : undefined;
        if (!socket) return base.bind(local, onDatagram);
        this.handlers.set(local.address, onDatagram);
        return Promise.resolve(socket);
      },
      ...(base.sourceFor ? { sourceFor: base.sourceFor.bind(base) } : {}),
    };
  }

  /** Keeps the workers' replica in step with the node's Map-Server and adds their counters to the node's. */
  attach(node: LispNode): void {
    const server = node.capability('mapServer');
    if (server) this.sync = new ReplicaSync(server, (u) => this.broadcast(u));
    this.threads.forEach((t, i) => node.counters.addSource(() => t.counters.snapshot(i)));
    node.counters.addSource(() => {
      const deaths = this.threads.reduce((n, t) => n + t.supervised.deaths, 0);
      const restarts = this.threads.reduce((n, t) => n + t.supervised.restarts, 0);
      return { ...(deaths > 0 ? { 'ms-workers.worker-deaths': deaths } : {}), ...(restarts > 0 ? { 'ms-workers.worker-restarts': restarts } : {}) };
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sync?.stop();
    this.control.stop();
    await Promise.all(this.threads.map((t) => t.supervised.stop()));
    for (const fd of this.fds.splice(0)) fd.close();
  }

  private open(): void {
    const { count, listen, port } = this.o;
    const perWorker: { fd: number; address: string }[][] = Array.from({ length: count }, () => []);
    for (const address of listen) {
      const family = isIPv6(address) ? 6 : 4;
      // Every socket of a reuseport group shares the traffic: first make sure no one else holds the port.
      UdpFd.open({ family, address, port }).close();
      for (let i = 0; i < count; i++) {
        const fd = UdpFd.open({ family, address, port, reusePort: true, receiveBufferSize: SOCKET_BUFFER, sendBufferSize: SOCKET_BUFFER });
        this.fds.push(fd);
        perWorker[i]!.push({ fd: fd.fd, address });
        if (i === 0) this.sockets.set(address, new WorkerSocket({ address, port: fd.localPort }, fd));
      }
    }
    perWorker.forEach((sockets, index) => this.threads.push(this.startThread(index, sockets)));
  }

  private startThread(index: number, sockets: WorkerSetup['sockets']): Thread {
    const counters = new WorkerCounters();
    const start = (restart: boolean): StartedThread => {
      // A worker's garbage is short lived: capped, V8 would otherwise grow the young generation to tens of MB per thread under load.
      const thread = startChannelThread<WorkerMessage>(import.meta.url, 'worker', {
        name: `Map-Server worker ${index}`,
        setup: (port): WorkerSetup => ({
          index,
          sockets,
          answerMapRequests: this.o.answerMapRequests,
          fastPath: this.o.fastPath,
          control: this.control.buffer,
          counters: counters.buffer as SharedArrayBuffer,
          port,
        }),
        onMessage: (m) => this.fromWorker(index, m),
        resourceLimits: { maxYoungGenerationSizeMb: 8 },
      });
      // The dead worker's port closes by itself once what it posted has been delivered.
      if (restart) this.sync?.flush();
      this.ports[index] = thread.port;
      if (restart) this.sendReplica(thread.port);
      return thread;
    };
    const log = this.o.log;
    const supervised = new SupervisedThread({ name: `Map-Server worker ${index}`, start, ...(log ? { log } : {}) });
    return { supervised, counters };
  }

  /** The whole replica, to a restarted worker (after the others got what was pending, so it is sent once). */
  private sendReplica(port: MessagePort): void {
    if (!this.sync || this.stopped) return;
    port.postMessage(this.sync.snapshot());
    this.control.posted();
  }

  /** A worker's message; a failure to handle one is logged, never thrown into the event loop. */
  private fromWorker(index: number, m: Exclude<WorkerMessage, { op: 'ready' }>): void {
    try {
      this.handleMessage(index, m);
    } catch (e) {
      this.o.log?.error({ worker: index, op: m.op, error: e instanceof Error ? e.message : String(e) }, 'a Map-Server worker message could not be handled');
    }
  }

  private handleMessage(index: number, m: Exclude<WorkerMessage, { op: 'ready' }>): void {
    if (m.op === 'forward') return this.deliver(m.datagrams);
    if (m.op === 'refresh') return this.sync?.refresh(m.refreshes);
    this.o.log?.warn({ worker: index, count: m.count, from: m.from, reason: m.reason, detail: m.detail }, 'Map-Register rejected');
  }

  /** Datagrams a worker forwarded, to the node as if its own socket had received them. */
  private deliver(datagrams: readonly Datagram[]): void {
    try {
      for (const d of datagrams) {
        const socket = this.sockets.get(d.local);
        const handler = this.handlers.get(d.local);
        if (socket && handler) handler(Buffer.from(d.data.buffer, d.data.byteOffset, d.data.byteLength), { address: d.address, port: d.port }, socket);
      }
    } finally {
      Atomics.sub(this.control.slots, IN_FLIGHT, datagrams.length);
    }
  }

  private broadcast(updates: ReplicaUpdate[]): void {
    if (this.stopped) return;
    for (const port of this.ports) port.postMessage(updates);
    this.control.posted();
  }
}
