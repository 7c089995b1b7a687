// The `loci` command: the subcommands of commands.ts, and the one line a LispError prints.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { LispError } from '../packet/errors.js';
import { addCommands } from './commands.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('loci')
  .description('Loci: a LISP (Locator/ID Separation Protocol) stack')
  .version(version)
  .showHelpAfterError();
addCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (!(e instanceof LispError)) throw e;
  process.stderr.write(`loci: ${e.code}: ${e.message}\n`);
  process.exitCode = 2;
}
