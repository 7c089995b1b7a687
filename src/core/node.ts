// A LISP node: control sockets on UDP 4342 of each listen address, and the roles it
// plays (Map-Server/Map-Resolver, ETR) behind them. Several nodes run in one process.
//
// Inbound, in order: decode (a bad packet is counted and dropped), then by type:
//   Map-Register -> Map-Server (Map-Notify back to the sender when asked for)
//   Map-Notify -> ETR
//   Map-Reply -> RLOC prober (a probe reply: locator up), else ITR (cached when its nonce is
//   outstanding); SMR -> ITR (re-resolve)
//   ECM(Map-Request) or Map-Request -> ETR for its own EIDs, else the Map-Server
//   (proxy reply, forward to a registered ETR, or a negative reply), else the
//   Map-Resolver's referrals (forward to the Map-Server serving the EID, or a negative reply).
import { isIPv6 } from 'node:net';
import { decodeMessage, encapsulate, encodeMessage, formatAddress, formatMessage, hexDump, LISP_CONTROL_PORT, LispDecodeError, type LispMessage, type MapRequest } from '../packet/index.js';
import { eidPrefixOf, formatAddress as formatEidAddress, MapCache, type EidPrefix } from '../table/index.js';
import type { Clock } from './clock.js';
import { Counters } from './counters.js';
import { LimitedLog } from './log-limit.js';
import type { ControlSocket, Endpoint, Log, Network } from './ports.js';
import { mapReply, negativeRecord } from './replies.js';
import { Etr, type DatabaseEntry, type MapServerPeer } from './roles/etr.js';
import { Itr } from './roles/itr.js';
import { Referrals, type Referral } from './roles/map-resolver.js';
import { RlocProber } from './roles/rloc-prober.js';
import { MapServer, proxyReplyRecords, wantsProxyReply } from './roles/map-server.js';
import type { SiteSpec } from './roles/sites.js';

export type Role = 'itr' | 'etr' | 'ms' | 'mr';


export interface NodeOptions {
  name: string;
  roles: Role[];
  listen: string[];
  /** UDP port of the control sockets (4342). */
  port?: number;
  network: Network;
  clock: Clock;
  /** Rejected packets at warn; at debug every control packet sent or received, dumped (and in hex with logHex). */
  log?: Log;
  logHex?: boolean;
  sites?: SiteSpec[];
  mapServers?: MapServerPeer[];
  database?: DatabaseEntry[];
  /** Map-Resolver: the Map-Servers to forward to, by EID-prefix. */
  referrals?: Referral[];
  /** Map-Resolver addresses, in order of preference. */
  mapResolvers?: string[];
  /** ITR: probe the locators of active map-cache entries this often (off when undefined). */
  rlocProbeIntervalMs?: number;
  /** First Map-Request retransmission (RFC 9301: 1 s), doubling. */
  retransmitMs?: number;
  registerIntervalMs?: number;
  registrationTimeoutMs?: number;
  recordTtlMinutes?: number;
  mapCacheSize?: number;
  /** Negative Map-Reply TTLs in minutes (RFC 9301 section 8.3). */
  negativeTtl?: { outsideSites: number; unregistered: number };
}

export class LispNode {
  readonly counters = new Counters();
  readonly ms: MapServer | undefined;
  readonly etr: Etr | undefined;
  /** The ITR's map-cache. */
  readonly mapCache: MapCache | undefined;
  /** A Map-Resolver's Map-Servers (without a co-located one). */
  readonly referrals: Referrals | undefined;
  readonly itr: Itr | undefined;
  readonly prober: RlocProber | undefined;
  private sockets: ControlSocket[] = [];
  /** Sends not yet handed to the kernel: stop() waits for them. */
  private readonly inflight = new Set<Promise<void>>();
  /** Warnings that input can trigger: one line per reason per second, backing off to one a minute under a sustained flood. */
  private readonly limited: LimitedLog;

