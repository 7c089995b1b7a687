/**
 * The only source of time in Loci (DESIGN.md): a Clock gives monotonic milliseconds, wall time and
 * timers. SystemClock runs on the event loop; FakeClock runs when a test calls advance(). Both keep
 * their timers in a hierarchical timer wheel (Varghese and Lauck 1987): adding and cancelling a
 * timer cost O(1), and advancing visits only the slots that hold timers.
 *
 * A Clock satisfies the Scheduler interface of src/table/scheduler.ts structurally.
 */

export interface Timer {
  /** When the timer fires, on the now() clock. */
  readonly at: number;
}

export interface Clock {
  /** Milliseconds on a monotonic clock (not wall time). */
  now(): number;
  /** Milliseconds since the Unix epoch, for timestamps that people or peers read. */
  wallTime(): number;
  /** Calls fn once, when now() has reached atMs; never synchronously inside setTimer. */
  setTimer(atMs: number, fn: () => void): Timer;
  clearTimer(timer: Timer): void;
}

/** Calls fn every intervalMs (skipping beats missed while the clock jumped); returns the function that stops it. */
export function every(clock: Clock, intervalMs: number, fn: () => void): () => void {
  if (!(intervalMs > 0)) throw new RangeError(`interval must be positive, got ${intervalMs}`);
  let at = clock.now() + intervalMs;
  const beat = (): void => {
    at += intervalMs;
    if (at <= clock.now()) at = clock.now() + intervalMs;
    timer = clock.setTimer(at, beat);
    fn();
  };
  let timer = clock.setTimer(at, beat);
  return () => clock.clearTimer(timer);
}

const SLOT_BITS = 6;
const SLOTS = 1 << SLOT_BITS;
/** 64^8 ticks: about 8900 years at 1 ms. */
const LEVELS = 8;
/** SPAN[l]: ticks covered by one slot of level l. */
const SPAN = Array.from({ length: LEVELS + 1 }, (_, l) => SLOTS ** l);
/** WheelTimer.slot values outside the wheel. */
const DUE = -1;
const IDLE = -2;

class WheelTimer implements Timer {
  /** Index in the wheel (level * SLOTS + slot), DUE or IDLE. */
  slot = IDLE;
  prev: WheelTimer | undefined;
  next: WheelTimer | undefined;

  constructor(
    readonly at: number,
    readonly tick: number,
    readonly seq: number,
    readonly fn: () => void,
    readonly wheel: TimerWheel,
  ) {}
}

/**
 * Timers on ticks of resolutionMs. Level l has 64 slots of 64^l ticks each. A timer sits at the
 * lowest level where its tick and the current tick share the slot of the level above (so every
 * timer is in a slot after the current one at its level); when the current tick reaches the start
 * of an occupied slot, the slot's timers move down (or become due). Due timers fire in order of
 * their time, then of their creation, and never before their time.
 */
export class TimerWheel {
  size = 0;
  private readonly heads: (WheelTimer | undefined)[] = new Array<WheelTimer | undefined>(LEVELS * SLOTS).fill(undefined);
  /** Per level, two 32-bit words: bit s set = slot s holds timers. */
  private readonly occupied = new Uint32Array(LEVELS * 2);
  private due: WheelTimer[] = [];
  private current: number;
  private seq = 0;

  constructor(
    private readonly resolutionMs: number,
    private readonly originMs: number,
  ) {
    this.current = 0;
  }

  add(atMs: number, fn: () => void): Timer {
    if (Number.isNaN(atMs)) throw new RangeError('timer time is NaN');
    const tick = Math.min(Math.max(Math.floor((atMs - this.originMs) / this.resolutionMs), 0), SPAN[LEVELS]! - 1);
    const t = new WheelTimer(atMs, tick, this.seq++, fn, this);
    this.place(t);
    this.size++;
    return t;
  }

  /** Cancels a timer of this wheel that has not fired; anything else is ignored. */
  cancel(timer: Timer): void {
    if (!(timer instanceof WheelTimer) || timer.wheel !== this || timer.slot === IDLE) return;
    if (timer.slot !== DUE) this.unlink(timer);
    timer.slot = IDLE;
    this.size--;
  }

