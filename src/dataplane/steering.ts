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
import { RouteSet, setSysctl, type IpFamily } from '../io/linux/routes.js';
import { formatPrefix, type EidPrefix } from '../table/index.js';

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

export function installSteering(o: SteeringOptions): RouteSet {
  const routes = new RouteSet();
  const table = ['table', String(o.table)];
  const pref = (p: number) => ['pref', String(p)];
  try {
    // Decapsulated packets come in on the TUN from remote EIDs: no reverse-path check there.
    setSysctl(`net/ipv4/conf/${o.tun}/rp_filter`, '0');
    if (o.mode === 'router') {
      for (const e of o.database) {
        const family = e.family === 'ipv6' ? 'ipv6' : 'ipv4';
        const text = formatPrefix({ ...e, iid: 0 });
        routes.rule(family, ['to', text, 'lookup', 'main', ...pref(o.priority - 1)]);
        routes.rule(family, ['from', text, 'lookup', String(o.table), ...pref(o.priority)]);
      }
      for (const family of new Set(o.database.map((e) => (e.family === 'ipv6' ? 'ipv6' : 'ipv4') as IpFamily))) {
        routes.route(family, ['default', 'dev', o.tun, ...table]);
      }
    } else {
      for (const rloc of o.rlocs) routes.rule(familyOf(rloc), ['from', rloc, 'lookup', 'main', ...pref(o.priority - 1)]);
      const byFamily = new Map(o.eidAddresses.map((a) => [familyOf(a), a] as const));
      for (const [family, eid] of byFamily) {
        routes.route(family, ['default', 'dev', o.tun, 'src', eid, ...table]);
        routes.rule(family, ['lookup', String(o.table), ...pref(o.priority)]);
      }
    }
    return routes;
  } catch (e) {
    routes.remove();
    throw e;
  }
}
