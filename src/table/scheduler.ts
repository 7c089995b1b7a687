// Time as the tables see it. src/table may not import src/core, so this is the structural part of
// core's Clock (src/core/clock.ts) that the map-cache needs; a Clock satisfies it as is.

export interface TimerHandle {
  readonly at: number;
}

export interface Scheduler {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls fn once, when now() has reached atMs. */
  setTimer(atMs: number, fn: () => void): TimerHandle;
  clearTimer(timer: TimerHandle): void;
}
