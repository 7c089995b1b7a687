import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PollTimeoutError, until } from '../../../src/lab/poll.js';

test('until resolves once the predicate holds', async () => {
  let n = 0;
  await until(async () => ++n === 3, { what: 'the third call', intervalMs: 1 });
  assert.equal(n, 3);
});

test('until names what it waited for and keeps the last error', async () => {
  await assert.rejects(until(() => false, { what: 'the moon', timeoutMs: 30 }), (err: unknown) => {
    assert.ok(err instanceof PollTimeoutError);
    assert.match(err.message, /^timed out after 30 ms waiting for the moon$/);
    return true;
  });
  await assert.rejects(
    until(() => {
      throw new Error('ECONNREFUSED');
    }, { what: 'the API', timeoutMs: 30 }),
    (err: unknown) => {
      assert.ok(err instanceof PollTimeoutError);
      assert.match(err.message, /waiting for the API \(last attempt threw: ECONNREFUSED\)/);
      assert.ok(err.cause instanceof Error);
      return true;
    },
  );
});

test('a throwing attempt is retried', async () => {
  let n = 0;
  await until(() => {
    if (++n < 3) throw new Error('not yet');
    return true;
  }, { what: 'the third call', intervalMs: 1 });
  assert.equal(n, 3);
});
