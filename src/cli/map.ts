// `loci map get|add|delete`: read and change a running node's mappings through its API
// (static map-cache entries by default, the local database with --database).
import { isIP } from 'node:net';
import { InvalidArgumentError, type Command } from 'commander';
import type { MappingView } from '../client/client.js';
import { clientFor, withNodeOptions, type NodeOptions } from './node-client.js';

interface MapOptions extends NodeOptions {
  instanceId: number;
  database: boolean;
  json: boolean;
  rloc: { address: string; priority: number; weight: number }[];
}

/** ADDR[,PRIORITY,WEIGHT] */
function parseRloc(v: string, acc: MapOptions['rloc']): MapOptions['rloc'] {
  const [address = '', priority = '1', weight = '100', ...rest] = v.split(',');
  const byte = (x: string) => /^\d{1,3}$/.test(x) && Number(x) <= 255;
  if (!isIP(address) || !byte(priority) || !byte(weight) || rest.length > 0) {
    throw new InvalidArgumentError(`"${v}" is not ADDRESS[,PRIORITY,WEIGHT] with priority and weight in 0..255`);
  }
  return [...acc, { address, priority: Number(priority), weight: Number(weight) }];
}

const iid = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffff) throw new InvalidArgumentError(`"${v}" is not an instance-id (0..16777215)`);
  return n;
};

export function formatMapping(m: MappingView): string {
  const state = m.state ? `, ${m.state}${m.static ? ' (static)' : ''}` : '';
  const expires = m.expiresIn === undefined ? '' : m.expiresIn === null ? ', never expires' : `, expires in ${m.expiresIn} s`;
  const head = `${m.eidPrefix}  [${m.source}${state}${expires}]`;
  if (m.locators.length === 0) return `${head}\n  no locators${m.action && m.action !== 'no-action' ? `, action ${m.action}` : ''}`;
  return [head, ...m.locators.map((l) => `  ${l.address.padEnd(39)} ${l.state.padEnd(5)} ${l.priority}/${l.weight}`)].join('\n');
}

export function registerMap(program: Command): void {
  const map = program.command('map').description("read and change a running node's mappings (through its management API)");
  const common = (c: Command) => withNodeOptions(c).option('-i, --instance-id <n>', 'instance-id', iid, 0).option('--json', 'print JSON', false);

  common(map.command('get').argument('<eid>', 'EID or EID-prefix').description('what the node knows of an EID: database, map-cache and registrations')).action(
    async (eid: string, o: MapOptions) => {
      const views = await clientFor(o).lookup(eid, o.instanceId);
      if (o.json) return void process.stdout.write(`${JSON.stringify(views)}\n`);
      process.stdout.write(views.length ? `${views.map(formatMapping).join('\n')}\n` : `no mapping for ${eid}\n`);
      if (views.length === 0) process.exitCode = 1;
    },
  );

  common(map.command('add').argument('<eid-prefix>', 'EID-prefix, e.g. 198.18.1.0/24').description('add or replace a static map-cache entry (or, with --database, one of our EID-prefixes)'))
    .requiredOption('-r, --rloc <address[,priority,weight]>', 'an RLOC (repeatable); priority 1 and weight 100 by default', parseRloc, [])
    .option('--database', 'add to the local database (registered with the Map-Servers) instead of the map-cache', false)
    .action(async (prefix: string, o: MapOptions) => {
      const c = clientFor(o);
      const body = { 'eid-prefix': prefix, 'instance-id': o.instanceId, rlocs: o.rloc };
      await (o.database ? c.setDatabaseEntry(body) : c.setMapCacheEntry(body));
      process.stdout.write(o.json ? `${JSON.stringify({ added: prefix, instanceId: o.instanceId })}\n` : `added ${prefix}\n`);
    });

  common(map.command('delete').argument('<eid-prefix>', 'EID-prefix').description('delete a map-cache entry (or, with --database, one of our EID-prefixes)'))
    .option('--database', 'delete from the local database instead of the map-cache', false)
    .action(async (prefix: string, o: MapOptions) => {
      const c = clientFor(o);
      await (o.database ? c.deleteDatabaseEntry(prefix, o.instanceId) : c.deleteMapCacheEntry(prefix, o.instanceId));
      process.stdout.write(o.json ? `${JSON.stringify({ deleted: prefix, instanceId: o.instanceId })}\n` : `deleted ${prefix}\n`);
    });
}
