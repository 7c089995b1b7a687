// The routes and policy rules that steer EID traffic into the TUN device (RouteSet removes them
// on stop). T is the node's routing table, P its rule priority:
//
//   router mode, for each database EID-prefix E (the networks behind this xTR), added and removed
//   as the local database changes (Steering.add, Steering.delete):
//     P-1: to E lookup main        traffic between our own EIDs stays native
//     P:   from E lookup T         traffic from our EIDs goes to T
//   host mode, for this host's EID addresses (on the TUN device):
//     P-1: from RLOC lookup main   for each local RLOC: encapsulated and control traffic
//     P:   lookup T                everything else, sourced from the EID (T's route says src)
//   T: default dev TUN (host mode: src EID), for each family with EIDs (router mode: from the
//      family's first database prefix to its last)
//
// A run that ended without stop() (kill -9, a crash) leaves its rules behind (its routes and its
// TUN device go when its process does). clearLeftovers() finds, before start, what such a run of
// the same node made, and removes only that:
//   rules at priority P that look up T (whatever their selector: T is this node's table)
//   rules at priority P-1 that look up main with a selector this node installs (to E, from RLOC;
//   E: a prefix of the database at start, so a rule for a prefix that run added and this one's
//   database lacks stays, harmless: it keeps traffic to E native, as without this node)
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

/** The family of a database prefix whose rules steer IP traffic; undefined for any other (MAC). */
const ipFamilyOf = (e: EidPrefix): IpFamily | undefined => (e.family === 'ipv4' || e.family === 'ipv6' ? e.family : undefined);

/** The text of a database prefix in a rule: without its instance-id, which the kernel knows nothing of. */
const prefixText = (e: EidPrefix): string => formatPrefix({ ...e, iid: 0 });

/**
 * The steering of a running data plane: what installSteering() added, changed as the local
 * database changes (router mode: add() and delete() of a database prefix), and removed, exactly
 * that, by remove(). Database prefixes of the same text in other instances share their rules.
 */
export class Steering {
  /** Host mode's rules and route. */
  private readonly base: RouteSet;
  /** Router mode: each prefix's two rules, by its text, and the database prefixes that need them. */
  private readonly prefixes = new Map<string, { readonly family: IpFamily; readonly rules: RouteSet; readonly users: Set<string> }>();
  /** Router mode: T's default route of each family with database prefixes. */
  private readonly defaults = new Map<IpFamily, RouteSet>();

  constructor(
    private readonly o: SteeringOptions,
    private readonly routes: RouteControl,
  ) {
    this.base = new RouteSet(routes);
  }

  /** Router mode: steers traffic from and to a database prefix (a no-op in host mode or for a prefix already steered); throws, having added nothing, when the host refuses. */
  add(e: EidPrefix): void {
    const family = ipFamilyOf(e);
    if (this.o.mode !== 'router' || !family) return;
    const text = prefixText(e);
    const key = formatPrefix(e);
    const held = this.prefixes.get(text);
    if (held) {
      held.users.add(key);
      return;
    }
    const rules = new RouteSet(this.routes);
    let route: RouteSet | undefined;
    try {
      rules.rule(family, { priority: this.o.priority - 1, table: 'main', to: text });
      rules.rule(family, { priority: this.o.priority, table: String(this.o.table), from: text });
      if (!this.defaults.has(family)) {
        route = new RouteSet(this.routes);
        route.route(family, { dst: 'default', dev: this.o.tun, table: this.o.table });
      }
    } catch (err) {
      rules.remove();
      throw err;
    }
    this.prefixes.set(text, { family, rules, users: new Set([key]) });
    if (route) this.defaults.set(family, route);
  }

  /** Router mode: no longer steers a database prefix; T's default route of its family goes with the family's last prefix. */
  delete(e: EidPrefix): void {
    const text = prefixText(e);
    const held = this.prefixes.get(text);
    if (!held || !held.users.delete(formatPrefix(e)) || held.users.size > 0) return;
    this.prefixes.delete(text);
    held.rules.remove();
    if ([...this.prefixes.values()].some((p) => p.family === held.family)) return;
    this.defaults.get(held.family)?.remove();
    this.defaults.delete(held.family);
  }

  /** Removes what this steering added, newest first; failures (already gone) are ignored. */
  remove(): void {
    for (const set of [...this.defaults.values()].reverse()) set.remove();
    for (const { rules } of [...this.prefixes.values()].reverse()) rules.remove();
    this.defaults.clear();
    this.prefixes.clear();
    this.base.remove();
  }

  /** Host mode: its rules and routes, once. */
  installHost(): void {
    const o = this.o;
    for (const rloc of o.rlocs) this.base.rule(familyOf(rloc), { priority: o.priority - 1, table: 'main', from: rloc });
    const byFamily = new Map(o.eidAddresses.map((a) => [familyOf(a), a] as const));
    for (const [family, eid] of byFamily) {
      this.base.route(family, { dst: 'default', dev: o.tun, src: eid, table: o.table });
      this.base.rule(family, { priority: o.priority, table: String(o.table) });
    }
  }
}

/** The steering of the options' mode (router: for each prefix of o.database); throws, having left nothing, when the host refuses. */
export function installSteering(o: SteeringOptions, routes: RouteControl): Steering {
  const steering = new Steering(o, routes);
  try {
    // Decapsulated packets come in on the TUN from remote EIDs: no reverse-path check there.
    routes.setSysctl(`net/ipv4/conf/${o.tun}/rp_filter`, '0');
    if (o.mode === 'router') for (const e of o.database) steering.add(e);
    else steering.installHost();
    return steering;
  } catch (e) {
    steering.remove();
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
    for (const e of o.database) if ((e.family === 'ipv6' ? 'ipv6' : 'ipv4') === family) out.add(normalSelector(family, `to ${prefixText(e)}`));
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
