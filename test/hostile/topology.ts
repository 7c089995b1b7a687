// The hostile-input lab: a core router and five namespaces hanging off it, from documentation
// ranges only, with no route beyond them (no default route anywhere, nothing linked to the root
// namespace). The Map-Server answers addresses named inside packets, so whatever it is tricked
// into sending ends at the core (no route) or in a namespace of the lab.
//
//   ms        192.0.2.1/26      --+
//   attacker  192.0.2.65-72/26  --+
//   probe     192.0.2.129/26    --+-- core (forwards; connected routes only)
//   etr       198.51.100.1/24   --+
//   xtr       203.0.113.1/24    --+
//
// Each leaf routes the three documentation /24s it is not on via the core, and nothing else.
import type { Lab } from '../../src/lab/lab.js';

export interface Leaf {
  /** System namespace name. */
  ns: string;
  /** The leaf's address(es) on its link to the core; the first is its RLOC. */
  addresses: string[];
  /** The core's interface toward this leaf (for captures). */
  coreIfname: string;
}

export interface HostileTopology {
  namespaces: string[];
  core: string;
  ms: Leaf;
  etr: Leaf;
  xtr: Leaf;
  attacker: Leaf;
  probe: Leaf;
}

const UNDERLAY = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'];

interface LeafSpec {
  name: 'ms' | 'etr' | 'xtr' | 'attacker' | 'probe';
  net: string;
  addresses: string[];
  gateway: string;
}

const LEAVES: LeafSpec[] = [
  { name: 'ms', net: '192.0.2.0/26', addresses: ['192.0.2.1'], gateway: '192.0.2.62' },
  { name: 'attacker', net: '192.0.2.64/26', addresses: Array.from({ length: 8 }, (_, i) => `192.0.2.${65 + i}`), gateway: '192.0.2.126' },
  { name: 'probe', net: '192.0.2.128/26', addresses: ['192.0.2.129'], gateway: '192.0.2.190' },
  { name: 'etr', net: '198.51.100.0/24', addresses: ['198.51.100.1'], gateway: '198.51.100.254' },
  { name: 'xtr', net: '203.0.113.0/24', addresses: ['203.0.113.1'], gateway: '203.0.113.254' },
];

const len = (cidr: string): string => cidr.slice(cidr.indexOf('/'));

/** Builds the lab's namespaces, links, addresses and routes. */
export async function buildHostileTopology(lab: Lab): Promise<HostileTopology> {
  const core = await lab.namespace('core', { router: true, rpFilter: false });
  const leaves = await Promise.all(
    LEAVES.map(async (spec): Promise<[LeafSpec['name'], Leaf]> => {
      const ns = await lab.namespace(spec.name);
      const coreIfname = `to-${spec.name}`;
      await lab.link(ns, 'up0', core, coreIfname);
      await lab.address(core, coreIfname, spec.gateway + len(spec.net));
      for (const a of spec.addresses) await lab.address(ns, 'up0', a + len(spec.net));
      // The underlay /24s via the core; the leaf's own /24 only when its link is narrower.
      for (const net of UNDERLAY) {
        if (net === spec.net) continue;
        await lab.route(ns, net, { via: spec.gateway, dev: 'up0' });
      }
      return [spec.name, { ns, addresses: spec.addresses, coreIfname }];
    }),
  );
  const by = Object.fromEntries(leaves) as Record<LeafSpec['name'], Leaf>;
  const namespaces = [core, ...leaves.map(([, l]) => l.ns)];
  // Nothing beyond the lab: no namespace has a default route (the xTR adds one to its own table, for its TUN, later).
  for (const ns of namespaces) {
    for (const family of ['-4', '-6']) {
      const r = await lab.exec(ns, ['ip', family, 'route', 'show', 'default']);
      if (r.code !== 0 || r.stdout.trim() !== '') throw new Error(`${ns} has a default route (${family}): ${r.stdout}${r.stderr}`);
    }
  }
  return { namespaces, core, ...by };
}
