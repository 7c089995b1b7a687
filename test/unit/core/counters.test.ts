import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counters } from '../../../src/core/counters.js';
import { WorkerCounters, W } from '../../../src/ms-workers/counters.js';

test('a snapshot sums a name counted on the main thread and in several sources; get does too', () => {
  const c = new Counters();
  c.inc('received', 2);
  c.inc('map-register.accepted');
  c.addSource(() => ({ received: 10, 'ms-workers.0.handled': 10 }));
  c.addSource(() => ({ received: 5, 'map-register.accepted': 4 }));
  assert.deepEqual(c.snapshot(), { 'map-register.accepted': 5, 'ms-workers.0.handled': 10, received: 17 });
  assert.deepEqual(Object.keys(c.snapshot()), ['map-register.accepted', 'ms-workers.0.handled', 'received']);
  assert.equal(c.get('received'), 17);
  assert.equal(c.get('missing'), 0);
});

test("a worker's counters carry the node's names, and its share of the work under its index", () => {
  const w = new WorkerCounters();
  w.inc(W['map-register.accepted'], 3);
  w.inc(W.handled, 3);
  w.inc(W.forwarded);
  assert.deepEqual(w.snapshot(1), { 'map-register.accepted': 3, 'ms-workers.1.handled': 3, 'ms-workers.1.forwarded': 1 });
});
