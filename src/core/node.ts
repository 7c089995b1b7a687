// A LISP node: control sockets on UDP 4342 of each listen address, the components its roles share
// (clock, counters, logs, the sockets), and the roles it is composed of (role.ts). Several nodes run
// in one process.
//
// Inbound, in order: decode (a bad packet is counted and dropped); a Map-Request, plain or in an
// ECM, goes down the Map-Request chain the roles contribute (request-chain.ts), an SMR to the role
// that takes SMRs; any other message to the one handler a role registered for its type, else it is
// counted as unhandled. No exception escapes: a message a handler cannot act on is counted and dropped.
import { isIPv6 } from 'node:net';
import { decodeMessage, formatMessage, hexDump, LISP_CONTROL_PORT, LispDecodeError, type LispMessage } from '../packet/index.js';
import type { Clock } from './clock.js';
import { Counters } from './counters.js';
import { LimitedLog } from './log-limit.js';
import type { ControlSocket, Endpoint, Log, Network } from './ports.js';
import { RequestChain } from './request-chain.js';
import { CAPABILITY_ROLE, type Capabilities, type Handlers, type Inbound, type NodeComponents, type Role, type RoleFactory, type RoleParts } from './role.js';
import { LocalDatabase } from '../table/index.js';

export type { Role } from './role.js';


export interface NodeOptions {
  name: string;
  listen: string[];
  /** UDP port of the control sockets (4342). */
  port?: number;
  network: Network;
  clock: Clock;
  /** Rejected packets at warn; at debug every control packet sent or received, dumped (and in hex with logHex). */
  log?: Log;
  logHex?: boolean;
  /** What the node is: its roles, composed in this order. */
  roles: RoleFactory[];
}

export class LispNode {
  readonly counters = new Counters();
  private sockets: ControlSocket[] = [];
  /** Sends not yet handed to the kernel: stop() waits for them. */
  private readonly inflight = new Set<Promise<void>>();
  private readonly limited: LimitedLog;
  private readonly parts: RoleParts[];
  private readonly handlers: Handlers = {};
  private readonly capabilities: Partial<Capabilities> = {};
  private readonly chain: RequestChain;
  private readonly components: NodeComponents;
  private hex: boolean;

  constructor(private readonly o: NodeOptions) {
    this.hex = o.logHex ?? false;
    this.limited = new LimitedLog({ log: o.log, now: () => o.clock.now() });
    this.components = {
      name: o.name,
      database: new LocalDatabase(),
      clock: o.clock,
      counters: this.counters,
      log: o.log,
      limited: this.limited,
      controlPort: this.port,
      send: (data, to, via) => this.send(data, to, via),
      sendFrom: (data, to, from) => this.send(data, to, this.sockets.find((s) => s.local.address === from)),
      localAddresses: () => this.sockets.map((s) => s.local.address),
      ...(o.network.sourceFor ? { sourceFor: (remote: string) => o.network.sourceFor!(remote) } : {}),
      capability: (name) => this.capabilities[name],
    };
    this.parts = o.roles.map((factory) => factory(this.components));
    for (const part of this.parts) this.compose(part);
    this.chain = new RequestChain(
      this.parts.flatMap((p) => p.requestLinks ?? []),
      this.components,
      () => this.sockets,
    );
  }

  /** Takes in what a role contributes; two roles may not answer the same message type or offer the same capability. */
  private compose(part: RoleParts): void {
    for (const [type, handler] of Object.entries(part.handlers ?? {})) {
      if (this.handlers[type as keyof Handlers]) throw new RangeError(`node ${this.o.name}: two roles handle ${type}`);
      (this.handlers as Record<string, unknown>)[type] = handler;
    }
    for (const [name, value] of Object.entries(part.capabilities ?? {})) {
      if (this.capabilities[name as keyof Capabilities]) throw new RangeError(`node ${this.o.name}: two roles offer ${name}`);
      (this.capabilities as Record<string, unknown>)[name] = value;
    }
  }

  get roles(): readonly Role[] {
    return this.parts.map((p) => p.role);
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

  /** A capability a role of this node provides, if any. */
  capability<K extends keyof Capabilities>(name: K): Capabilities[K] | undefined {
    return this.capabilities[name];
  }

  /** The role that would provide a capability (for errors naming what a node lacks). */
  static roleOf(name: keyof Capabilities): Role {
    return CAPABILITY_ROLE[name];
  }

  /** Gives a role its options again, changed: what changed applies in place (Operations.reconfigure calls it). */
  reconfigure(role: Role, options: unknown): void {
    const part = this.parts.find((p) => p.role === role);
    if (!part) throw new RangeError(`node ${this.o.name} has no ${role} role`);
    (part.reconfigure as ((o: unknown) => void) | undefined)?.(options);
  }

  /** With log-level debug: add a hex dump to each packet logged (a reload may change it). */
  set logHex(on: boolean) {
    this.hex = on;
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

  /** Starts the roles (registering with the Map-Servers, probing locators): the last step of start-up. */
  startRoles(): void {
    for (const p of this.parts) p.start?.();
  }

  /**
   * Stops the roles, which withdraw what they registered (TTL 0; not with withdraw: false, as a node
   * that vanished would), waits for what is being sent, and closes the sockets.
   */
  async stop(o: { withdraw?: boolean } = {}): Promise<void> {
    for (const p of this.parts) p.stop?.({ withdraw: o.withdraw ?? true });
    await Promise.allSettled([...this.inflight]);
    await Promise.all(this.sockets.map((s) => s.close()));
    this.sockets = [];
  }

  /** Sends from a socket of the destination's family (or `via`). */
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
      { from: `${from.address}:${from.port}`, to: `${to.address}:${to.port}`, length: data.length, ...(this.hex ? { hex: hexDump(data) } : {}) },
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
      this.dispatch(r.value, { data, from, socket });
    } catch (e) {
      // A message the node cannot act on (e.g. one it cannot re-encode) is dropped; the node goes on.
      this.counters.inc(`dropped.error.${r.value.type}`);
      this.limited.warn(`error.${r.value.type}`, { from, type: r.value.type, error: e instanceof Error ? e.message : String(e) }, 'control packet dropped');
    }
  }

  private dispatch(m: LispMessage, inbound: Inbound): void {
    if (m.type === 'map-request') {
      if (!m.smr) return this.chain.handle(m, undefined, inbound.data, inbound.from.port, inbound.from, inbound.socket);
      const taker = this.parts.find((p) => p.onSmr);
      return taker ? taker.onSmr!(m, inbound) : this.counters.inc('dropped.unhandled.smr');
    }
    if (m.type === 'ecm') {
      if (m.message.type !== 'map-request') return this.counters.inc('dropped.ecm-not-map-request');
      return this.chain.handle(m.message, m, inbound.data, m.udp.sport, inbound.from, inbound.socket);
    }
    const handler = this.handlers[m.type] as ((m: LispMessage, inbound: Inbound) => void) | undefined;
    if (!handler) return this.counters.inc(`dropped.unhandled.${m.type}`);
    handler(m, inbound);
  }
}

/** The first bytes of a packet in hex, for a log line (a 64 KB datagram must not make a 128 KB line). */
function hexPrefix(data: Buffer, max = 256): string {
  return data.length <= max ? data.toString('hex') : `${data.toString('hex', 0, max)}... (${data.length} bytes)`;
}
