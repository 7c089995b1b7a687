// `loci map get|add|delete` (its options in commands.ts): read and change a running node's mappings through
// its API (static map-cache entries by default, the local database with --database).
import type { MappingView } from '../client/client.js';
import { clientFor, type NodeOptions } from './node-client.js';

export interface MapOptions extends NodeOptions {
  instanceId: number;
  database: boolean;
  json: boolean;
  rloc: { address: string; priority: number; weight: number }[];
}

export function formatMapping(m: MappingView): string {
  const state = m.state ? `, ${m.state}${m.static ? ' (static)' : ''}` : '';
  const expires = m.expiresIn === undefined ? '' : m.expiresIn === null ? ', never expires' : `, expires in ${m.expiresIn} s`;
  const head = `${m.eidPrefix}  [${m.source}${state}${expires}]`;
  if (m.locators.length === 0) return `${head}\n  no locators${m.action && m.action !== 'no-action' ? `, action ${m.action}` : ''}`;
  return [head, ...m.locators.map((l) => `  ${l.address.padEnd(39)} ${l.state.padEnd(5)} ${l.priority}/${l.weight}`)].join('\n');
}

export async function getMapping(eid: string, o: MapOptions): Promise<void> {
  const views = await clientFor(o).lookup(eid, o.instanceId);
  if (o.json) return void process.stdout.write(`${JSON.stringify(views)}\n`);
  process.stdout.write(views.length ? `${views.map(formatMapping).join('\n')}\n` : `no mapping for ${eid}\n`);
  if (views.length === 0) process.exitCode = 1;
}

export async function addMapping(prefix: string, o: MapOptions): Promise<void> {
  const c = clientFor(o);
  const body = { 'eid-prefix': prefix, 'instance-id': o.instanceId, rlocs: o.rloc };
  await (o.database ? c.setDatabaseEntry(body) : c.setMapCacheEntry(body));
  process.stdout.write(o.json ? `${JSON.stringify({ added: prefix, instanceId: o.instanceId })}\n` : `added ${prefix}\n`);
}

export async function deleteMapping(prefix: string, o: MapOptions): Promise<void> {
  const c = clientFor(o);
  await (o.database ? c.deleteDatabaseEntry(prefix, o.instanceId) : c.deleteMapCacheEntry(prefix, o.instanceId));
  process.stdout.write(o.json ? `${JSON.stringify({ deleted: prefix, instanceId: o.instanceId })}\n` : `deleted ${prefix}\n`);
}
