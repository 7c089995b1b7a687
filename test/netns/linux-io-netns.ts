// Runs one case of linux-io-cases.ts in a network namespace of its own (loci-t-<random>),
// deleted afterwards; the case fails the test with its stderr when it exits non-zero.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { requireRoot } from '../helpers/env.js';

const cases = fileURLToPath(new URL('./linux-io-cases.ts', import.meta.url));

export function runCaseInNetns(t: TestContext, name: string): void {
  if (!requireRoot(t)) return;
  const ns = `loci-t-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', cases, name], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, `case ${name} in ${ns} failed (${r.signal ?? r.status}):\n${r.stderr}${r.stdout}`);
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}