  constructor(private readonly o: NodeOptions) {
    this.limited = new LimitedLog({ log: o.log, now: () => o.clock.now() });
    const has = (r: Role) => o.roles.includes(r);
    this.ms = has('ms') ? new MapServer({ clock: o.clock, counters: this.counters, sites: o.sites ?? [], ...opt('registrationTimeoutMs', o.registrationTimeoutMs) }) : undefined;
    this.etr = has('etr')
      ? new Etr({
          clock: o.clock,
          counters: this.counters,
          mapServers: o.mapServers ?? [],
          registerIntervalMs: o.registerIntervalMs ?? 60_000,
          recordTtlMinutes: o.recordTtlMinutes ?? 1440,
          controlPort: this.port,
          send: (data, to) => this.send(data, to),
          ...(o.log ? { log: o.log } : {}),
        })
      : undefined;
    this.referrals = has('mr') && o.referrals?.length ? new Referrals(o.referrals) : undefined;
    this.mapCache = has('itr') ? new MapCache({ scheduler: o.clock, maxEntries: o.mapCacheSize ?? 100_000 }) : undefined;
    this.itr = this.mapCache
      ? new Itr({
          clock: o.clock,
          counters: this.counters,
          mapCache: this.mapCache,
          mapResolvers: (o.mapResolvers ?? []).map((address) => ({ address, port: this.port })),
          itrRlocs: () => this.sockets.map((s) => s.local.address),
          replyPort: () => this.port,
          send: (data, to) => this.send(data, to),
          ...opt('retransmitMs', o.retransmitMs),
        })
      : undefined;
    this.prober =
      this.mapCache && o.rlocProbeIntervalMs
        ? new RlocProber({
            clock: o.clock,
            counters: this.counters,
            mapCache: this.mapCache,
            intervalMs: o.rlocProbeIntervalMs,
            waitMs: Math.min(o.rlocProbeIntervalMs, 3000),
            controlPort: this.port,
            itrRlocs: () => this.sockets.map((s) => s.local.address),
            send: (data, to, from) => this.send(data, to, this.sockets.find((s) => s.local.address === from)),
            ...(o.network.sourceFor ? { sourceFor: (remote: string) => o.network.sourceFor!(remote) } : {}),
          })
        : undefined;
    // Entries in use that are about to expire are asked for again.
    this.mapCache?.subscribe((e) => {
      if (e.type === 'refresh') this.itr?.resolve(e.entry.eid);
    });
    for (const e of o.database ?? []) this.etr?.setEntry(e);
  }

  get roles(): readonly Role[] {
    return this.o.roles;
  }

  get name(): string {
    return this.o.name;
  }

  get clock(): Clock {
    return this.o.clock;
  }

  private get port(): number {
    return this.o.port ?? LISP_CONTROL_PORT;
  }

  get localAddresses(): Endpoint[] {
    return this.sockets.map((s) => s.local);
  }

  /** Binds the control sockets, then starts the roles (registration, probing). */
  async start(): Promise<void> {
    await this.bind();
    this.startRoles();
  }

  /** Binds the control sockets: the node answers, but registers nothing yet. */
  async bind(): Promise<void> {
    for (const address of this.o.listen) {
      this.sockets.push(await this.o.network.bind({ address, port: this.port }, (d, from, s) => this.receive(d, from, s)));
    }
  }

  /** Starts registering with the Map-Servers and probing locators: the last step of start-up. */
  startRoles(): void {
    this.etr?.start();
    this.prober?.start();
  }

  /**
   * Withdraws what it registered (TTL 0; not with withdraw: false, as a node that vanished would),
   * waits for what is being sent, and closes the sockets.
   */
  async stop(o: { withdraw?: boolean } = {}): Promise<void> {
    if (o.withdraw ?? true) this.etr?.registrar.withdraw();
    this.etr?.stop();
    this.prober?.stop();
    await Promise.allSettled([...this.inflight]);
    await Promise.all(this.sockets.map((s) => s.close()));
    this.sockets = [];
  }

