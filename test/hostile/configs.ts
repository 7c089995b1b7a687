// The Loci nodes of the hostile-input lab (topology.ts): a Map-Server/Map-Resolver with its
// workers (ms-workers left at its default, auto), a control-plane ETR registering site A with the
// correct key (the Map-Server forwards Map-Requests for it to the ETR), and an xTR with its TUN data
// plane in host mode registering site B with proxy reply (the Map-Server's workers answer for it).
import type { HostileTopology } from './topology.js';

export type HostileNode = 'ms' | 'etr' | 'xtr';

export const SITE_A = { name: 'site-a', key: 'site-a-secret', prefix: '198.18.1.0/24', eid: '198.18.1.10' } as const;
export const SITE_B = { name: 'site-b', key: 'site-b-secret', prefix: '198.18.2.0/24', eid: '198.18.2.100' } as const;

/** Seconds between the ETRs' Map-Registers: short, so that a starved refresh shows within a CI run. */
export const REGISTER_INTERVAL_S = 1;
/** The Map-Server's registration lifetime without refresh (RFC 9301: 3 minutes). */
export const REGISTRATION_TIMEOUT_S = 180;

export function hostileConfigs(t: HostileTopology, dir: string, logLevel = 'info'): Record<HostileNode, Record<string, unknown>> {
  const common = (name: HostileNode) => ({ name, 'log-level': logLevel, api: { socket: `${dir}/${name}.sock` } });
  const ms = t.ms.addresses[0]!;
  const etr = t.etr.addresses[0]!;
  const xtr = t.xtr.addresses[0]!;
  return {
    ms: {
      ...common('ms'),
      roles: ['ms', 'mr'],
      listen: [ms],
      sites: [SITE_A, SITE_B].map((s) => ({ name: s.name, key: s.key, 'eid-prefixes': [s.prefix] })),
    },
    etr: {
      ...common('etr'),
      roles: ['etr'],
      listen: [etr],
      'map-servers': [{ address: ms, key: SITE_A.key }],
      database: [{ 'eid-prefix': SITE_A.prefix, rlocs: [{ address: etr, priority: 1, weight: 100 }] }],
      'register-interval': REGISTER_INTERVAL_S,
    },
    xtr: {
      ...common('xtr'),
      roles: ['itr', 'etr'],
      listen: [xtr],
      'map-resolvers': [ms],
      'map-servers': [{ address: ms, key: SITE_B.key, 'proxy-reply': true }],
      database: [{ 'eid-prefix': SITE_B.prefix, rlocs: [{ address: xtr, priority: 1, weight: 100 }] }],
      'register-interval': REGISTER_INTERVAL_S,
      'data-plane': { mode: 'host', 'eid-addresses': [SITE_B.eid] },
    },
  };
}
