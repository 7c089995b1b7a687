// The routes and policy rules that steer EID traffic into the TUN device (RouteSet removes them
// on stop). T is the node's routing table, P its rule priority:
//
//   router mode, for each database EID-prefix E (the networks behind this xTR):
//     P-1: to E lookup main        traffic between our own EIDs stays native
//     P:   from E lookup T         traffic from our EIDs goes to T
//   host mode, for this host's EID addresses (on the TUN device):
//     P-1: from RLOC lookup main   for each local RLOC: encapsulated and control traffic
//     P:   lookup T                everything else, sourced from the EID (T's route says src)
//   T: default dev TUN (host mode: src EID), for each family with EIDs
//
// A run that ended without stop() (kill -9, a crash) leaves its rules behind (its routes and its
// TUN device go when its process does). clearLeftovers() finds, before start, what such a run of
// the same node made, and removes only that:
//   rules at priority P that look up T (whatever their selector: T is this node's table)
//   rules at priority P-1 that look up main with a selector this node installs (to E, from RLOC)
//   routes of table T through the TUN device
//   the TUN device, when one of that name was left persistent
// A TUN device of the name still held by a running process (another instance of the node) is an
// error, checked first, so nothing of that instance is touched; so is another kind of link.
// A rule with anything more than priority, one selector and a table is never ours.
import { routeText, ruleText, type IpFamily, type RouteControl, type RouteSpec, type RuleSpec, type TunControl } from '../io/host.js';
import { LispError } from '../packet/index.js';
import { formatAddress, formatPrefix, parseAddress, type EidPrefix } from '../table/index.js';

export interface SteeringOptions {
  readonly tun: string;
  readonly mode: 'router' | 'host';
  readonly table: number;
  readonly priority: number;
  readonly database: readonly EidPrefix[];
  readonly eidAddresses: readonly string[];
  readonly rlocs: readonly string[];
}

const familyOf = (address: string): IpFamily => (address.includes(':') ? 'ipv6' : 'ipv4');

/** Rules and routes added, each with its inverse, so remove() takes away exactly what this set added and nothing else. */
export class RouteSet {
  private readonly undo: (() => void)[] = [];

  constructor(private readonly routes: RouteControl) {}

  rule(family: IpFamily, rule: RuleSpec): void {
    this.routes.addRule(family, rule);
    this.undo.push(() => this.routes.deleteRule(family, rule));
  }

  route(family: IpFamily, route: RouteSpec): void {
    this.routes.addRoute(family, route);
    this.undo.push(() => this.routes.deleteRoute(family, route));
  }

  /** Removes what this set added, newest first; failures (already gone) are ignored. */
  remove(): void {
    for (const undo of this.undo.splice(0).reverse()) {
      try {
        undo();
      } catch {
        // Gone already (the device went away with its routes).
      }
    }
  }
}

export function installSteering(o: SteeringOptions, routes: RouteControl): RouteSet {
  const set = new RouteSet(routes);
  const main = (priority: number, selector: { from: string } | { to: string }): RuleSpec => ({ priority, table: 'main', ...selector });
  const toTable = (selector: { from?: string }): RuleSpec => ({ priority: o.priority, table: String(o.table), ...selector });
  try {
    // Decapsulated packets come in on the TUN from remote EIDs: no reverse-path check there.
    routes.setSysctl(`net/ipv4/conf/${o.tun}/rp_filter`, '0');
    if (o.mode === 'router') {
      for (const e of o.database) {
        const family = e.family === 'ipv6' ? 'ipv6' : 'ipv4';
        const text = formatPrefix({ ...e, iid: 0 });
        set.rule(family, main(o.priority - 1, { to: text }));
        set.rule(family, toTable({ from: text }));
      }
      for (const family of new Set(o.database.map((e) => (e.family === 'ipv6' ? 'ipv6' : 'ipv4') as IpFamily))) {
        set.route(family, { dst: 'default', dev: o.tun, table: o.table });
      }
    } else {
      for (const rloc of o.rlocs) set.rule(familyOf(rloc), main(o.priority - 1, { from: rloc }));
      const byFamily = new Map(o.eidAddresses.map((a) => [familyOf(a), a] as const));
      for (const [family, eid] of byFamily) {
        set.route(family, { dst: 'default', dev: o.tun, src: eid, table: o.table });
        set.rule(family, toTable({}));
      }
    }
    return set;
  } catch (e) {
    set.remove();
    throw e;
  }
}

