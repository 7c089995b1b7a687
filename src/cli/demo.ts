// `loci demo`: two LISP sites, a Map-Server/Map-Resolver and a core in network namespaces, with
// real Loci daemons; see demo/run-demo.ts.
import type { Command } from 'commander';
import { runDemo } from './demo/run-demo.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('build two LISP sites in network namespaces, run Loci daemons, show registration, lig, ping and throughput, then clean up (needs root)')
    .option('-t, --seconds <n>', 'length of the throughput run', (v) => Number(v), 3)
    .option('--json', 'print a JSON summary instead of the story', false)
    .action(async (o: { seconds: number; json: boolean }) => {
      process.exitCode = await runDemo(o, (line) => process.stdout.write(`${line}\n`));
    });
}
