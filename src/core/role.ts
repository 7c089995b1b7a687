// What a role is (DESIGN example 5, the js-libp2p shape): a factory over the node's shared
// components that returns what the role contributes: handlers for the message types it answers,
// links in the ordered Map-Request chain, capabilities (what the API and the other parts of the
// daemon may use), and start/stop. The node only composes; no role is an optional field of it.
import type { Ecm, LispMessage, MapReply, MapRequest, MessageType } from '../packet/index.js';
import type { Clock } from './clock.js';
import type { NodeCounterName } from './counter-names.js';
import type { Counters } from './counters.js';
import type { LimitedLog } from './log-limit.js';
import type { ControlSocket, Endpoint, Log } from './ports.js';
import type { EidPrefix, LocalDatabase, MapCache } from '../table/index.js';
import type { Itr } from './roles/itr.js';
import type { MapServer } from './roles/map-server.js';
import type { Registrar } from './roles/registrar.js';
import type { DdtResolver } from './roles/ddt-resolver.js';

/** Every role a node can play. */
export type Role = 'itr' | 'etr' | 'ms' | 'mr' | 'ddt-node' | 'ddt-ms' | 'ddt-mr';

/** What the roles share: the node's identity, clock, counters, logs, tables and control sockets. */
export interface NodeComponents {
  readonly name: string;
  /** The node's own EID-prefixes: the ETR fills it, a map-cache shares its table (one lookup tells local from cached). */
  readonly database: LocalDatabase;
  readonly clock: Clock;
  readonly counters: Counters;
  readonly log: Log | undefined;
  /** Warnings input can trigger: one line per reason per interval. */
  readonly limited: LimitedLog;
  /** UDP port of the control sockets and of peers (4342). */
  readonly controlPort: number;
  /** Sends from a socket of the destination's family, or from `via`. */
  send(data: Buffer, to: Endpoint, via?: ControlSocket): void;
  /** Sends from the control socket bound to `from` (a local address). */
  sendFrom(data: Buffer, to: Endpoint, from: string): void;
  /** The addresses the control sockets are bound to. */
  localAddresses(): string[];
  /** The local address the system would send from to reach remote, when the network can tell. */
  sourceFor?(remote: string): Promise<string>;
  /** A capability another role of the node provides (undefined when none does). */
  capability<K extends keyof Capabilities>(name: K): Capabilities[K] | undefined;
}

/** What roles offer to the API and to the rest of the daemon, by name; at most one role provides each. */
export interface Capabilities {
  /** The node's own EID-prefixes, when it is an ETR (the database component). */
  database: LocalDatabase;
  /** Registration with the Map-Servers (ETR). */
  registration: Registrar;
  /** The map-cache (ITR). */
  mapCache: MapCache;
  /** Resolving EIDs through the mapping system (ITR). */
  resolver: Itr;
  /** Sites and registrations (Map-Server). */
  mapServer: MapServer;
  /** Walks under way and the referral cache (DDT Map-Resolver). */
  ddtResolver: DdtResolver;
}

/** Where a message came from and on which socket. */
export interface Inbound {
  readonly data: Buffer;
  readonly from: Endpoint;
  readonly socket: ControlSocket;
}

export type Handlers = { [T in MessageType]?: (m: Extract<LispMessage, { type: T }>, inbound: Inbound) => void };

/** A Map-Request making its way down the chain. */
export interface MapRequestContext {
  readonly request: MapRequest;
  /** The ECM that carried it, if any (forwarded unchanged). */
  readonly ecm: Ecm | undefined;
  readonly data: Buffer;
  /** Who sent the datagram: for an ECM, the encapsulator (a DDT client gets its Map-Referral there). */
  readonly from: Endpoint;
  /** The ITR-RLOC and port replies go to, and the socket they leave from. */
  readonly replyTo: Endpoint;
  readonly socket: ControlSocket;
  /** The socket the request arrived on. */
  readonly arrivedOn: ControlSocket;
  /** The EID-prefix asked for (the first record), undefined when it is not one. */
  readonly eid: EidPrefix | undefined;
  /** Negative answers links have proposed: the most specific one is sent when no link answers. */
  readonly negatives: { prefix: EidPrefix; ttlMinutes: number; kind: 'not-eid' }[];
  reply(m: MapReply): void;
  /** Sends the request on, encapsulated, to a Map-Server or an ETR (the answer goes to the ITR). */
  forward(to: string, counter: NodeCounterName): void;
}

/** A link of the Map-Request chain: true when it answered (or forwarded), false to pass it on. May answer later (DDT). */
export interface RequestLink {
  /** Its place: database 10, registrations 20, referrals 30. */
  readonly order: number;
  readonly name: string;
  handle(ctx: MapRequestContext): boolean | Promise<boolean>;
}

export interface RoleParts {
  readonly role: Role;
  readonly handlers?: Handlers;
  readonly requestLinks?: readonly RequestLink[];
  readonly capabilities?: Partial<Capabilities>;
  /** A Solicit-Map-Request (a Map-Request with S set) from a peer whose mapping changed. */
  readonly onSmr?: (m: MapRequest, inbound: Inbound) => void;
  /** After the control sockets are bound and everything else is up. */
  start?(): void;
  /** Before the sockets close; withdraw: take back what the role announced (registrations). */
  stop?(o: { withdraw: boolean }): void;
  /**
   * The role's options again, changed (a reload): it applies in place what changed and leaves the
   * rest as it is. Typed by each factory with its own options; throws RangeError for options it
   * cannot take (the node is then as it was).
   */
  readonly reconfigure?: (options: never) => void;
}

export type RoleFactory = (components: NodeComponents) => RoleParts;

/** The role that provides each capability (for errors naming what a node lacks). */
export const CAPABILITY_ROLE: Readonly<Record<keyof Capabilities, Role>> = {
  database: 'etr',
  registration: 'etr',
  mapCache: 'itr',
  resolver: 'itr',
  mapServer: 'ms',
  ddtResolver: 'ddt-mr',
};