  /** Sends from a socket of the destination's family. */
  send(data: Buffer, to: Endpoint, via?: ControlSocket): void {
    const socket = via ?? this.sockets.find((s) => isIPv6(s.local.address) === isIPv6(to.address));
    if (!socket) {
      this.counters.inc('sent.no-socket');
      return;
    }
    this.counters.inc('sent');
    this.trace('sent', data, socket.local, to);
    const sending = socket.send(data, to).catch(() => this.counters.inc('sent.error'));
    this.inflight.add(sending);
    void sending.finally(() => this.inflight.delete(sending));
  }

  /** At debug level, a control packet with its field-by-field dump (as the LIP6 control plane printed them), and hex with logHex. */
  private trace(direction: 'sent' | 'received', data: Buffer, from: Endpoint, to: Endpoint, decoded?: LispMessage): void {
    const log = this.o.log;
    if (!log?.isLevelEnabled('debug')) return;
    let dump: string;
    if (decoded) dump = formatMessage(decoded);
    else {
      const r = decodeMessage(data);
      dump = r instanceof LispDecodeError ? `undecodable: ${r.message}` : formatMessage(r.value);
    }
    log.debug(
      { from: `${from.address}:${from.port}`, to: `${to.address}:${to.port}`, length: data.length, ...(this.o.logHex ? { hex: hexDump(data) } : {}) },
      `${direction}\n${dump}`,
    );
  }

  private receive(data: Buffer, from: Endpoint, socket: ControlSocket): void {
    this.counters.inc('received');
    const r = decodeMessage(data);
    if (r instanceof LispDecodeError) {
      this.counters.inc(`received.malformed.${r.code}`);
      this.limited.warn(`malformed.${r.code}`, { from, code: r.code, error: r.message, hex: hexPrefix(data) }, 'malformed control packet dropped');
      return;
    }
    this.counters.inc(`received.${r.value.type}`);
    try {
      this.trace('received', data, from, socket.local, r.value);
      this.dispatch(r.value, data, from, socket);
    } catch (e) {
      // A message the node cannot act on (e.g. one it cannot re-encode) is dropped; the node goes on.
      this.counters.inc(`dropped.error.${r.value.type}`);
      this.limited.warn(`error.${r.value.type}`, { from, type: r.value.type, error: e instanceof Error ? e.message : String(e) }, 'control packet dropped');
    }
  }

  private dispatch(m: LispMessage, data: Buffer, from: Endpoint, socket: ControlSocket): void {
    switch (m.type) {
      case 'map-register': {
        if (!this.ms) return this.counters.inc('dropped.not-a-map-server');
        const result = this.ms.register(data, m, from);
        if (!result.ok) return this.limited.warn(`map-register.${result.reason}`, { from, reason: result.reason, detail: result.detail }, 'Map-Register rejected');
        if (result.refused.length > 0) this.limited.warn('map-register.records-refused', { from, site: result.site, refused: result.refused }, 'Map-Register records refused');
        if (result.notify) this.send(result.notify, from, socket);
        return;
      }
      case 'map-notify':
        if (!this.etr) return this.counters.inc('dropped.not-an-etr');
        this.etr.registrar.handleNotify(data, m, from);
        return;
      case 'ecm':
        if (m.message.type !== 'map-request') return this.counters.inc('dropped.ecm-not-map-request');
        return this.mapRequest(m.message, data, m.udp.sport, socket, true);
      case 'map-request':
        if (m.smr) return this.itr ? this.itr.handleSmr(m) : this.counters.inc('dropped.smr-not-an-itr');
        return this.mapRequest(m, data, from.port, socket, false);
      case 'map-reply':
        if (!this.itr) return this.counters.inc('dropped.not-an-itr');
        if (m.probe && this.prober?.handleReply(m)) return;
        return this.itr.handleReply(m);
      default:
        this.counters.inc(`dropped.unhandled.${m.type}`);
    }
  }

