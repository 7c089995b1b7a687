// The data plane of an xTR, seen from the control plane: it creates the TUN device, the UDP
// sockets and the routes, starts the worker threads (encap for an ITR, decap for an ETR), keeps
// the encap worker's forwarding copy in step with the map-cache over the mapping-socket protocol,
// follows the local database (router mode's steering, the decap worker's own EIDs, the encap
// worker's Locator-Status-Bits, each changed at once when an entry comes or goes), resolves the misses the worker reports, restarts a worker that dies (its forwarding copy sent
// again from the map-cache), and takes everything away on stop. What it changes on the host goes
// through DataPlaneHost: Linux's (linuxHost) in a node, in-memory fakes in the unit tests.
import type { MessagePort } from 'node:worker_threads';
import type { RouteControl, TunControl, TunDevice } from '../io/host.js';
import { linuxRoutes, linuxTuns, TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, UdpFd, type UdpFdOptions } from '../io/linux/index.js';
import { ThreadControl } from '../io/thread/control.js';
import { startChannelThread } from '../io/thread/start.js';
import { SupervisedThread, type StartedThread } from '../io/thread/supervised.js';
import type { Log } from '../core/ports.js';
import { formatPrefix, type EidPrefix, type LocalDatabase, type LocalDatabaseEvent, type MapCache, type MapCacheEvent } from '../table/index.js';
import { DataCounters } from './counters.js';
import type { ControlMessage, DatabaseMessage, LocatorStats, WorkerMessage } from './protocol.js';
import { allUp } from './lisp-header.js';
import { messageFor, petrLocators } from './routes-of.js';
import { LISP_DATA_PORT, LispError } from '../packet/index.js';
import { clearLeftovers, installSteering, type Steering } from './steering.js';
import type { OwnEid } from './own-eids.js';
import type { WorkerSetup } from './worker-setup.js';

export interface DataPlaneOptions {
  readonly tun: string;
  readonly mode: 'router' | 'host';
  readonly instanceId: number;
  readonly underlayMtu: number;
  readonly mtu: number;
  readonly eidAddresses: readonly string[];
  readonly petrs: readonly string[];
  readonly routes: boolean;
  readonly routeTable: number;
  readonly rulePriority: number;
  /** TCP segmentation and checksum offload on the TUN device, done by the workers (docs/dataplane.md). */
  readonly offload: boolean;
  /**
   * Our EID-prefixes and their RLOCs, followed as they change: router mode steers traffic from
   * them into the TUN, the decap worker delivers to them, and the LSBs of encapsulated packets say
   * that as many RLOCs as an entry lists at most are all up.
   */
  readonly database: DatabaseView;
  /** Our RLOCs (host mode sends encapsulated packets from the first of each family). */
  readonly rlocs: readonly string[];
  /** ITR: encapsulate what the TUN gives, from this map-cache. */
  readonly mapCache?: MapCache;
  /** Resolve an EID the encap worker has no route for. */
  readonly resolve?: (eid: EidPrefix) => void;
  /** ETR: decapsulate what arrives on UDP 4341. */
  readonly decapsulate: boolean;
  /** Deliver decapsulated packets for any destination (serving as a PETR), not only for our database EID-prefixes. */
  readonly decapsulateAny: boolean;
  readonly log?: Log;
  /** Default linuxHost. */
  readonly host?: DataPlaneHost;
}

/** The local database as the data plane follows it. */
export type DatabaseView = Pick<LocalDatabase, 'entries' | 'subscribe'>;

/** What the data plane changes on the host, and the worker module it runs. */
export interface DataPlaneHost {
  readonly tuns: TunControl;
  readonly routes: RouteControl;
  /** A UDP socket the workers are handed by its fd. */
  openSocket(o: UdpFdOptions): { readonly fd: number; close(): void };
  /** The workers' module: name (no extension) beside from, an import.meta.url. */
  readonly worker: { readonly from: string; readonly name: string };
}

export const linuxHost: DataPlaneHost = {
  tuns: linuxTuns,
  routes: linuxRoutes,
  openSocket: (o) => UdpFd.open(o),
  worker: { from: import.meta.url, name: 'worker' },
};

