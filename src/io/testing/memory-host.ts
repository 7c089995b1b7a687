// The host's TUN devices, links, rules, routes, sysctls and sockets in memory (io/host.ts), for
// tests of the data plane's control side without root. It keeps the kernel's rules that matter
// there: a TUN device that nobody holds goes away unless persistent, and its routes with it; a
// route or a sysctl of a missing link fails; adding what exists or deleting what does not fails.
// Failures are the LispError ERR_LISP_SYSTEM the Linux implementations throw. fail() makes the
// next call of an operation fail, as a host that refuses a change does.
import { LispError } from '../../packet/errors.js';
import { routeText, ruleText, type IpFamily, type LinkInfo, type LinkSettings, type PolicyRule, type RouteControl, type RouteSpec, type RuleSpec, type TunControl, type TunDevice, type TunOptions } from '../host.js';

export interface MemoryLink extends LinkInfo {
  settings: LinkSettings;
  /** Open file descriptors of a TUN device. */
  holders: number;
}

/** A TUN device in memory, in the shape of wireguard-go's ChannelTUN: what the host sends in, what the node writes out. */
export class MemoryTun implements TunDevice {
  /** Packets for read() to return, oldest first. */
  readonly inbound: Uint8Array[] = [];
  /** Packets written, oldest first. */
  readonly outbound: Uint8Array[] = [];
  closed = false;

  constructor(
    readonly fd: number,
    readonly name: string,
    readonly options: TunOptions,
    private readonly onClose: () => void,
  ) {}

  read(buf: Uint8Array, offset: number, maxLen: number): number {
    const p = this.inbound.shift();
    if (!p) return 0;
    const n = Math.min(p.length, maxLen);
    buf.set(p.subarray(0, n), offset);
    return n;
  }

  write(buf: Uint8Array, offset: number, len: number): number {
    this.outbound.push(buf.slice(offset, offset + len));
    return len;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}

const error = (message: string) => new LispError('ERR_LISP_SYSTEM', message);
const sameRule = (a: RuleSpec, b: RuleSpec) => a.priority === b.priority && a.table === b.table && a.from === b.from && a.to === b.to;
const sameRoute = (a: RouteSpec, b: RouteSpec) => a.dst === b.dst && a.table === b.table && (b.dev === undefined || a.dev === b.dev);

export class MemoryHost {
  readonly links = new Map<string, MemoryLink>();
  readonly rules: Record<IpFamily, PolicyRule[]> = { ipv4: [], ipv6: [] };
  readonly routeList: Record<IpFamily, RouteSpec[]> = { ipv4: [], ipv6: [] };
  readonly sysctls = new Map<string, string>();
  /** Every TUN device opened, and every socket, open or closed. */
  readonly devices: MemoryTun[] = [];
  readonly sockets: { readonly fd: number; readonly options: object; open: boolean }[] = [];
  private readonly failures = new Map<string, string>();
  private nextFd = 1000;

  /** The next call of op ("open", "configure", "addRule", "addRoute", "setSysctl", "openSocket", ...) fails, saying why. */
  fail(op: string, why: string): void {
    this.failures.set(op, why);
  }

  /** A link as an earlier run or another program left it. */
  leave(name: string, info: LinkInfo): void {
    this.links.set(name, { ...info, settings: {}, holders: 0 });
  }

