// The CI fuzzing passes (the long run is `npm run fuzz`): the regression seeds of regressions.ts,
// then 20,000 inputs from a random seed, printed, so that every run explores new inputs. Each pass
// feeds the packet codec and its in-place readers (the Map-Server workers').
// A pass runs as a child process with a time limit: a hung decoder blocks its own thread, so an
// in-process test timeout would never fire. A pass of 20,000 takes a few seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runSeed } from '../helpers/seeds.js';
import { checkInput } from './check-input.js';
import { lociMessageSeeds, lociTooDeepSeeds } from './loci-seeds.js';
import { REGRESSION_SEEDS } from './regressions.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// A hang detector, not a speed limit: a pass takes seconds, but minutes on a machine loaded by parallel suites.
const LIMIT_MS = 300_000;

test('every control message encoded by Loci for the corpus decodes and round-trips', () => {
  for (const seed of lociMessageSeeds) assert.equal(checkInput(seed), 'decoded', seed.toString('hex'));
});

test('nesting beyond the limits is rejected as ERR_LISP_TOO_DEEP', () => {
  for (const seed of lociTooDeepSeeds) assert.equal(checkInput(seed), 'ERR_LISP_TOO_DEEP');
});

function pass(seed: number, count: number): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/fuzz/fuzz-decode.ts', '--count', String(count), '--seed', String(seed)], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: LIMIT_MS,
  });
  const replay = `(replay: npm run fuzz -- --seed ${seed} --count ${count}; a failing seed becomes a regression case in test/fuzz/regressions.ts)`;
  assert.equal(r.signal, null, `the pass did not finish within ${LIMIT_MS / 1000} s: a decoder hangs ${replay}\n${r.stdout}`);
  assert.equal(r.status, 0, `${replay}\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, new RegExp(`^inputs +${count.toLocaleString('en-US')}$`, 'm'));
  assert.match(r.stdout, /^decoded +[1-9]/m, 'some inputs decode');
  assert.match(r.stdout, /^ {2}map-register-read +[1-9]/m, 'the workers read some Map-Registers');
  assert.match(r.stdout, /^ {2}ecm-request-read +[1-9]/m, 'the workers read some ECM Map-Requests');
  assert.match(r.stdout, /^no findings$/m);
  return r.stdout;
}

for (const { seed, count, note } of REGRESSION_SEEDS) {
  test(`regression seed ${seed} (${note}): ${count.toLocaleString('en-US')} fuzzed inputs, only LispDecodeError, exact round trips, in-place readers agree, no hang`, () => {
    pass(seed, count);
  });
}

test('20,000 inputs from a random seed (printed): only LispDecodeError, exact round trips, in-place readers agree, no hang', (t) => {
  const seed = runSeed();
  t.diagnostic(`fuzz seed ${seed} (replay: npm run fuzz -- --seed ${seed} --count 20000)`);
  const out = pass(seed, 20_000);
  t.diagnostic(out.split('\n').filter((l) => /^(inputs|decoded|rate)|-read /.test(l.trim())).map((l) => l.trim()).join('; '));
});