/** Source ports per family for outgoing packets: a flow hash picks one (RFC 9300 section 5.3). */
const SEND_SOCKETS = 4;

export class DataPlane {
  private readonly counters = DataCounters.shared();
  private readonly control = new ThreadControl();
  /** Per-locator totals of the running encap worker, and of those that died before it. */
  private locatorStats: Readonly<Record<string, LocatorStats>> = {};
  private locatorBase: Readonly<Record<string, LocatorStats>> = {};
  private readonly sockets: { readonly fd: number; close(): void }[] = [];
  private readonly threads: SupervisedThread[] = [];
  /** Each worker's end of the mapping socket (a new one per start). */
  private readonly ports: { encap?: MessagePort; decap?: MessagePort } = {};
  private readonly unsubscribe: (() => void)[] = [];
  private tun: TunDevice | undefined;
  private steering: Steering | undefined;
  /** The Locator-Status-Bits the encap worker was last given. */
  private sentLsbs: number | undefined;

  private readonly host: DataPlaneHost;

  private constructor(private readonly o: DataPlaneOptions) {
    this.host = o.host ?? linuxHost;
  }

  static async start(o: DataPlaneOptions): Promise<DataPlane> {
    const dp = new DataPlane(o);
    try {
      dp.open();
      // From here each change of the database reaches the steering, and the workers: those not
      // started yet are handed the database as it is then.
      dp.unsubscribe.push(o.database.subscribe((e) => dp.databaseChanged(e)));
      await dp.startWorkers();
    } catch (e) {
      await dp.stop();
      // One line for `loci run` to print: what failed, in the system's words (ERR_LISP_SYSTEM).
      const message = e instanceof Error ? e.message : String(e);
      throw new LispError(e instanceof LispError ? e.code : 'ERR_LISP_SYSTEM', `data plane: ${message}`);
    }
    return dp;
  }

  get tunName(): string {
    return this.o.tun;
  }

  /** The worker threads (encap first when there is one), for their restart counts and for tests. */
  get workers(): readonly SupervisedThread[] {
    return this.threads;
  }

  /** Data-plane counters, worker deaths and restarts, and per-locator traffic, as "dataplane.*" names. */
  snapshot(): Record<string, number> {
    const out = this.counters.snapshot();
    const deaths = this.threads.reduce((n, t) => n + t.deaths, 0);
    const restarts = this.threads.reduce((n, t) => n + t.restarts, 0);
    if (deaths > 0) out['dataplane.worker-deaths'] = deaths;
    if (restarts > 0) out['dataplane.worker-restarts'] = restarts;
    for (const stats of [this.locatorBase, this.locatorStats]) {
      for (const [address, s] of Object.entries(stats)) {
        const packets = `dataplane.locator.${address}.packets`;
        const bytes = `dataplane.locator.${address}.bytes`;
        out[packets] = (out[packets] ?? 0) + s.packets;
        out[bytes] = (out[bytes] ?? 0) + s.bytes;
      }
    }
    return out;
  }

  async stop(): Promise<void> {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    this.control.stop();
    await Promise.all(this.threads.map((t) => t.stop()));
    for (const s of this.sockets.splice(0)) s.close();
    this.steering?.remove();
    this.steering = undefined;
    this.tun?.close();
    this.tun = undefined;
  }

  /** The TUN device, its routes and rules, after what an earlier run of this node left (logged). */
  private open(): void {
    const o = this.o;
    const database = [...o.database.entries()].map((m) => m.eid);
    const steering = { tun: o.tun, mode: o.mode, table: o.routeTable, priority: o.rulePriority, database, eidAddresses: o.eidAddresses, rlocs: o.rlocs };
    const removed = clearLeftovers({ ...steering, routes: o.routes }, this.host);
    if (removed.length > 0) o.log?.warn({ removed }, `removed what an earlier run of this node left: ${removed.join(', ')}`);
    this.tun = this.host.tuns.open(o.tun, { vnetHeader: true, offload: o.offload ? TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 : 0 });
    const hostAddresses = o.mode === 'host' ? o.eidAddresses.map((a) => (a.includes(':') ? `${a}/128` : `${a}/32`)) : [];
    this.host.tuns.configure(o.tun, { mtu: o.mtu, txqueuelen: 1000, addresses: hostAddresses, up: true });
    if (o.routes) this.steering = installSteering(steering, this.host.routes);
  }

