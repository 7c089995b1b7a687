// Skips a test when a system tool or root is missing, except under CI (any truthy CI
// variable: CI=true, CI=1, CI=TRUE ...), where the same condition fails the test (CI must install
// every tool). scripts/run-tests.mjs also fails a CI run in which any test was skipped.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { hasToolOnPath as hasTool } from '../../src/cli/demo/tools.js';
import { inCi } from '../../scripts/ci-env.mjs';

/** Returns true when the test may go on; otherwise skips it (or fails it under CI). */
export function requireTool(t: TestContext, tool: string): boolean {
  if (hasTool(tool)) return true;
  if (inCi()) assert.fail(`${tool} is required under CI (CI=${process.env.CI}) but is not installed`);
  t.skip(`${tool} not installed`);
  return false;
}

export function requireRoot(t: TestContext): boolean {
  if (process.getuid?.() === 0) return true;
  if (inCi()) assert.fail(`root is required under CI (CI=${process.env.CI})`);
  t.skip('needs root');
  return false;
}
