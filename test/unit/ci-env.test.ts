// What counts as CI, and the runner's refusal of skips under it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isCiValue } from '../../scripts/ci-env.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));

test('any truthy CI variable is CI; unset, empty, 0, false, no and off are not', () => {
  const values = [undefined, '', '0', 'false', 'FALSE', 'no', 'off', 'true', 'TRUE', 'True', '1', 'yes', 'on', 'github-actions'];
  assert.deepEqual(
    values.map((v) => [v, isCiValue(v)]),
    values.map((v, i) => [v, i >= 7]),
  );
});

test('the runner fails a run with a skipped test under CI=TRUE (not only CI=true) and only lists it outside CI', () => {
  const run = (ci: string | undefined) => {
    const { CI: _, ...env } = process.env;
    const r = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'test/helpers/fixtures/one-skip.ts'], {
      cwd: repo,
      encoding: 'utf8',
      env: ci === undefined ? env : { ...env, CI: ci },
    });
    return { status: r.status, out: r.stdout };
  };
  for (const ci of ['TRUE']) {
    const r = run(ci);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, new RegExp(`run-tests: 1 tests skipped under CI=${ci}; CI must run every test:\\n {2}.*one-skip\\.ts: is skipped \\(skip: a tool is missing\\)`));
  }
  const outside = run(undefined);
  assert.equal(outside.status, 0, outside.out);
  assert.match(outside.out, /run-tests: 1 tests skipped \(this fails under CI\)/);
});