  private async startWorkers(): Promise<void> {
    const o = this.o;
    const families = ['ipv4', 'ipv6'] as const;
    const rlocOf = (f: 'ipv4' | 'ipv6') => o.rlocs.find((a) => a.includes(':') === (f === 'ipv6'));
    if (o.mapCache) {
      const sockets = { ipv4: [] as number[], ipv6: [] as number[] };
      for (const f of families) {
        const rloc = rlocOf(f);
        if (!rloc) continue;
        // Router mode lets the kernel pick the source RLOC by route (an uplink that goes down takes
        // its routes with it); host mode must send from an RLOC, as only RLOC-sourced packets
        // escape the rule that steers this host's traffic into the TUN.
        const address = o.mode === 'host' ? rloc : f === 'ipv4' ? '0.0.0.0' : '::';
        for (let i = 0; i < SEND_SOCKETS; i++) sockets[f].push(this.socket(f, address, 0).fd);
      }
      this.startWorker('encap', sockets);
      this.follow(o.mapCache);
    }
    if (o.decapsulate) {
      const sockets = { ipv4: [] as number[], ipv6: [] as number[] };
      for (const f of families) if (rlocOf(f)) sockets[f].push(this.socket(f, f === 'ipv4' ? '0.0.0.0' : '::', LISP_DATA_PORT, true).fd);
      this.startWorker('decap', sockets);
    }
    await Promise.all(this.threads.map((t) => t.ready));
  }

  /** A socket of the pool (receiving: the 4341 sockets, which take coalesced datagrams and report the outer TTL and TOS). */
  private socket(family: 'ipv4' | 'ipv6', address: string, port: number, receiving = false): { readonly fd: number } {
    const s = this.host.openSocket({ family: family === 'ipv4' ? 4 : 6, address, port, gro: receiving, receiveMarking: receiving, sendBufferSize: 4 << 20, receiveBufferSize: 4 << 20 });
    this.sockets.push(s);
    return s;
  }

  /**
   * A worker thread of the role, restarted when it dies (SupervisedThread). Each start hands it
   * the same sockets, counters and control slots, and the database as it is then (own EIDs, LSBs);
   * the encap worker is sent the whole map-cache again on its new port before anything else.
   */
  private startWorker(role: 'encap' | 'decap', sockets: WorkerSetup['sockets']): SupervisedThread {
    const o = this.o;
    const start = (restart: boolean): StartedThread => {
      const thread = startChannelThread<WorkerMessage>(this.host.worker.from, this.host.worker.name, {
        name: `data-plane ${role} worker`,
        setup: (port): WorkerSetup => ({
          role,
          tunFd: this.tun!.fd,
          tunName: o.tun,
          sockets,
          instanceId: o.instanceId,
          ownEids: this.ownEids(),
          underlayMtu: o.underlayMtu,
          locatorStatusBits: role === 'encap' ? (this.sentLsbs = this.lsbs()) : this.lsbs(),
          offload: o.offload,
          counters: this.counters.buffer as SharedArrayBuffer,
          control: this.control.buffer,
          port,
        }),
        onMessage: (m) => this.fromWorker(role, m),
      });
      // The dead worker's port closes by itself once what it posted has been delivered.
      this.ports[role] = thread.port;
      if (role === 'encap') {
        if (restart) this.foldLocatorStats();
        this.sendMapCache();
      }
      return thread;
    };
    const thread = new SupervisedThread({ name: `data-plane ${role} worker`, start, ...(o.log ? { log: o.log } : {}) });
    this.threads.push(thread);
    return thread;
  }

