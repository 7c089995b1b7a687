// The clock and its timer wheel, on the fake clock (and the system clock without fixed sleeps).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { every, FakeClock, SystemClock, TimerWheel, type Clock } from '../../../src/core/clock.js';
import type { Scheduler } from '../../../src/table/index.js';
import { prng } from '../../helpers/prng.js';

test('timers fire in order of time, then of creation, each seeing now() at its own time', () => {
  const clock = new FakeClock(1000);
  const fired: string[] = [];
  const at = (name: string, ms: number) => clock.setTimer(ms, () => fired.push(`${name}@${clock.now()}`));
  at('c', 1300);
  at('a', 1100);
  at('b', 1100);
  at('d', 1300.5);
  clock.advance(299);
  assert.deepEqual(fired, ['a@1100', 'b@1100']);
  clock.advance(1);
  assert.deepEqual(fired, ['a@1100', 'b@1100', 'c@1300']);
  clock.advance(0.5);
  assert.deepEqual(fired, ['a@1100', 'b@1100', 'c@1300', 'd@1300.5']);
  assert.equal(clock.now(), 1300.5);
});

test('cancelled timers do not fire; timers set in the past fire on the next advance', () => {
  const clock = new FakeClock();
  const fired: number[] = [];
  const t = clock.setTimer(50, () => fired.push(50));
  clock.setTimer(-10, () => fired.push(-10));
  clock.clearTimer(t);
  clock.clearTimer(t);
  assert.equal(clock.pending, 1);
  assert.deepEqual(fired, []);
  clock.advance(0);
  clock.advance(100);
  assert.deepEqual(fired, [-10]);
  assert.equal(clock.pending, 0);
});

test('timers set by a firing timer fire in the same advance when due', () => {
  const clock = new FakeClock();
  const fired: string[] = [];
  clock.setTimer(10, () => {
    fired.push(`first@${clock.now()}`);
    clock.setTimer(clock.now(), () => fired.push(`now@${clock.now()}`));
    clock.setTimer(clock.now() + 5, () => fired.push(`later@${clock.now()}`));
    clock.setTimer(clock.now() + 500, () => fired.push('too late'));
  });
  const victim = clock.setTimer(12, () => fired.push('cancelled'));
  clock.setTimer(11, () => clock.clearTimer(victim));
  clock.advance(100);
  assert.deepEqual(fired, ['first@10', 'now@10', 'later@15']);
});

test('far timers (days, years) fire exactly on time', () => {
  const clock = new FakeClock();
  const day = 86_400_000;
  const fired: number[] = [];
  for (const ms of [3 * 365 * day + 17, day, 40 * day + 1, 2 ** 33 + 5]) clock.setTimer(ms, () => fired.push(clock.now()));
  clock.advance(4 * 365 * day);
  assert.deepEqual(fired, [day, 40 * day + 1, 2 ** 33 + 5, 3 * 365 * day + 17]);
});

test('many random timers, cancels and advances agree with a sorted reference', () => {
  const rnd = prng(99);
  const clock = new FakeClock(rnd() % 1_000_000);
  const live = new Map<number, { at: number; timer: ReturnType<Clock['setTimer']> }>();
  const fired: [number, number][] = [];
  let id = 0;
  for (let step = 0; step < 20_000; step++) {
    const op = rnd() % 10;
    if (op < 6) {
      const span = [10, 1000, 100_000, 10_000_000, 5e9][rnd() % 5]!;
      const at = clock.now() + (rnd() % span);
      const n = id++;
      live.set(n, { at, timer: clock.setTimer(at, () => fired.push([n, clock.now()])) });
    } else if (op < 8 && live.size > 0) {
      const keys = [...live.keys()];
      const n = keys[rnd() % keys.length]!;
      clock.clearTimer(live.get(n)!.timer);
      live.delete(n);
    } else {
      const target = clock.now() + (rnd() % [1, 100, 100_000, 1e8][rnd() % 4]!);
      const expected = [...live]
        .filter(([, v]) => v.at <= target)
        .sort(([a, x], [b, y]) => x.at - y.at || a - b)
        .map(([n, v]) => [n, v.at]);
      fired.length = 0;
      clock.advanceTo(target);
      assert.deepEqual(fired, expected);
      for (const [n] of expected) live.delete(n as number);
      assert.equal(clock.pending, live.size);
    }
  }
});

test('a wheel holds tens of thousands of timers and fires each once, on time', () => {
  const wheel = new TimerWheel(1, 0);
  let fired = 0;
  for (let i = 0; i < 50_000; i++) wheel.add((i * 7919) % 3_600_000, () => fired++);
  assert.equal(wheel.nextEventMs(), 0);
  wheel.advance(1_800_000);
  assert.equal(fired + wheel.size, 50_000);
  assert.ok(fired > 24_000 && fired < 26_000);
  wheel.advance(3_600_000);
  assert.equal(fired, 50_000);
  assert.equal(wheel.nextEventMs(), undefined);
});

