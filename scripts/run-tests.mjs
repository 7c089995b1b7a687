#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner (through tsx), so the run ends with
// node's own summary lines (tests / pass / fail) that CI reads.
//
//   node scripts/run-tests.mjs [--test-concurrency=N | other node --test options] [FILES...]
//
// - Under CI (any truthy CI variable, see ci-env.mjs) a skipped or todo test fails the run: the
//   tests skip for a missing tool or root only outside CI, and CI must have every tool.
// - The tests run the TypeScript sources, never a build: LOCI_FROM_SOURCES=1 makes bin/loci.js
//   (the `loci` processes the tests spawn, and the daemons those start) load src/ through tsx
//   even when a dist/ from an earlier `npm run build` is present.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { inCi } from './ci-env.mjs';

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
const args = process.argv.slice(2);
const options = args.filter((a) => a.startsWith('--'));
const only = args.filter((a) => !a.startsWith('--'));
const files = (only.length ? only : walk('test')).sort();

const dir = mkdtempSync(join(tmpdir(), 'loci-test-run-'));
const skipsFile = join(dir, 'skipped.jsonl');
const reporter = new URL('./skip-reporter.mjs', import.meta.url).href;
const started = Date.now();
// Run from inside a test (test/unit/ci-env.test.ts), node's marker would make this run report to that one.
const { NODE_TEST_CONTEXT: _, ...childEnv } = process.env;
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${reporter}`, `--test-reporter-destination=${skipsFile}`, ...options, ...files],
  { stdio: 'inherit', env: { ...childEnv, LOCI_FROM_SOURCES: '1' } },
);
let skipped = [];
try {
  skipped = readFileSync(skipsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
} catch {
  // No file: the runner died before reporting.
}
rmSync(dir, { recursive: true, force: true });
console.log(`run-tests: ${files.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s${options.length ? ` (${options.join(' ')})` : ''}`);
let status = r.status ?? 1;
if (skipped.length > 0) {
  const list = skipped.map((s) => `  ${s.file ?? '?'}: ${s.name} (${s.skip !== null ? `skip: ${s.skip === true ? '' : s.skip}` : `todo: ${s.todo === true ? '' : s.todo}`})`).join('\n');
  if (inCi()) {
    console.log(`run-tests: ${skipped.length} tests skipped under CI=${process.env.CI}; CI must run every test:\n${list}`);
    status = status || 1;
  } else {
    console.log(`run-tests: ${skipped.length} tests skipped (this fails under CI):\n${list}`);
  }
}
process.exit(status);