  /** The whole map-cache, to a freshly started encap worker. */
  private sendMapCache(): void {
    if (!this.o.mapCache) return;
    const petrs = petrLocators(this.o.petrs);
    for (const entry of this.o.mapCache.entries()) this.post(messageFor(entry, petrs));
  }

  /** A restarted encap worker counts per locator from 0: what the dead one counted is kept here. */
  private foldLocatorStats(): void {
    const base: Record<string, LocatorStats> = { ...this.locatorBase };
    for (const [address, s] of Object.entries(this.locatorStats)) {
      const b = base[address];
      base[address] = { packets: (b?.packets ?? 0) + s.packets, bytes: (b?.bytes ?? 0) + s.bytes };
    }
    this.locatorBase = base;
    this.locatorStats = {};
  }

  /** Sends every change of the map-cache to the encap worker (which got the whole of it when it started). */
  private follow(mapCache: MapCache): void {
    const petrs = petrLocators(this.o.petrs);
    this.unsubscribe.push(
      mapCache.subscribe((e: MapCacheEvent) => {
        if (e.type === 'add' || e.type === 'update') this.post(messageFor(e.entry, petrs));
        else if (e.type === 'remove') this.post({ op: 'delete', prefix: e.entry.eid });
      }),
    );
  }

  private post(m: ControlMessage | DatabaseMessage, role: 'encap' | 'decap' = 'encap'): void {
    const port = this.ports[role];
    if (!port) return;
    port.postMessage(m);
    this.control.posted();
  }

  /** The decap worker's destinations: our database EID-prefixes as they are now (null: any). */
  private ownEids(): OwnEid[] | null {
    if (this.o.decapsulateAny) return null;
    return [...this.o.database.entries()].map(({ eid }) => ({ family: eid.family, address: eid.address, len: eid.len }));
  }

  /** The encap worker's Locator-Status-Bits: every RLOC up, as many as a database entry lists at most. */
  private lsbs(): number {
    let most = 0;
    for (const m of this.o.database.entries()) most = Math.max(most, m.locators.length);
    return allUp(most, this.o.instanceId);
  }

  /**
   * A database entry came, changed or went: the steering of its prefix (router mode), the decap
   * worker's own EIDs and the encap worker's LSBs follow at once. A change the host refuses is
   * logged; the rest still follows.
   */
  private databaseChanged(e: LocalDatabaseEvent): void {
    const eid: EidPrefix = e.mapping.eid;
    try {
      if (e.type === 'add') this.steering?.add(eid);
      else if (e.type === 'remove') this.steering?.delete(eid);
    } catch (err) {
      this.o.log?.error({ eid: formatPrefix(eid), error: err instanceof Error ? err.message : String(err) }, 'the data plane could not steer traffic of a new database entry');
    }
    if (e.type !== 'update' && !this.o.decapsulateAny) this.post({ op: 'own-eids', eids: this.ownEids() }, 'decap');
    const lsbs = this.lsbs();
    if (lsbs !== this.sentLsbs) {
      this.sentLsbs = lsbs;
      this.post({ op: 'locator-status-bits', bits: lsbs });
    }
  }

  /** A worker's report; a failure to handle one is logged, never thrown into the event loop. */
  private fromWorker(role: 'encap' | 'decap', m: Exclude<WorkerMessage, { op: 'ready' }>): void {
    try {
      this.handleReport(role, m);
    } catch (e) {
      this.o.log?.error({ role, op: m.op, error: e instanceof Error ? e.message : String(e) }, 'a data-plane worker report could not be handled');
    }
  }

  private handleReport(role: 'encap' | 'decap', m: Exclude<WorkerMessage, { op: 'ready' }>): void {
    if (m.op === 'miss') this.o.resolve?.(m.eid);
    else if (m.op === 'stats') this.locatorStats = m.locators;
    else if (m.op === 'rejected') this.o.log?.warn({ count: m.count, reason: m.reason }, `the ${role} worker refused mapping-socket messages`);
    // Lookups count as use, so entries carrying traffic are refreshed before they expire.
    else for (const p of m.prefixes) this.o.mapCache?.lookup(p);
  }
}