  /**
   * Fires, in order, the timers due at or before toMs; beforeFire(at) runs before each one (a fake
   * clock sets its time there). With onError, a timer that throws is reported there and the others
   * still fire; without it, the exception propagates.
   */
  advance(toMs: number, beforeFire?: (at: number) => void, onError?: (e: unknown) => void): void {
    const target = Math.floor((toMs - this.originMs) / this.resolutionMs);
    for (;;) {
      this.fireDue(toMs, beforeFire, onError);
      const next = this.nextTick();
      if (next === undefined || next > target) break;
      this.current = next;
      for (let level = LEVELS - 1; level >= 0; level--) {
        if (next % SPAN[level]! === 0 || level === 0) this.takeSlot(level, Math.floor(next / SPAN[level]!) % SLOTS);
      }
    }
    if (target > this.current) this.current = target;
  }

  /** The earliest time at which advance() has something to do, or undefined if no timer is pending. */
  nextEventMs(): number | undefined {
    let at = Infinity;
    for (const t of this.due) if (t.slot === DUE && t.at < at) at = t.at;
    if (at !== Infinity) return at;
    const tick = this.nextTick();
    return tick === undefined ? undefined : this.originMs + tick * this.resolutionMs;
  }

  private place(t: WheelTimer): void {
    if (t.tick <= this.current) {
      t.slot = DUE;
      this.due.push(t);
      return;
    }
    let level = 0;
    while (level < LEVELS - 1 && Math.floor(t.tick / SPAN[level + 1]!) !== Math.floor(this.current / SPAN[level + 1]!)) level++;
    const slot = Math.floor(t.tick / SPAN[level]!) % SLOTS;
    const index = level * SLOTS + slot;
    t.slot = index;
    t.prev = undefined;
    t.next = this.heads[index];
    if (t.next) t.next.prev = t;
    this.heads[index] = t;
    this.occupied[2 * level + (slot >>> 5)]! |= 1 << (slot & 31);
  }

  private unlink(t: WheelTimer): void {
    if (t.prev) t.prev.next = t.next;
    else this.heads[t.slot] = t.next;
    if (t.next) t.next.prev = t.prev;
    if (this.heads[t.slot] === undefined) {
      const slot = t.slot % SLOTS;
      this.occupied[2 * Math.floor(t.slot / SLOTS) + (slot >>> 5)]! &= ~(1 << (slot & 31));
    }
    t.prev = undefined;
    t.next = undefined;
  }

  /** Moves the timers of a slot down the levels (or to the due list). */
  private takeSlot(level: number, slot: number): void {
    const index = level * SLOTS + slot;
    let t = this.heads[index];
    this.heads[index] = undefined;
    this.occupied[2 * level + (slot >>> 5)]! &= ~(1 << (slot & 31));
    while (t) {
      const next = t.next;
      t.prev = undefined;
      t.next = undefined;
      this.place(t);
      t = next;
    }
  }

  /** The tick at which the next occupied slot starts: its timers become due or move down. */
  private nextTick(): number | undefined {
    for (let level = 0; level < LEVELS; level++) {
      const span = SPAN[level]!;
      const at = Math.floor(this.current / span) % SLOTS;
      const slot = nextSetBit(this.occupied[2 * level]!, this.occupied[2 * level + 1]!, at + 1);
      if (slot >= 0) return Math.floor(this.current / SPAN[level + 1]!) * SPAN[level + 1]! + slot * span;
    }
    return undefined;
  }

  private fireDue(toMs: number, beforeFire: ((at: number) => void) | undefined, onError: ((e: unknown) => void) | undefined): void {
    for (;;) {
      const ready = this.due.filter((t) => t.slot === DUE && t.at <= toMs);
      if (ready.length === 0) break;
      this.due = this.due.filter((t) => t.slot === DUE && t.at > toMs);
      ready.sort((a, b) => a.at - b.at || a.seq - b.seq);
      for (const t of ready) {
        if (t.slot !== DUE) continue;
        t.slot = IDLE;
        this.size--;
        beforeFire?.(t.at);
        if (!onError) t.fn();
        else {
          try {
            t.fn();
          } catch (e) {
            onError(e);
          }
        }
      }
    }
  }
}

