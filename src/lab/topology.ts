// The demo topology: an underlay ready for LISP, from documentation ranges only.
//
//   host-a -- xtr-a --- 198.51.100.0/24 ---+
//   198.18.1.0/24                          |
//                                        core --- 192.0.2.0/24 --- ms
//   198.18.2.0/24                          | |
//   host-b -- xtr-b --- 203.0.113.0/25 ----+ |
//                  `--- 203.0.113.128/25 ----+
//
// With ipv6, each link also has a /64 from 2001:db8::/32 (EIDs 2001:db8:1::/64, 2001:db8:2::/64).
//
// Routing: the core has only its connected routes, so it knows every underlay subnet
// and no EID prefix (EIDs are reached only through the xTRs' encapsulation). ms and
// xtr-a have a default route to the core; each host's default goes to its xTR.
// xtr-b has its main-table default via its first uplink, plus table 2 (a default via
// the second uplink) used by a rule for packets sourced from its second uplink
// address, so each RLOC sends out of its own link, and a second main-table default via the
// second uplink (metric 200) for when the first loses its carrier. The core and the xTRs forward and
// have rp_filter off. The core has only connected routes, so setting a core-side end
// down and up again (lab.setLink) cuts and restores a link without losing routes.
import type { Lab } from './lab.js';

/** One end of a point-to-point link; addresses without prefix length. */
export interface LinkEnd {
  /** Interface name inside the node's namespace. */
  ifname: string;
  v4: string;
  /** The link's subnet, CIDR. */
  net4: string;
  /** The other end's address (the next hop). */
  peer4: string;
  v6?: string;
  net6?: string;
  peer6?: string;
}

export interface Xtr<Uplinks extends LinkEnd[] = LinkEnd[]> {
  /** System namespace name (usable with the lab's methods and with `ip netns exec`). */
  ns: string;
  /** Underlay links to the core: their v4/v6 are the xTR's RLOCs. */
  uplinks: Uplinks;
  /** The link to the site's host, on the EID prefix. */
  lan: LinkEnd;
  eid4: string;
  eid6?: string;
}

export interface Host {
  ns: string;
  lan: LinkEnd;
}

export interface DemoTopology {
  ipv6: boolean;
  /** Every namespace, system names. */
  namespaces: string[];
  core: { ns: string; links: { ms: LinkEnd; xtrA: LinkEnd; xtrB1: LinkEnd; xtrB2: LinkEnd } };
  ms: { ns: string; uplink: LinkEnd };
  xtrA: Xtr<[LinkEnd]>;
  xtrB: Xtr<[LinkEnd, LinkEnd]>;
  hostA: Host;
  hostB: Host;
}

/** The policy table xtr-b uses for its second uplink. */
export const XTR_B_UPLINK2_TABLE = 2;

interface Net {
  net4: string;
  a4: string;
  b4: string;
  net6: string;
  a6: string;
  b6: string;
}

/** Both ends of a link; end a gets a4/a6, end b gets b4/b6. */
function ends(ifA: string, ifB: string, n: Net, ipv6: boolean): [LinkEnd, LinkEnd] {
  const v6 = (v: string, net: string, peer: string) => (ipv6 ? { v6: v, net6: net, peer6: peer } : {});
  return [
    { ifname: ifA, v4: n.a4, net4: n.net4, peer4: n.b4, ...v6(n.a6, n.net6, n.b6) },
    { ifname: ifB, v4: n.b4, net4: n.net4, peer4: n.a4, ...v6(n.b6, n.net6, n.a6) },
  ];
}

const len = (cidr: string): string => cidr.slice(cidr.indexOf('/'));

