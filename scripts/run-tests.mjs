#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner (through tsx), so the
// run ends with node's own summary lines (tests / pass / fail) that CI reads.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
const only = process.argv.slice(2);
const files = (only.length ? only : walk('test')).sort();
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
