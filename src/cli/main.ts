// The `loci` command: one subcommand per module of src/cli.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { LispError } from '../packet/index.js';
import { registerDecode } from './decode.js';
import { registerDemo } from './demo.js';
import { registerLig } from './lig.js';
import { registerMap } from './map.js';
import { registerRig } from './rig.js';
import { registerRun } from './run.js';
import { registerStatus } from './status.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('loci')
  .description('Loci: a LISP (Locator/ID Separation Protocol) stack')
  .version(version)
  .showHelpAfterError();
registerDecode(program);
registerDemo(program);
registerLig(program);
registerRig(program);
registerRun(program);
registerMap(program);
registerStatus(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (!(e instanceof LispError)) throw e;
  process.stderr.write(`loci: ${e.code}: ${e.message}\n`);
  process.exitCode = 2;
}
