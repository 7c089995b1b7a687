// The host's network set-up as a data plane changes it, as two small interfaces: TUN devices and
// their links (TunControl), policy rules, routes and sysctls (RouteControl). io/linux implements
// them (linuxTuns: TUNSETIFF through koffi and the ip command; linuxRoutes: the ip command and
// /proc/sys); io/testing/memory-host.ts keeps them in memory, so the data plane's control side is
// tested without root. A TUN device is one IP packet per read() and per write(), as wireguard-go's
// tun.Device is.

export type IpFamily = 'ipv4' | 'ipv6';

export interface TunDevice {
  /** The file descriptor the workers are handed. */
  readonly fd: number;
  readonly name: string;
  /** One packet into buf[offset..offset + maxLen): its length, or 0 when none is queued. */
  read(buf: Uint8Array, offset: number, maxLen: number): number;
  /** Exactly one packet from buf[offset..offset + len); returns len (0 if there was no room). */
  write(buf: Uint8Array, offset: number, len: number): number;
  close(): void;
}

export interface TunOptions {
  /** Make read() wait for a packet instead of returning 0 (default false: wait with waitReadable). */
  blocking?: boolean;
  /** IFF_MULTI_QUEUE: each open of the same name adds a queue. */
  multiQueue?: boolean;
  /** IFF_VNET_HDR: a virtio_net_hdr before every packet read and written. */
  vnetHeader?: boolean;
  /** TUNSETOFFLOAD bits (TUN_F_*; they need vnetHeader); default 0, which also clears what a persistent device kept. */
  offload?: number;
}

export interface LinkSettings {
  mtu?: number;
  up?: boolean;
  txqueuelen?: number;
  /** CIDR addresses, e.g. "198.18.0.1/24" or "2001:db8::1/64" (IPv6 ones skip DAD). */
  addresses?: string[];
}

/** What kind of link carries a name: "tun" (with its TUN type and persist flag), "veth", ... */
export interface LinkInfo {
  readonly kind: string | undefined;
  /** For kind "tun": "tun" or "tap". */
  readonly tunType?: string;
  /** For kind "tun": the device outlives the file descriptors (TUNSETPERSIST). */
  readonly persist?: boolean;
}

export interface TunControl {
  /** Opens (creating if needed) the TUN device name and sets its offloads. */
  open(name: string, options?: TunOptions): TunDevice;
  /** MTU, queue length, addresses and state of a link. */
  configure(name: string, settings: LinkSettings): void;
  /** The link of that name, undefined when there is none. */
  link(name: string): LinkInfo | undefined;
  /** Deletes the link (a TUN device left persistent). */
  remove(name: string): void;
}

/** A policy rule: at priority, traffic from and to these prefixes looks up table ("main", or a number). */
export interface RuleSpec {
  readonly priority: number;
  readonly table: string;
  /** "address/length"; absent for any source. */
  readonly from?: string;
  /** "address/length"; absent for any destination. */
  readonly to?: string;
}

/** A rule as the host lists it. */
export interface PolicyRule extends RuleSpec {
  /** It has more than priority, from, to and a lookup (iif, fwmark, not, another action, ...): never one of ours. */
  readonly more: boolean;
}

/** A route of a numbered table. */
export interface RouteSpec {
  /** "default", or "address/length". */
  readonly dst: string;
  readonly table: number;
  readonly dev?: string;
  /** The source address of what takes the route. */
  readonly src?: string;
  readonly metric?: number;
}

export interface RouteControl {
  rules(family: IpFamily): PolicyRule[];
  addRule(family: IpFamily, rule: RuleSpec): void;
  deleteRule(family: IpFamily, rule: RuleSpec): void;
  /** The routes of a table (none when it does not exist). */
  routes(family: IpFamily, table: number): RouteSpec[];
  addRoute(family: IpFamily, route: RouteSpec): void;
  deleteRoute(family: IpFamily, route: RouteSpec): void;
  /** Sets a sysctl, e.g. setSysctl('net/ipv4/conf/loci0/rp_filter', '0'). */
  setSysctl(path: string, value: string): void;
}

/** "pref 4341 from 198.18.1.0/24 lookup 4341": a rule as the data plane logs it. */
export function ruleText(r: RuleSpec): string {
  return ['pref', r.priority, ...(r.from ? ['from', r.from] : []), ...(r.to ? ['to', r.to] : []), 'lookup', r.table].join(' ');
}

/** "default dev loci0 table 4341": a route as the data plane logs it. */
export function routeText(r: RouteSpec): string {
  return [r.dst, ...(r.dev ? ['dev', r.dev] : []), ...(r.src ? ['src', r.src] : []), ...(r.metric !== undefined ? ['metric', r.metric] : []), 'table', r.table].join(' ');
}
