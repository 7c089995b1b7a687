// Routes and policy rules a node installs and removes on exit, through the ip command (setup, not
// the packet path). Each change is recorded with its inverse, so remove() takes away exactly what
// this set added and nothing else (LISPmob's way: steer EID traffic into the TUN device with
// source rules, leave every other route alone). The listings (rules, routes of a table, a link)
// let start-up find what an earlier run left. Every failure of ip is a LispError
// ERR_LISP_SYSTEM whose message is the command and ip's own words, on one line.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { LispError } from '../../packet/errors.js';

export type IpFamily = 'ipv4' | 'ipv6';

export class RouteSet {
  private readonly undo: string[][] = [];

  /** `ip [-6] rule add ARGS`, undone by `ip [-6] rule del ARGS`. */
  rule(family: IpFamily, args: string[]): void {
    this.apply(family, 'rule', args);
  }

  /** `ip [-6] route add ARGS`, undone by `ip [-6] route del ARGS`. */
  route(family: IpFamily, args: string[]): void {
    this.apply(family, 'route', args);
  }

  /** Removes what this set added, newest first; failures (already gone) are ignored. */
  remove(): void {
    for (const args of this.undo.splice(0).reverse()) {
      try {
        ip(args);
      } catch {
        // Gone already (the device went away with its routes).
      }
    }
  }

  private apply(family: IpFamily, what: 'rule' | 'route', args: string[]): void {
    const f = familyFlag(family);
    ip([f, what, 'add', ...args]);
    this.undo.push([f, what, 'del', ...args]);
  }
}

/** A policy rule as `ip -j rule show` gives it. */
export interface PolicyRule {
  readonly priority: number;
  /** "main", "local", or the number of the table, as text. */
  readonly table: string;
  /** The source selector, "address/length"; absent for "from all". */
  readonly from?: string;
  /** The destination selector, "address/length". */
  readonly to?: string;
  /** It has more than priority, from, to and table (iif, fwmark, not, an action other than lookup, ...). */
  readonly more: boolean;
  /** The arguments of `ip rule del` that delete exactly this rule. */
  readonly args: readonly string[];
}

const RULE_KEYS = new Set(['priority', 'src', 'srclen', 'dst', 'dstlen', 'table']);
/** The protocol a rule added by `ip rule add` has, when ip shows one. */
const PLAIN_PROTOCOLS = new Set(['unspec', 'boot']);

/** The policy rules of the family. */
export function listRules(family: IpFamily): PolicyRule[] {
  const full = family === 'ipv6' ? 128 : 32;
  return ipJson([familyFlag(family), 'rule', 'show']).map((r) => {
    const priority = Number(r.priority);
    const table = String(r.table ?? '');
    const from = typeof r.src === 'string' && r.src !== 'all' ? `${r.src}/${Number(r.srclen ?? full)}` : undefined;
    const to = typeof r.dst === 'string' ? `${r.dst}/${Number(r.dstlen ?? full)}` : undefined;
    const more = Object.keys(r).some((k) => !RULE_KEYS.has(k) && !(k === 'protocol' && PLAIN_PROTOCOLS.has(String(r.protocol)))) || r.table === undefined;
    const args = ['pref', String(priority), ...(from ? ['from', from] : []), ...(to ? ['to', to] : []), 'lookup', table];
    return { priority, table, ...(from ? { from } : {}), ...(to ? { to } : {}), more, args };
  });
}

/** A route of a table as `ip -j route show table T` gives it. */
export interface TableRoute {
  /** "default", or "address/length". */
  readonly dst: string;
  readonly dev?: string;
  /** The arguments of `ip route del` that delete exactly this route. */
  readonly args: readonly string[];
}

/** The routes of one table (none when the table does not exist). */
export function listRoutes(family: IpFamily, table: number): TableRoute[] {
  return ipJson([familyFlag(family), 'route', 'show', 'table', String(table)]).map((r) => {
    const dst = String(r.dst);
    const dev = typeof r.dev === 'string' ? r.dev : undefined;
    const metric = r.metric === undefined ? [] : ['metric', String(Number(r.metric))];
    return { dst, ...(dev ? { dev } : {}), args: [dst, ...(dev ? ['dev', dev] : []), ...metric, 'table', String(table)] };
  });
}

/** `ip [-6] rule del ARGS`. */
export function deleteRule(family: IpFamily, args: readonly string[]): void {
  ip([familyFlag(family), 'rule', 'del', ...args]);
}

/** `ip [-6] route del ARGS`. */
export function deleteRoute(family: IpFamily, args: readonly string[]): void {
  ip([familyFlag(family), 'route', 'del', ...args]);
}

/** What kind of link carries a name, if one does: "tun" (with its TUN type and persist flag), "veth", ... */
export interface LinkInfo {
  readonly kind: string | undefined;
  /** For kind "tun": "tun" or "tap". */
  readonly tunType?: string;
  /** For kind "tun": the device outlives the file descriptors (TUNSETPERSIST). */
  readonly persist?: boolean;
}

/** The link of that name in this network namespace, undefined when there is none. */
export function linkInfo(name: string): LinkInfo | undefined {
  let links: Record<string, unknown>[];
  try {
    links = ipJson(['-d', 'link', 'show', 'dev', name]);
  } catch (e) {
    if (e instanceof LispError && /does not exist/.test(e.message)) return undefined;
    throw e;
  }
  if (!links[0]) return undefined;
  const info = links[0].linkinfo as { info_kind?: string; info_data?: { type?: string; persist?: boolean } } | undefined;
  return {
    kind: info?.info_kind,
    ...(info?.info_data?.type !== undefined ? { tunType: info.info_data.type } : {}),
    ...(info?.info_data?.persist !== undefined ? { persist: info.info_data.persist } : {}),
  };
}

/** `ip link del NAME`. */
export function deleteLink(name: string): void {
  ip(['link', 'del', 'dev', name]);
}

/** Sets a sysctl, e.g. setSysctl('net/ipv4/conf/loci0/rp_filter', '0'). */
export function setSysctl(path: string, value: string): void {
  try {
    writeFileSync(`/proc/sys/${path}`, value);
  } catch (e) {
    throw new LispError('ERR_LISP_SYSTEM', `sysctl ${path.replaceAll('/', '.')}=${value} failed: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

const familyFlag = (family: IpFamily) => (family === 'ipv6' ? '-6' : '-4');

/** `ip -j ARGS`, parsed; a table that does not exist, or a family the kernel does not have, lists nothing. */
function ipJson(args: string[]): Record<string, unknown>[] {
  let out: string;
  try {
    out = ip(['-j', ...args]);
  } catch (e) {
    if (e instanceof LispError && /FIB table does not exist|Address family not supported/.test(e.message)) return [];
    throw e;
  }
  if (out.trim() === '') return [];
  try {
    const parsed: unknown = JSON.parse(out);
    return Array.isArray(parsed) ? (parsed as Record<string, unknown>[]) : [];
  } catch {
    throw new LispError('ERR_LISP_SYSTEM', `ip -j ${args.join(' ')} printed what is not JSON`);
  }
}

function ip(args: string[]): string {
  try {
    return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 10_000 });
  } catch (err) {
    const e = err as { stderr?: string; code?: string; message?: string };
    // ip's own words, on one line ("RTNETLINK answers: File exists"), else why it did not run.
    const why = e.stderr?.trim().replace(/\s*\n\s*/g, '; ') || e.code || e.message || 'failed';
    throw new LispError('ERR_LISP_SYSTEM', `ip ${args.join(' ')}: ${why}`);
  }
}
