// Policy rules, routes and sysctls on Linux (io/host.ts RouteControl): the ip command and
// /proc/sys, for set-up, not the packet path. Every failure is a LispError ERR_LISP_SYSTEM whose
// message is the command and the system's own words, on one line.
import { writeFileSync } from 'node:fs';
import { LispError } from '../../packet/errors.js';
import type { IpFamily, PolicyRule, RouteControl, RouteSpec, RuleSpec } from '../host.js';
import { ip, ipJson } from './ip.js';

const familyFlag = (family: IpFamily) => (family === 'ipv6' ? '-6' : '-4');

/** The arguments of `ip rule add|del` for the rule: selectors, lookup, priority. */
const ruleArgs = (r: RuleSpec) => [...(r.from ? ['from', r.from] : []), ...(r.to ? ['to', r.to] : []), 'lookup', r.table, 'pref', String(r.priority)];

const routeArgs = (r: RouteSpec) => [
  r.dst,
  ...(r.dev ? ['dev', r.dev] : []),
  ...(r.src ? ['src', r.src] : []),
  ...(r.metric !== undefined ? ['metric', String(r.metric)] : []),
  'table',
  String(r.table),
];

const RULE_KEYS = new Set(['priority', 'src', 'srclen', 'dst', 'dstlen', 'table']);
/** The protocol a rule added by `ip rule add` has, when ip shows one. */
const PLAIN_PROTOCOLS = new Set(['unspec', 'boot']);

export const linuxRoutes: RouteControl = {
  rules(family) {
    const full = family === 'ipv6' ? 128 : 32;
    return ipJson([familyFlag(family), 'rule', 'show']).map((r): PolicyRule => {
      const from = typeof r.src === 'string' && r.src !== 'all' ? `${r.src}/${Number(r.srclen ?? full)}` : undefined;
      const to = typeof r.dst === 'string' ? `${r.dst}/${Number(r.dstlen ?? full)}` : undefined;
      const more = Object.keys(r).some((k) => !RULE_KEYS.has(k) && !(k === 'protocol' && PLAIN_PROTOCOLS.has(String(r.protocol)))) || r.table === undefined;
      return { priority: Number(r.priority), table: String(r.table ?? ''), ...(from ? { from } : {}), ...(to ? { to } : {}), more };
    });
  },
  addRule: (family, rule) => void ip([familyFlag(family), 'rule', 'add', ...ruleArgs(rule)]),
  deleteRule: (family, rule) => void ip([familyFlag(family), 'rule', 'del', ...ruleArgs(rule)]),
  routes(family, table) {
    return ipJson([familyFlag(family), 'route', 'show', 'table', String(table)]).map((r) => ({
      dst: String(r.dst),
      table,
      ...(typeof r.dev === 'string' ? { dev: r.dev } : {}),
      ...(r.metric !== undefined ? { metric: Number(r.metric) } : {}),
    }));
  },
  addRoute: (family, route) => void ip([familyFlag(family), 'route', 'add', ...routeArgs(route)]),
  deleteRoute: (family, route) => void ip([familyFlag(family), 'route', 'del', ...routeArgs(route)]),
  setSysctl(path, value) {
    try {
      writeFileSync(`/proc/sys/${path}`, value);
    } catch (e) {
      throw new LispError('ERR_LISP_SYSTEM', `sysctl ${path.replaceAll('/', '.')}=${value} failed: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
    }
  },
};
