// The cross-field pass over a schema-valid config with defaults: what each role needs, clauses no
// role uses, duplicate keys, Map-Server prefixes outside the database, unreachable address families.
import { prefixContains } from '../table/prefix.js';
import { addressFamily, prefixKey, toEidPrefix } from './addresses.js';
import { formatPath, type KeyPath } from './errors.js';
import type { LociConfig, Role } from './types.js';

export interface CheckIssue {
  readonly path: KeyPath;
  readonly message: string;
}

type ListClause = 'database' | 'mapServers' | 'mapResolvers' | 'sites' | 'resolveVia';

/** Each list clause: its key in the file, what one entry is, the roles that need one, the roles that use it. */
const CLAUSES: Readonly<Record<ListClause, { key: string; entry: string; neededBy: Role[]; usedBy: Role[] }>> = {
  database: { key: 'database', entry: 'database entry', neededBy: ['etr'], usedBy: ['itr', 'etr'] },
  mapServers: { key: 'map-servers', entry: 'map-server', neededBy: ['etr'], usedBy: ['etr'] },
  mapResolvers: { key: 'map-resolvers', entry: 'map-resolver', neededBy: ['itr'], usedBy: ['itr'] },
  sites: { key: 'sites', entry: 'site', neededBy: ['ms'], usedBy: ['ms'] },
  resolveVia: { key: 'resolve-via', entry: 'map-server', neededBy: [], usedBy: ['mr'] },
};

export function checkConfig(c: LociConfig): CheckIssue[] {
  return [...checkRoles(c), ...checkDuplicates(c), ...checkMapServerPrefixes(c), ...checkFamilies(c), ...checkDataPlane(c), ...checkDdt(c)];
}

function checkRoles(c: LociConfig): CheckIssue[] {
  const issues: CheckIssue[] = [];
  c.roles.forEach((role, i) => {
    if (c.roles.indexOf(role) !== i) issues.push({ path: ['roles', i], message: `"${role}" is listed twice` });
  });
  for (const clause of Object.keys(CLAUSES) as ListClause[]) {
    const { key, entry, neededBy, usedBy } = CLAUSES[clause];
    const present = c[clause].length > 0;
    for (const role of neededBy) {
      const i = c.roles.indexOf(role);
      if (i >= 0 && !present) issues.push({ path: ['roles', i], message: `role ${role} needs at least one ${entry} in ${key}` });
    }
    if (present && !usedBy.some((r) => c.roles.includes(r))) {
      issues.push({ path: [key], message: `only used by role ${usedBy.join(' or ')}; add the role to roles or remove ${key}` });
    }
  }
  if (c.roles.includes('mr') && !c.roles.includes('ms') && c.resolveVia.length === 0) {
    const message = 'role mr needs role ms on the same node or Map-Servers to forward to in resolve-via';
    issues.push({ path: ['roles', c.roles.indexOf('mr')], message });
  }
  return issues;
}

function checkDuplicates(c: LociConfig): CheckIssue[] {
  return [
    ...duplicates(c.listen, (a) => a, (i) => ['listen', i]),
    ...duplicates(c.mapResolvers, (a) => a, (i) => ['map-resolvers', i]),
    ...duplicates(c.mapServers, (m) => m.address, (i) => ['map-servers', i, 'address']),
    ...c.mapServers.flatMap((m, i) => duplicates(m.eidPrefixes, prefixKey, (j) => ['map-servers', i, 'eid-prefixes', j])),
    ...duplicates(c.database, prefixKey, (i) => ['database', i, 'eid-prefix']),
    ...c.database.flatMap((d, i) => duplicates(d.rlocs, (r) => r.address, (j) => ['database', i, 'rlocs', j, 'address'])),
    ...duplicates(c.sites, (s) => s.name, (i) => ['sites', i, 'name']),
    ...c.sites.flatMap((s, i) => [
      ...duplicates(s.keys, (k) => String(k.keyId), (j) => ['sites', i, 'keys', j, 'key-id']),
      ...duplicates(s.eidPrefixes, prefixKey, (j) => ['sites', i, 'eid-prefixes', j]),
    ]),
    // One site per prefix: the same prefix in two sites would make it unclear whose key registers it.
    ...sitePrefixClashes(c),
  ];
}

/** Prefixes configured by two sites. */
function sitePrefixClashes(c: LociConfig): CheckIssue[] {
  const owner = new Map<string, number>();
  return c.sites.flatMap((s, i) =>
    s.eidPrefixes.flatMap((p, j) => {
      const key = prefixKey(p);
      const first = owner.get(key);
      if (first === undefined) {
        owner.set(key, i);
        return [];
      }
      if (first === i) return [];
      return [{ path: ['sites', i, 'eid-prefixes', j], message: `${key} is already a prefix of site ${c.sites[first]!.name} (a prefix belongs to one site; nested prefixes are fine)` }];
    }),
  );
}

function duplicates<T>(items: readonly T[], keyOf: (item: T) => string, pathOf: (i: number) => KeyPath): CheckIssue[] {
  const first = new Map<string, number>();
  return items.flatMap((item, i) => {
    const key = keyOf(item);
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, i);
      return [];
    }
    return [{ path: pathOf(i), message: `${key} is listed twice (first at ${formatPath(pathOf(earlier))})` }];
  });
}

