// The CI fuzzing pass: 20,000 inputs from a fixed seed (the full run is `npm run fuzz`).
// The pass runs as a child process with a time limit: a hung decoder blocks its own
// thread, so an in-process test timeout would never fire. The pass takes about a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkInput } from './check-input.js';
import { lociMessageSeeds, lociTooDeepSeeds } from './loci-seeds.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const LIMIT_MS = 60_000;

test('every control message encoded by Loci for the corpus decodes and round-trips', () => {
  for (const seed of lociMessageSeeds) assert.equal(checkInput(seed), 'decoded', seed.toString('hex'));
});

test('nesting beyond the limits is rejected as ERR_LISP_TOO_DEEP', () => {
  for (const seed of lociTooDeepSeeds) assert.equal(checkInput(seed), 'ERR_LISP_TOO_DEEP');
});

test('20,000 fuzzed inputs: only LispDecodeError, exact round trips, no hang', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/fuzz/fuzz-decode.ts', '--count', '20000', '--seed', '4289'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: LIMIT_MS,
  });
  assert.equal(r.signal, null, `the pass did not finish within ${LIMIT_MS / 1000} s: a decoder hangs\n${r.stdout}`);
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /^inputs +20,000$/m);
  assert.match(r.stdout, /^decoded +[1-9]/m, 'some inputs decode');
  assert.match(r.stdout, /^no findings$/m);
});