export interface LeftoverOptions extends SteeringOptions {
  /** The node installs routes and rules (data-plane.routes); without, only the TUN device is checked. */
  readonly routes: boolean;
}

/** How long a TUN device of the name may take to go with the process that held it (a run just killed). */
const TUN_GONE_MS = 2000;

/**
 * Removes what an earlier run of this node left (see the top of this file); returns what it
 * removed, one line each ("ip -4 rule pref 4341 from 198.18.1.0/24 lookup 4341").
 */
export function clearLeftovers(o: LeftoverOptions, host: { readonly tuns: TunControl; readonly routes: RouteControl }): string[] {
  const removed: string[] = [];
  // First: a TUN device still held means the earlier run is still running, and its rules are not leftovers.
  const persistentTun = leftTun(o.tun, host.tuns);
  if (o.routes) {
    for (const family of ['ipv4', 'ipv6'] as const) {
      const f = family === 'ipv6' ? '-6' : '-4';
      const ours = ourMainSelectors(o, family);
      for (const r of host.routes.rules(family)) {
        if (r.more || (r.from && r.to)) continue;
        const selector = r.from ? `from ${r.from}` : r.to ? `to ${r.to}` : undefined;
        const mine =
          (r.priority === o.priority && r.table === String(o.table)) ||
          (r.priority === o.priority - 1 && r.table === 'main' && selector !== undefined && ours.has(normalSelector(family, selector)));
        if (!mine) continue;
        host.routes.deleteRule(family, r);
        removed.push(`ip ${f} rule ${ruleText(r)}`);
      }
      for (const route of host.routes.routes(family, o.table)) {
        if (route.dev !== o.tun) continue;
        host.routes.deleteRoute(family, route);
        removed.push(`ip ${f} route ${routeText(route)}`);
      }
    }
  }
  if (persistentTun) {
    host.tuns.remove(o.tun);
    removed.push(`TUN device ${o.tun} (persistent)`);
  }
  return removed;
}

/** Whether a persistent TUN device of the name was left; throws when the name is taken otherwise. */
function leftTun(name: string, tuns: TunControl): boolean {
  const until = Date.now() + TUN_GONE_MS;
  for (;;) {
    const link = tuns.link(name);
    if (!link) return false;
    if (link.kind !== 'tun' || link.tunType !== 'tun') {
      throw new LispError('ERR_LISP_SYSTEM', `a ${link.kind === 'tun' ? `${link.tunType ?? 'tun'} device` : `${link.kind ?? 'network'} link`} named ${name} exists and is not a TUN device this node made; name another in data-plane.tun`);
    }
    if (link.persist) return true;
    // Not persistent: a process holds it open, or held it until a moment ago.
    if (Date.now() >= until) throw new LispError('ERR_LISP_SYSTEM', `TUN device ${name} is held by a running process (another instance of this node?)`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}

/** The selectors of the P-1 rules (lookup main) this node installs, normalised. */
function ourMainSelectors(o: SteeringOptions, family: IpFamily): Set<string> {
  const out = new Set<string>();
  if (o.mode === 'router') {
    for (const e of o.database) if ((e.family === 'ipv6' ? 'ipv6' : 'ipv4') === family) out.add(normalSelector(family, `to ${formatPrefix({ ...e, iid: 0 })}`));
  } else {
    for (const rloc of o.rlocs) if (familyOf(rloc) === family) out.add(normalSelector(family, `from ${rloc}`));
  }
  return out;
}

/** "from 2001:DB8::1" -> "from 2001:db8::1/128": one spelling per selector. */
function normalSelector(family: IpFamily, selector: string): string {
  const [word, text = ''] = selector.split(' ');
  const [address = '', len] = text.split('/');
  try {
    const bytes = parseAddress(family, address);
    return `${word} ${formatAddress(family, bytes)}/${len ?? bytes.length * 8}`;
  } catch {
    return selector;
  }
}
