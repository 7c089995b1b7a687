import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LimitedLog } from '../../../src/core/log-limit.js';
import type { Log } from '../../../src/core/ports.js';

function recorder() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: object, message: string) => lines.push({ level, fields: fields as Record<string, unknown>, message });
  const log: Log = { isLevelEnabled: () => false, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

test('one line per reason per interval; the next line says how many were suppressed', () => {
  const { log, lines } = recorder();
  let now = 0;
  const limited = new LimitedLog({ log, now: () => now });
  for (let i = 0; i < 10_000; i++) limited.warn('malformed.ERR_LISP_TRUNCATED', { i }, 'malformed control packet dropped');
  limited.warn('map-register.auth-failed', {}, 'Map-Register rejected');
  assert.deepEqual(lines.map((l) => [l.fields.i, l.message]), [[0, 'malformed control packet dropped'], [undefined, 'Map-Register rejected']]);
  now = 999;
  limited.warn('malformed.ERR_LISP_TRUNCATED', { i: -1 }, 'malformed control packet dropped');
  assert.equal(lines.length, 2);
  now = 1000;
  limited.error('malformed.ERR_LISP_TRUNCATED', { i: -2 }, 'malformed control packet dropped');
  assert.deepEqual(lines[2], { level: 'error', fields: { i: -2, suppressed: 10_000, suppressedOverMs: 1000 }, message: 'malformed control packet dropped' });
});

test('reasons are bounded: past the limit, new reasons share one budget', () => {
  const { log, lines } = recorder();
  const limited = new LimitedLog({ log, now: () => 0, maxReasons: 4 });
  for (let i = 0; i < 1000; i++) limited.warn(`reason-${i}`, {}, 'x');
  assert.equal(lines.length, 5);
});

test('a reason that keeps coming backs off: twice the interval after each line, up to the longest; after a quiet interval, one second again', () => {
  const { log, lines } = recorder();
  let now = 0;
  const limited = new LimitedLog({ log, now: () => now, maxIntervalMs: 8000 });
  // One every 100 ms for a minute: lines at 0, 1, 3, 7, 15 s, then every 8 s.
  for (; now < 60_000; now += 100) limited.warn('malformed.ERR_LISP_TRUNCATED', {}, 'malformed control packet dropped');
  const at = lines.map((l) => Math.round(Number(l.fields.suppressedOverMs ?? 0)));
  assert.deepEqual(at, [0, 1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000, 8000]);
  // Quiet for longer than the interval reached: the next line comes at once, the one after a second later.
  now += 8000;
  limited.warn('malformed.ERR_LISP_TRUNCATED', {}, 'malformed control packet dropped');
  assert.equal(lines.length, 11);
  now += 999;
  limited.warn('malformed.ERR_LISP_TRUNCATED', {}, 'malformed control packet dropped');
  now += 1;
  limited.warn('malformed.ERR_LISP_TRUNCATED', {}, 'malformed control packet dropped');
  assert.deepEqual(lines.slice(11).map((l) => l.fields), [{ suppressed: 1, suppressedOverMs: 1000 }]);
});