function checkMapServerPrefixes(c: LociConfig): CheckIssue[] {
  const database = c.database.map((d) => toEidPrefix(d.eidPrefix, d.instanceId));
  return c.mapServers.flatMap((m, i) =>
    m.eidPrefixes.flatMap((p, j) => {
      const prefix = toEidPrefix(p.eidPrefix, p.instanceId);
      if (database.some((d) => prefixContains(d, prefix))) return [];
      const message = `${prefixKey(p)} is not within any database eid-prefix`;
      return [{ path: ['map-servers', i, 'eid-prefixes', j], message }];
    }),
  );
}

/** A Map-Server or Map-Resolver can be reached only from a listen address of its family. */
function checkFamilies(c: LociConfig): CheckIssue[] {
  const families = new Set(c.listen.map(addressFamily));
  const check = (address: string, path: KeyPath): CheckIssue[] => {
    const family = addressFamily(address);
    if (families.has(family)) return [];
    return [{ path, message: `${address} is ${family === 'ipv4' ? 'IPv4' : 'IPv6'} but listen has no address of that family` }];
  };
  return [
    ...c.mapServers.flatMap((m, i) => check(m.address, ['map-servers', i, 'address'])),
    ...c.mapResolvers.flatMap((a, i) => check(a, ['map-resolvers', i])),
    ...c.ddt.roots.flatMap((a, i) => check(a, ['ddt', 'roots', i])),
  ];
}

/** The data plane serves an xTR's own EIDs: one instance-id, host-mode EIDs inside the database. */
function checkDataPlane(c: LociConfig): CheckIssue[] {
  const d = c.dataPlane;
  if (!d.enabled) return [];
  const issues: CheckIssue[] = [];
  if (!c.roles.includes('itr') && !c.roles.includes('etr')) {
    issues.push({ path: ['data-plane'], message: 'only used by role itr or etr; add the role to roles or remove data-plane' });
  }
  c.database.forEach((e, i) => {
    if (e.instanceId !== d.instanceId) {
      issues.push({ path: ['database', i, 'instance-id'], message: `${e.instanceId} differs from data-plane instance-id ${d.instanceId}` });
    }
  });
  if (d.mode === 'host' && d.eidAddresses.length === 0) {
    issues.push({ path: ['data-plane', 'eid-addresses'], message: 'missing; host mode needs the EID addresses of this host' });
  }
  const database = c.database.map((e) => toEidPrefix(e.eidPrefix, e.instanceId));
  d.eidAddresses.forEach((a, i) => {
    const host = toEidPrefix(`${a}/${a.includes(':') ? 128 : 32}`, d.instanceId);
    if (!database.some((p) => prefixContains(p, host))) {
      issues.push({ path: ['data-plane', 'eid-addresses', i], message: `${a} is not within any database eid-prefix` });
    }
  });
  return issues;
}

/** The ddt clause: each list for its role, delegations inside the node's authority, a DDT Map-Server beside a Map-Server. */
function checkDdt(c: LociConfig): CheckIssue[] {
  const d = c.ddt;
  const issues: CheckIssue[] = [];
  const lists: [key: string, present: boolean, role: Role, needed: boolean][] = [
    ['authoritative-prefixes', d.authoritativePrefixes.length > 0, 'ddt-node', true],
    ['delegations', d.delegations.length > 0, 'ddt-node', false],
    ['map-server-peers', d.mapServerPeers.length > 0, 'ddt-ms', false],
    ['roots', d.roots.length > 0, 'ddt-mr', true],
  ];
  for (const [key, present, role, needed] of lists) {
    const i = c.roles.indexOf(role);
    if (needed && i >= 0 && !present) issues.push({ path: ['roles', i], message: `role ${role} needs at least one entry in ddt.${key}` });
    if (present && i < 0) issues.push({ path: ['ddt', key], message: `only used by role ${role}; add the role to roles or remove ddt.${key}` });
  }
  if (c.roles.includes('ddt-ms') && !c.roles.includes('ms')) {
    issues.push({ path: ['roles', c.roles.indexOf('ddt-ms')], message: 'role ddt-ms answers for the sites of role ms: add ms to roles' });
  }
  if (c.roles.includes('ddt-ms') && c.roles.includes('ddt-node')) {
    issues.push({ path: ['roles', c.roles.indexOf('ddt-ms')], message: 'a node is a DDT node or a DDT Map-Server, not both' });
  }
  const authority = d.authoritativePrefixes.map((p) => toEidPrefix(p.eidPrefix, p.instanceId));
  d.delegations.forEach((e, i) => {
    if (!authority.some((a) => prefixContains(a, toEidPrefix(e.eidPrefix, e.instanceId)))) {
      issues.push({ path: ['ddt', 'delegations', i, 'eid-prefix'], message: `${prefixKey(e)} is not within any ddt.authoritative-prefixes entry` });
    }
  });
  return [...issues, ...duplicates(d.delegations, prefixKey, (i) => ['ddt', 'delegations', i, 'eid-prefix'])];
}
