// `loci status` (its options in commands.ts): a running node's name, roles, addresses, table sizes and counters.
import { clientFor, type NodeOptions } from './node-client.js';

export async function showStatus(o: NodeOptions & { json: boolean }): Promise<void> {
  const c = clientFor(o);
  const [status, counters] = await Promise.all([c.status(), c.counters()]);
  if (o.json) return void process.stdout.write(`${JSON.stringify({ ...status, counters })}\n`);
  const lines = [
    `node ${status.name}: roles ${status.roles.join(', ')}; listening on ${status.listen.join(', ')}`,
    `database ${status.database}, map-cache ${status.mapCache}, sites ${status.sites}, registrations ${status.registrations}`,
    'counters:',
    ...Object.entries(counters).map(([k, v]) => `  ${k.padEnd(48)} ${v}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