/** Index of the lowest set bit at or above `from` in the 64-bit (lo, hi), or -1. */
function nextSetBit(lo: number, hi: number, from: number): number {
  if (from < 32) {
    const x = (lo >>> from) << from;
    if (x !== 0) return 31 - Math.clz32(x & -x);
    from = 32;
  }
  if (from >= 64) return -1;
  const y = (hi >>> (from - 32)) << (from - 32);
  return y !== 0 ? 63 - Math.clz32(y & -y) : -1;
}

/**
 * The clock of a running node: performance.now(), Date.now() and one (unref'd) setTimeout for the
 * next due timer. No exception escapes a timer: it goes to onError (the daemon logs it at error
 * level and counts it), and the other timers still fire.
 */
export class SystemClock implements Clock {
  private readonly wheel = new TimerWheel(1, 0);
  private handle: ReturnType<typeof setTimeout> | undefined;
  private armedFor = Infinity;

  constructor(private onError: (e: unknown) => void = (e) => process.emitWarning(`timer failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)) {}

  /** Where exceptions thrown by timers go from now on. */
  reportErrorsTo(onError: (e: unknown) => void): void {
    this.onError = onError;
  }

  now(): number {
    return performance.now();
  }

  wallTime(): number {
    return Date.now();
  }

  setTimer(atMs: number, fn: () => void): Timer {
    const t = this.wheel.add(atMs, fn);
    this.arm();
    return t;
  }

  clearTimer(timer: Timer): void {
    this.wheel.cancel(timer);
    if (this.wheel.size === 0) this.arm();
  }

  private arm(): void {
    const next = this.wheel.nextEventMs();
    if (next !== undefined && next >= this.armedFor) return;
    if (this.handle !== undefined) clearTimeout(this.handle);
    this.handle = undefined;
    this.armedFor = Infinity;
    if (next === undefined) return;
    this.armedFor = next;
    // setTimeout takes at most 2^31 - 1 ms; a longer wait just wakes up once on the way.
    const delay = Math.min(Math.max(Math.ceil(next - this.now()), 0), 0x7fffffff);
    // Timers alone never keep the process alive: a node's sockets and servers do.
    this.handle = setTimeout(() => this.wake(), delay).unref();
  }

  private wake(): void {
    this.handle = undefined;
    this.armedFor = Infinity;
    try {
      this.wheel.advance(this.now(), undefined, this.onError);
    } finally {
      this.arm();
    }
  }
}

/** A clock for tests: time moves only in advance() and advanceTo(), which fire the due timers in order. */
export class FakeClock implements Clock {
  private readonly wheel: TimerWheel;
  private current: number;

  constructor(
    private readonly startMs = 0,
    private readonly wallStartMs = Date.UTC(2025, 0, 1),
  ) {
    this.current = startMs;
    this.wheel = new TimerWheel(1, startMs);
  }

  now(): number {
    return this.current;
  }

  wallTime(): number {
    return this.wallStartMs + (this.current - this.startMs);
  }

  setTimer(atMs: number, fn: () => void): Timer {
    return this.wheel.add(atMs, fn);
  }

  clearTimer(timer: Timer): void {
    this.wheel.cancel(timer);
  }

  /** Timers set and not yet fired or cancelled. */
  get pending(): number {
    return this.wheel.size;
  }

  /** Moves time forward by ms, firing due timers in order; each sees now() at its own time. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance by ${ms} ms`);
    this.advanceTo(this.current + ms);
  }

  advanceTo(timeMs: number): void {
    if (!(timeMs >= this.current)) throw new RangeError(`cannot go back from ${this.current} to ${timeMs}`);
    this.wheel.advance(timeMs, (at) => {
      if (at > this.current) this.current = at;
    });
    this.current = timeMs;
  }
}
