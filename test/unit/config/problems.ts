// Test helper: the problems parseConfig reports for a config text.
import assert from 'node:assert/strict';
import { ConfigError, parseConfig, type ConfigProblem } from '../../../src/config/index.js';

export function problemsOf(text: string, file = 'site-a.yaml'): ConfigProblem[] {
  try {
    parseConfig(text, file);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return [...e.problems];
  }
  assert.fail('expected a ConfigError');
}

/** "line:column: path: message" of each problem, for compact assertions. */
export function linesOf(text: string): string[] {
  return problemsOf(text).map((p) => `${p.line}:${p.column}: ${p.path}: ${p.message}`);
}
