// bin/loci.js runs dist/ when built, but the sources whenever LOCI_FROM_SOURCES=1, which every
// test that spawns loci has (test/helpers/loci.ts): a stale build is never what a test runs.
// Checked on a copy of bin/loci.js beside a dist/ and a src/ that say which one ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCI_BIN } from '../../helpers/loci.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

test('bin/loci.js runs dist/ when built, the sources under LOCI_FROM_SOURCES=1, and the tests set it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loci-bin-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const d of ['bin', 'dist/cli', 'src/cli']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(LOCI_BIN, join(dir, 'bin/loci.js'));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(dir, 'dist/cli/main.js'), "console.log('dist');\n");
  writeFileSync(join(dir, 'src/cli/main.ts'), "const from: string = 'sources';\nconsole.log(from);\n");
  const run = (env: NodeJS.ProcessEnv) => {
    const r = spawnSync(process.execPath, [join(dir, 'bin/loci.js')], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const { LOCI_FROM_SOURCES: _, ...without } = process.env;
  assert.equal(run(without), 'dist');
  assert.equal(run({ ...without, LOCI_FROM_SOURCES: '1' }), 'sources');
  rmSync(join(dir, 'dist'), { recursive: true });
  assert.equal(run(without), 'sources', 'no build: the sources');
  assert.equal(process.env.LOCI_FROM_SOURCES, '1', 'what this test file spawns runs the sources');
});

test('bin/loci.js without a build and without tsx (a production install) says to build, on one line', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loci-bin-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(LOCI_BIN, join(dir, 'bin/loci.js'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const r = spawnSync(process.execPath, [join(dir, 'bin/loci.js'), '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'loci: not built and tsx is not installed: run `npm run build` (or `npm install` for the development dependencies)\n');
});