test('every() beats on its interval until stopped', () => {
  const clock = new FakeClock();
  const beats: number[] = [];
  const stop = every(clock, 1000, () => beats.push(clock.now()));
  clock.advance(3500);
  assert.deepEqual(beats, [1000, 2000, 3000]);
  clock.advanceTo(6000);
  assert.deepEqual(beats, [1000, 2000, 3000, 4000, 5000, 6000]);
  stop();
  clock.advance(5000);
  assert.equal(beats.length, 6);
  assert.equal(clock.pending, 0);
  assert.throws(() => every(clock, 0, () => undefined), RangeError);
});

test('every() skips the beats it missed when it runs late', () => {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const late: Clock = {
    now: () => now,
    wallTime: () => now,
    setTimer: (at, fn) => {
      const t = { at, fn };
      timers.push(t);
      return t;
    },
    clearTimer: () => undefined,
  };
  every(late, 1000, () => undefined);
  now = 7300;
  timers.shift()!.fn();
  assert.deepEqual(timers.map((t) => t.at), [8300]);
});

test('the fake clock moves wall time with monotonic time and never goes back', () => {
  const clock = new FakeClock(500, Date.UTC(2030, 0, 1));
  clock.advance(1500);
  assert.equal(clock.wallTime(), Date.UTC(2030, 0, 1) + 1500);
  assert.throws(() => clock.advanceTo(10), RangeError);
  assert.throws(() => clock.advance(-1), RangeError);
});

test('the system clock fires due timers from the event loop, in order, and not cancelled ones', async () => {
  const clock = new SystemClock();
  const before = Date.now();
  const wall = clock.wallTime();
  assert.ok(before <= wall && wall <= Date.now(), 'wall time is the system time');
  const fired: string[] = [];
  let sync = true;
  const cancelled = clock.setTimer(clock.now(), () => fired.push('cancelled'));
  clock.clearTimer(cancelled);
  await new Promise<void>((resolve) => {
    clock.setTimer(clock.now() + 2, () => {
      fired.push('second');
      resolve();
    });
    clock.setTimer(clock.now(), () => fired.push(sync ? 'synchronous' : 'first'));
    sync = false;
  });
  assert.deepEqual(fired, ['first', 'second']);
});

test('a Clock serves as the tables\' Scheduler: timers set and cleared through the Scheduler interface', async () => {
  const fake = new FakeClock(100);
  const system = new SystemClock();
  const fired: string[] = [];
  const use = (name: string, s: Scheduler) => {
    const kept = s.setTimer(s.now() + 1, () => fired.push(`${name} kept`));
    const cleared = s.setTimer(s.now() + 1, () => fired.push(`${name} cleared`));
    s.clearTimer(cleared);
    return kept;
  };
  use('fake', fake);
  fake.advance(1);
  assert.deepEqual(fired, ['fake kept']);
  // The system clock's timers never keep the process alive by themselves: this interval does.
  const alive = setInterval(() => {}, 1000);
  await new Promise<void>((resolve) => {
    use('system', system);
    system.setTimer(system.now() + 2, resolve);
  });
  clearInterval(alive);
  assert.deepEqual(fired, ['fake kept', 'system kept']);
});

test('no exception escapes a system-clock timer: it goes to the error handler and the other timers still fire', async () => {
  // System-clock timers never keep a process alive: this does, for the test.
  const alive = setInterval(() => undefined, 1000);
  const errors: unknown[] = [];
  const clock = new SystemClock((e) => errors.push(e));
  const fired: string[] = [];
  const now = clock.now();
  clock.setTimer(now, () => {
    throw new Error('boom');
  });
  clock.setTimer(now, () => fired.push('same tick'));
  await new Promise<void>((resolve) => clock.setTimer(now + 5, () => resolve()));
  assert.deepEqual(fired, ['same tick']);
  assert.equal((errors[0] as Error).message, 'boom');
  // Where errors go can change after start (the daemon counts them on its node).
  const later: unknown[] = [];
  clock.reportErrorsTo((e) => later.push(e));
  await new Promise<void>((resolve) => {
    clock.setTimer(clock.now(), () => {
      throw new Error('again');
    });
    clock.setTimer(clock.now() + 1, () => resolve());
  });
  assert.equal(later.length, 1);
  clearInterval(alive);
});

test('a fake-clock timer that throws propagates to the test that advanced it', () => {
  const clock = new FakeClock();
  clock.setTimer(1, () => {
    throw new Error('visible');
  });
  assert.throws(() => clock.advance(1), /visible/);
});