/** Builds the demo topology in lab and describes it. */
export async function buildDemoTopology(lab: Lab, opts: { ipv6: boolean }): Promise<DemoTopology> {
  const { ipv6 } = opts;
  const router = { router: true, rpFilter: false };
  const [core, ms, xtrA, xtrB, hostA, hostB] = await Promise.all([
    lab.namespace('core', router),
    lab.namespace('ms'),
    lab.namespace('xtr-a', router),
    // Its second uplink's fallback default (below) takes over when the first loses its carrier.
    lab.namespace('xtr-b', { ...router, ignoreLinkdownRoutes: true }),
    lab.namespace('host-a'),
    lab.namespace('host-b'),
  ]);

  const [coreMs, msUp] = ends('ms', 'core', { net4: '192.0.2.0/24', a4: '192.0.2.1', b4: '192.0.2.10', net6: '2001:db8:0:1::/64', a6: '2001:db8:0:1::1', b6: '2001:db8:0:1::10' }, ipv6);
  const [coreA, aUp] = ends('xtr-a', 'core', { net4: '198.51.100.0/24', a4: '198.51.100.1', b4: '198.51.100.10', net6: '2001:db8:0:a::/64', a6: '2001:db8:0:a::1', b6: '2001:db8:0:a::10' }, ipv6);
  const [coreB1, bUp1] = ends('xtr-b1', 'core1', { net4: '203.0.113.0/25', a4: '203.0.113.1', b4: '203.0.113.10', net6: '2001:db8:0:b1::/64', a6: '2001:db8:0:b1::1', b6: '2001:db8:0:b1::10' }, ipv6);
  const [coreB2, bUp2] = ends('xtr-b2', 'core2', { net4: '203.0.113.128/25', a4: '203.0.113.129', b4: '203.0.113.138', net6: '2001:db8:0:b2::/64', a6: '2001:db8:0:b2::1', b6: '2001:db8:0:b2::10' }, ipv6);
  const [aLan, hostALan] = ends('host-a', 'xtr-a', { net4: '198.18.1.0/24', a4: '198.18.1.1', b4: '198.18.1.10', net6: '2001:db8:1::/64', a6: '2001:db8:1::1', b6: '2001:db8:1::10' }, ipv6);
  const [bLan, hostBLan] = ends('host-b', 'xtr-b', { net4: '198.18.2.0/24', a4: '198.18.2.1', b4: '198.18.2.10', net6: '2001:db8:2::/64', a6: '2001:db8:2::1', b6: '2001:db8:2::10' }, ipv6);

  const links: [string, LinkEnd, string, LinkEnd][] = [
    [core, coreMs, ms, msUp],
    [core, coreA, xtrA, aUp],
    [core, coreB1, xtrB, bUp1],
    [core, coreB2, xtrB, bUp2],
    [xtrA, aLan, hostA, hostALan],
    [xtrB, bLan, hostB, hostBLan],
  ];
  await Promise.all(links.map(([nsA, a, nsB, b]) => lab.link(nsA, a.ifname, nsB, b.ifname)));
  await Promise.all(
    links.flatMap(([nsA, a, nsB, b]) =>
      [[nsA, a] as const, [nsB, b] as const].flatMap(([ns, end]) => [
        lab.address(ns, end.ifname, end.v4 + len(end.net4)),
        ...(end.v6 !== undefined && end.net6 !== undefined ? [lab.address(ns, end.ifname, end.v6 + len(end.net6))] : []),
      ]),
    ),
  );

  const defaults: [string, LinkEnd, { table?: number; metric?: number }?][] = [
    [ms, msUp],
    [xtrA, aUp],
    [xtrB, bUp1],
    [xtrB, bUp2, { table: XTR_B_UPLINK2_TABLE }],
    [xtrB, bUp2, { metric: 200 }],
    [hostA, hostALan],
    [hostB, hostBLan],
  ];
  await Promise.all(
    defaults.flatMap(([ns, end, more]) => [
      lab.route(ns, '0.0.0.0/0', { via: end.peer4, dev: end.ifname, ...more }),
      ...(end.peer6 !== undefined ? [lab.route(ns, '::/0', { via: end.peer6, dev: end.ifname, ...more })] : []),
    ]),
  );
  await Promise.all([
    lab.rule(xtrB, { from: bUp2.v4, table: XTR_B_UPLINK2_TABLE, priority: 100 }),
    ...(bUp2.v6 !== undefined ? [lab.rule(xtrB, { from: bUp2.v6, table: XTR_B_UPLINK2_TABLE, priority: 100 })] : []),
  ]);
  return {
    ipv6,
    namespaces: [core, ms, xtrA, xtrB, hostA, hostB],
    core: { ns: core, links: { ms: coreMs, xtrA: coreA, xtrB1: coreB1, xtrB2: coreB2 } },
    ms: { ns: ms, uplink: msUp },
    xtrA: { ns: xtrA, uplinks: [aUp], lan: aLan, eid4: '198.18.1.0/24', ...(ipv6 ? { eid6: '2001:db8:1::/64' } : {}) },
    xtrB: { ns: xtrB, uplinks: [bUp1, bUp2], lan: bLan, eid4: '198.18.2.0/24', ...(ipv6 ? { eid6: '2001:db8:2::/64' } : {}) },
    hostA: { ns: hostA, lan: hostALan },
    hostB: { ns: hostB, lan: hostBLan },
  };
}
