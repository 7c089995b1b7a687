#!/usr/bin/env node
// The `loci` command. Runs the compiled CLI (dist/, made by `npm run build`, which
// scripts/setup.sh runs), else the TypeScript sources through tsx (a development dependency).
// LOCI_FROM_SOURCES=1 runs the sources even when dist/ exists: the tests set it (through
// scripts/run-tests.mjs and test/helpers/loci.ts), so they never run a stale build. The worker
// threads follow: started from dist/ they run dist/, from the sources the sources.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (process.env.LOCI_FROM_SOURCES !== '1' && existsSync(built)) {
  await import(built);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('loci: not built and tsx is not installed: run `npm run build` (or `npm install` for the development dependencies)\n');
    process.exit(2);
  }
  register();
  await import('../src/cli/main.ts');
}
