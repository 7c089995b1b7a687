// `loci run -c FILE`: a node in the foreground (see src/daemon/process.ts).
import type { Command } from 'commander';
import { runDaemonProcess } from '../daemon/process.js';
import { parsePort } from './options.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a LISP node in the foreground from its config file (SIGHUP reloads it, SIGTERM stops it)')
    .requiredOption('-c, --config <file>', 'YAML config file (see docs/config.md)')
    .option('--port <n>', 'control port instead of 4342 (labs and tests)', parsePort)
    .action(async (opts: { config: string; port?: number }) => {
      await runDaemonProcess(opts.config, opts.port ? { port: opts.port } : {});
    });
}
