// The Loci configs of the demo topology (src/lab/topology.ts): a Map-Server/Map-Resolver and
// two xTRs, site B dual-homed with its two RLOCs at equal priority and weight. Used by `loci demo`
// and by the namespace tests.
import type { DemoTopology, LinkEnd } from '../../lab/topology.js';

export const SITE_KEYS = { 'site-a': 'site-a-secret', 'site-b': 'site-b-secret' } as const;

export interface DemoConfigOptions {
  /** Directory for the API sockets. */
  readonly dir: string;
  /** Family of the RLOCs in the xTRs' databases (the outer header). */
  readonly outer: 'ipv4' | 'ipv6';
  /** RLOC-probing interval, seconds (0: off). */
  readonly rlocProbing?: number;
  readonly logLevel?: string;
  /** Site A's xTR as a host-mode node: its EIDs on its own TUN device (no host behind it). */
  readonly hostModeA?: boolean;
  /** PETR for negative natively-forward mappings. */
  readonly petr?: string;
  /** Instance-id of both sites' EIDs (default 0). */
  readonly instanceId?: number;
  /** The xTRs' TUN offloads (data-plane.offload; default on). */
  readonly offload?: boolean;
}

export type DemoNode = 'ms' | 'xtr-a' | 'xtr-b';

const rlocOf = (end: LinkEnd, outer: 'ipv4' | 'ipv6'): string => {
  const a = outer === 'ipv4' ? end.v4 : end.v6;
  if (!a) throw new Error(`the topology has no ${outer} address on ${end.ifname}`);
  return a;
};
const listenOf = (ends: LinkEnd[]) => ends.flatMap((e) => [e.v4, ...(e.v6 ? [e.v6] : [])]);

/** The EID-prefixes of a site: its IPv4 LAN, and its IPv6 LAN when the topology has IPv6. */
const eidPrefixes = (lan: LinkEnd) => [lan.net4, ...(lan.net6 ? [lan.net6] : [])];

export function demoConfigs(t: DemoTopology, o: DemoConfigOptions): Record<DemoNode, Record<string, unknown>> {
  const iid = o.instanceId ? { 'instance-id': o.instanceId } : {};
  const common = (name: string) => ({ name, 'log-level': o.logLevel ?? 'info', api: { socket: `${o.dir}/${name}.sock` } });
  const ms = t.ms.uplink.v4;
  const xtr = (name: 'xtr-a' | 'xtr-b', uplinks: LinkEnd[], lan: LinkEnd, host: boolean) => ({
    ...common(name),
    roles: ['itr', 'etr'],
    listen: listenOf(uplinks),
    'map-resolvers': [ms],
    'map-servers': [{ address: ms, key: SITE_KEYS[name === 'xtr-a' ? 'site-a' : 'site-b'] }],
    database: eidPrefixes(lan).map((p) => ({
      'eid-prefix': p,
      ...iid,
      rlocs: uplinks.map((u) => ({ address: rlocOf(u, o.outer), priority: 1, weight: 50 })),
    })),
    'rloc-probing': o.rlocProbing ?? 0,
    'register-interval': 5,
    'data-plane': {
      ...iid,
      ...(host ? { mode: 'host', 'eid-addresses': [lan.v4.replace(/\.1$/, '.100'), ...(lan.v6 ? [lan.v6.replace(/::1$/, '::100')] : [])] } : {}),
      // xtr-a sends to the PETR (site B's xTR), which delivers for any destination.
      ...(o.petr ? (name === 'xtr-a' ? { petrs: [o.petr] } : { 'decapsulate-for': 'any' }) : {}),
      ...(o.offload === false ? { offload: false } : {}),
    },
  });
  return {
    ms: {
      ...common('ms'),
      roles: ['ms', 'mr'],
      listen: listenOf([t.ms.uplink]),
      sites: (['site-a', 'site-b'] as const).map((site) => ({
        name: site,
        key: SITE_KEYS[site],
        'eid-prefixes': eidPrefixes(site === 'site-a' ? t.xtrA.lan : t.xtrB.lan).map((p) => ({ 'eid-prefix': p, ...iid, 'accept-more-specifics': true })),
      })),
    },
    'xtr-a': xtr('xtr-a', t.xtrA.uplinks, t.xtrA.lan, o.hostModeA ?? false),
    'xtr-b': xtr('xtr-b', t.xtrB.uplinks, t.xtrB.lan, false),
  };
}