  readonly tuns: TunControl = {
    open: (name, options = {}) => {
      this.check('open', `ioctl (TUNSETIFF ${name}) failed`);
      const link = this.links.get(name);
      if (link && (link.kind !== 'tun' || link.tunType !== 'tun')) throw error(`ioctl (TUNSETIFF ${name}) failed: EINVAL`);
      if (link && link.holders > 0 && !options.multiQueue) throw error(`ioctl (TUNSETIFF ${name}) failed: EBUSY`);
      const held = link ?? { kind: 'tun', tunType: 'tun', persist: false, settings: {}, holders: 0 };
      held.holders++;
      this.links.set(name, held);
      const device = new MemoryTun(this.nextFd++, name, options, () => {
        held.holders--;
        if (held.holders === 0 && !held.persist) this.unlink(name);
      });
      this.devices.push(device);
      return device;
    },
    configure: (name, settings) => {
      this.check('configure', `ip link set dev ${name}`);
      const link = this.link(name, `ip link set dev ${name}`);
      link.settings = { ...link.settings, ...settings, addresses: [...new Set([...(link.settings.addresses ?? []), ...(settings.addresses ?? [])])] };
    },
    link: (name) => {
      const l = this.links.get(name);
      return l && { kind: l.kind, ...(l.tunType !== undefined ? { tunType: l.tunType } : {}), ...(l.persist !== undefined ? { persist: l.persist } : {}) };
    },
    remove: (name) => {
      this.check('remove', `ip link del dev ${name}`);
      this.link(name, `ip link del dev ${name}`);
      this.unlink(name);
    },
  };

  readonly routes: RouteControl = {
    rules: (family) => this.rules[family].map((r) => ({ ...r })),
    addRule: (family, rule) => {
      this.check('addRule', `ip rule add ${ruleText(rule)}`);
      if (this.rules[family].some((r) => sameRule(r, rule))) throw error(`ip rule add ${ruleText(rule)}: RTNETLINK answers: File exists`);
      this.rules[family].push({ priority: rule.priority, table: rule.table, ...(rule.from ? { from: rule.from } : {}), ...(rule.to ? { to: rule.to } : {}), more: false });
    },
    deleteRule: (family, rule) => {
      this.check('deleteRule', `ip rule del ${ruleText(rule)}`);
      const i = this.rules[family].findIndex((r) => sameRule(r, rule));
      if (i < 0) throw error(`ip rule del ${ruleText(rule)}: RTNETLINK answers: No such file or directory`);
      this.rules[family].splice(i, 1);
    },
    routes: (family, table) => this.routeList[family].filter((r) => r.table === table).map((r) => ({ ...r })),
    addRoute: (family, route) => {
      this.check('addRoute', `ip route add ${routeText(route)}`);
      if (route.dev !== undefined) this.link(route.dev, `ip route add ${routeText(route)}`);
      if (this.routeList[family].some((r) => sameRoute(r, route))) throw error(`ip route add ${routeText(route)}: RTNETLINK answers: File exists`);
      this.routeList[family].push({ ...route });
    },
    deleteRoute: (family, route) => {
      this.check('deleteRoute', `ip route del ${routeText(route)}`);
      const i = this.routeList[family].findIndex((r) => sameRoute(r, route));
      if (i < 0) throw error(`ip route del ${routeText(route)}: RTNETLINK answers: No such process`);
      this.routeList[family].splice(i, 1);
    },
    setSysctl: (path, value) => {
      this.check('setSysctl', `sysctl ${path.replaceAll('/', '.')}=${value}`);
      const device = /^net\/ipv[46]\/conf\/([^/]+)\//.exec(path)?.[1];
      if (device && device !== 'all' && device !== 'default' && !this.links.has(device)) throw error(`sysctl ${path.replaceAll('/', '.')}=${value} failed: ENOENT`);
      this.sysctls.set(path, value);
    },
  };

  /** A UDP socket: a number for a file descriptor. */
  openSocket(options: object): { readonly fd: number; close(): void } {
    this.check('openSocket', 'bind');
    const socket = { fd: this.nextFd++, options, open: true };
    this.sockets.push(socket);
    return { fd: socket.fd, close: () => void (socket.open = false) };
  }

  private check(op: string, what: string): void {
    const why = this.failures.get(op);
    if (why === undefined) return;
    this.failures.delete(op);
    throw error(`${what}: ${why}`);
  }

  private link(name: string, what: string): MemoryLink {
    const link = this.links.get(name);
    if (!link) throw error(`${what}: Cannot find device "${name}"`);
    return link;
  }

  /** A link goes, and the routes through it. */
  private unlink(name: string): void {
    this.links.delete(name);
    for (const family of ['ipv4', 'ipv6'] as const) this.routeList[family] = this.routeList[family].filter((r) => r.dev !== name);
  }
}
