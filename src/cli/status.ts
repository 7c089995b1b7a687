// `loci status`: a running node's name, roles, addresses, table sizes and counters.
import type { Command } from 'commander';
import { clientFor, withNodeOptions, type NodeOptions } from './node-client.js';

export function registerStatus(program: Command): void {
  withNodeOptions(program.command('status').description("a running node's roles, addresses, table sizes and counters"))
    .option('--json', 'print JSON', false)
    .action(async (o: NodeOptions & { json: boolean }) => {
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
    });
}
