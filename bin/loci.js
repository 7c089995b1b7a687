#!/usr/bin/env node
// The `loci` command. Runs the compiled CLI when built, else the TypeScript sources through tsx.
// LOCI_FROM_SOURCES=1 runs the sources even when dist/ exists: the tests set it (through
// scripts/run-tests.mjs and test/helpers/loci.ts), so they never run a stale build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (process.env.LOCI_FROM_SOURCES !== '1' && existsSync(built)) {
  await import(built);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
