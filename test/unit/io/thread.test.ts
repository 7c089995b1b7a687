// SupervisedThread: a worker thread that dies is logged at error level, counted and started again
// after a back-off, at most so many times a minute; stop() is not a death; a first start that fails
// is the owner's to handle.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { startThread } from '../../../src/io/thread/start.js';
import { SupervisedThread, type StartedThread } from '../../../src/io/thread/supervised.js';
import { until } from '../../helpers/until.js';

interface Line {
  level: 'info' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A supervised fixture thread; dieAtStart(n) says whether start number n (0: the first) dies at once. */
function supervise(o: { dieAtStart?: (n: number) => boolean; backoffMs?: number; maxRestartsPerMinute?: number } = {}) {
  const lines: Line[] = [];
  const starts: boolean[] = [];
  const log = {
    info: (fields: object, message: string) => lines.push({ level: 'info', fields: fields as Record<string, unknown>, message }),
    error: (fields: object, message: string) => lines.push({ level: 'error', fields: fields as Record<string, unknown>, message }),
  };
  const start = (restart: boolean): StartedThread => {
    const worker = startThread(import.meta.url, 'thread-fixture', { workerData: { dieAtStart: o.dieAtStart?.(starts.length) ?? false } });
    starts.push(restart);
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(String(m)))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`exited (${code}) before it was ready`)));
    });
    return { worker, ready };
  };
  const thread = new SupervisedThread({ name: 'fixture worker', start, log, backoffMs: o.backoffMs ?? 10, ...(o.maxRestartsPerMinute ? { maxRestartsPerMinute: o.maxRestartsPerMinute } : {}) });
  const stop = async () => {
    const stopped = thread.stop();
    thread.worker.postMessage('stop');
    await stopped;
  };
  return { thread, lines, starts, stop };
}

async function ping(worker: Worker): Promise<void> {
  const answer = once(worker, 'message');
  worker.postMessage('ping');
  assert.deepEqual(await answer, ['pong']);
}

describe('SupervisedThread', () => {
  for (const [how, kill] of [
    ['throws an uncaught exception', (w: Worker) => w.postMessage('throw')],
    ['calls process.exit', (w: Worker) => w.postMessage('exit')],
    ['is terminated', (w: Worker) => void w.terminate()],
  ] as const) {
    it(`a thread that ${how} is logged at error level, counted and started again`, async (t) => {
      const s = supervise();
      t.after(s.stop);
      await s.thread.ready;
      const first = s.thread.worker;
      kill(first);
      await until(() => s.thread.worker !== first && s.lines.some((l) => l.message === 'worker thread restarted'), { what: 'the restart', timeoutMs: 20_000 });
      await ping(s.thread.worker);
      assert.deepEqual(s.starts, [false, true], 'the owner was told the second start is a restart');
      assert.equal(s.thread.deaths, 1);
      assert.equal(s.thread.restarts, 1);
      const death = s.lines.find((l) => l.level === 'error');
      assert.equal(death?.message, 'worker thread died');
      assert.equal(death?.fields.thread, 'fixture worker');
      assert.equal(death?.fields.exitCode, how === 'calls process.exit' ? 3 : 1);
      if (how === 'throws an uncaught exception') assert.equal(death?.fields.error, 'planted failure');
      assert.equal(death?.fields.restartInMs, 10, 'the first restart waits the back-off');
    });
  }

  it('restarts back off (doubling) and are bounded per minute; stop() cancels a pending restart', async (t) => {
    // Every start after the first dies before it is ready.
    const s = supervise({ dieAtStart: (n) => n > 0, backoffMs: 10, maxRestartsPerMinute: 3 });
    t.after(s.stop);
    await s.thread.ready;
    s.thread.worker.postMessage('throw');
    await until(() => s.thread.deaths === 4, { what: 'three restarts that die', timeoutMs: 20_000 });
    const waits = s.lines.filter((l) => l.level === 'error').map((l) => l.fields.restartInMs as number);
    assert.deepEqual(waits.slice(0, 3), [10, 20, 40], 'the back-off doubles');
    assert.ok(waits[3]! > 50_000, `the fourth restart waits until the first is a minute old (${waits[3]} ms)`);
    assert.equal(s.thread.restarts, 3);
    assert.equal(s.lines.filter((l) => l.level === 'error' && l.fields.error === 'planted failure at start').length, 3);
    await s.thread.stop();
    assert.equal(s.thread.restarts, 3, 'no restart after stop()');
  });

  it('stop() is not a death', async () => {
    const s = supervise();
    await s.thread.ready;
    await s.stop();
    assert.equal(s.thread.deaths, 0);
    assert.deepEqual(s.lines, []);
  });

  it('a first start that fails is not retried: ready rejects', async () => {
    const s = supervise({ dieAtStart: () => true });
    await assert.rejects(s.thread.ready, /planted failure at start/);
    await s.thread.stop();
    assert.deepEqual(s.starts, [false]);
    assert.equal(s.thread.deaths, 0);
  });
});
