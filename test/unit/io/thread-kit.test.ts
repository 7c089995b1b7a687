// The worker-thread kit's shared pieces (src/io/thread): the control block an owner and its
// workers share, the workers' loop, and the shared counters. SupervisedThread: thread.test.ts; a
// data-plane worker on the kit: dataplane/mapping-socket.test.ts and dataplane/control.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { FIRST_FREE_SLOT, GENERATION, STOP, ThreadControl } from '../../../src/io/thread/control.js';
import { runLoop } from '../../../src/io/thread/loop.js';
import { SharedCounters, slotsOf } from '../../../src/io/thread/shared-counters.js';

describe('the worker-thread kit', () => {
  it('a control block: the stop flag, the generation, the owner’s own slots, all seen through the buffer a worker is handed', () => {
    const owner = new ThreadControl({ extraSlots: 1 });
    const worker = new ThreadControl(owner.buffer);
    assert.equal(worker.slots.length, FIRST_FREE_SLOT + 1);
    owner.posted();
    owner.posted();
    assert.equal(worker.generation, 2);
    Atomics.add(worker.slots, FIRST_FREE_SLOT, 5);
    assert.equal(Atomics.load(owner.slots, FIRST_FREE_SLOT), 5);
    assert.equal(worker.stopped, false);
    owner.stop();
    assert.equal(worker.stopped, true);
    assert.deepEqual([Atomics.load(owner.slots, STOP), Atomics.load(owner.slots, GENERATION)], [1, 2]);
  });

  it('the loop reads what was posted once per generation, before a pass; it ends when the owner stops it', () => {
    const control = new ThreadControl();
    const { port1, port2 } = new MessageChannel();
    const seen: unknown[] = [];
    const log: string[] = [];
    let passes = 0;
    port1.postMessage('first');
    control.posted();
    runLoop({
      control,
      fds: new Int32Array(0),
      port: port2,
      onMessage: (m) => seen.push(m),
      afterMessages: () => log.push(`after ${seen.length}`),
      pass: () => {
        passes++;
        log.push(`pass ${passes}`);
        if (passes === 2) {
          port1.postMessage('second');
          port1.postMessage('third');
          control.posted();
        }
        if (passes === 4) control.stop();
        // The third pass finds nothing: the loop waits (no fds: at most the idle wait).
        return passes === 3 ? 0 : 1;
      },
    });
    assert.deepEqual(seen, ['first', 'second', 'third']);
    assert.deepEqual(log, ['after 1', 'pass 1', 'pass 2', 'after 3', 'pass 3', 'pass 4']);
    port1.close();
  });

  it('shared counters: a worker counts by slot, the owner reads by name; the buffer must fit the names', () => {
    const names = ['a', 'b.c'] as const;
    const slot = slotsOf(names);
    const owner = new SharedCounters(names);
    const worker = new SharedCounters(names, owner.buffer);
    worker.inc(slot['b.c'], 3);
    worker.inc(slot['b.c']);
    assert.equal(owner.get('b.c'), 4);
    assert.deepEqual(owner.byName(), { 'b.c': 4 }, 'zeros left out');
    assert.deepEqual(owner.byName((n) => `x.${n}`), { 'x.b.c': 4 });
    assert.throws(() => new SharedCounters(names, new SharedArrayBuffer(8)), RangeError);
  });
});