  /** Answers (or forwards) a Map-Request; replies go to an ITR-RLOC at the request's source port. */
  private mapRequest(m: MapRequest, data: Buffer, replyPort: number, arrivedOn: ControlSocket, encapsulated: boolean): void {
    // An ITR-RLOC of the family the request came in on, else one of a family we can send from
    // (RFC 9301 section 5.3: the reply may go to any of them); the reply leaves from that family.
    const socketOf = (a: { afi: string }) => this.sockets.find((s) => isIPv6(s.local.address) === (a.afi === 'ipv6'));
    const usable = m.itrRlocs.filter((a) => a.afi === 'ipv4' || a.afi === 'ipv6');
    const itr = usable.find((a) => (a.afi === 'ipv6') === isIPv6(arrivedOn.local.address)) ?? usable.find((a) => socketOf(a) !== undefined);
    if (!itr) return this.counters.inc('dropped.map-request-no-usable-itr-rloc');
    const socket = (itr.afi === 'ipv6') === isIPv6(arrivedOn.local.address) ? arrivedOn : socketOf(itr)!;
    const replyTo = { address: formatAddress(itr), port: replyPort };
    const own = this.etr?.answer(m, arrivedOn.local.address, replyTo.address);
    if (own) return this.send(encodeMessage(own), replyTo, socket);
    // RLOC-probes never go to the mapping system (RFC 9301 section 5.2).
    if ((!this.ms && !this.referrals) || m.probe) return this.counters.inc('dropped.map-request-not-ours');
    const record = m.records[0];
    const eid = record && eidPrefixOf(record.eid, record.maskLen);
    if (!eid) return this.counters.inc('dropped.map-request-bad-eid');
    // Forwarded requests go out re-encapsulated unchanged; the answer goes to the ITR directly.
    const forward = (to: string, counter: string) => {
      const ecm = encapsulated ? data : encodeMessage(encapsulate(m, { src: replyTo.address, dst: formatEidAddress(eid.family, eid.address), sport: replyPort }));
      this.counters.inc(counter);
      this.send(ecm, { address: to, port: this.port });
    };
    const negative = (prefix: EidPrefix, ttlMinutes: number, kind: string) => {
      this.counters.inc(`map-reply.negative.${kind}`);
      this.send(encodeMessage(mapReply(m.nonce, [negativeRecord(prefix, ttlMinutes, 'natively-forward')])), replyTo, socket);
    };
    const ttl = this.o.negativeTtl ?? { outsideSites: 15, unregistered: 1 };
    const res = this.ms?.resolve(eid);
    if (res?.kind === 'unregistered') return negative(res.prefix, ttl.unregistered, 'unregistered');
    if (res === undefined || res.kind === 'not-eid') {
      const mapServer = this.referrals?.mapServerFor(eid);
      if (mapServer) return forward(mapServer, 'map-request.forwarded-to-map-server');
      // Outside every site and every referral: the least-specific prefix that holds none of them.
      const outside = [res?.prefix, this.referrals?.outside(eid)].filter((p): p is EidPrefix => p !== undefined);
      return negative(outside.reduce((a, b) => (b.len > a.len ? b : a), outside[0] ?? eid), ttl.outsideSites, 'not-eid');
    }
    if (wantsProxyReply(res.registrations)) {
      this.counters.inc('map-reply.proxy');
      return this.send(encodeMessage(mapReply(m.nonce, proxyReplyRecords(res.registrations))), replyTo, socket);
    }
    forward([...res.registrations[0]!.etrs.values()][0]!.source.address, 'map-request.forwarded');
  }

}

/** The first bytes of a packet in hex, for a log line (a 64 KB datagram must not make a 128 KB line). */
function hexPrefix(data: Buffer, max = 256): string {
  return data.length <= max ? data.toString('hex') : `${data.toString('hex', 0, max)}... (${data.length} bytes)`;
}

function opt<K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, V>);
}
