// Keeping a worker thread running: SupervisedThread starts it again after a back-off when it dies
// (the data plane's workers and the Map-Server workers, docs/dataplane.md).
import type { Worker } from 'node:worker_threads';

/** What a supervisor logs through (pino satisfies it). */
export interface ThreadLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A thread as its owner started it: ready resolves once it runs its loop, rejects if it fails first. */
export interface StartedThread {
  readonly worker: Worker;
  readonly ready: Promise<void>;
}

export interface SupervisedThreadOptions {
  /** Names the thread in log lines ("data-plane encap worker"). */
  readonly name: string;
  /**
   * Starts a fresh thread: its setup, its message channel, and the state it must hold (the owner
   * sends it again on every start). restart is false on the first start only.
   */
  readonly start: (restart: boolean) => StartedThread;
  readonly log?: ThreadLog;
  /** The first wait before a restart; it doubles with each restart of the last minute. Default 100 ms. */
  readonly backoffMs?: number;
  /** The longest wait before a restart. Default 5000 ms. */
  readonly maxBackoffMs?: number;
  /** At most this many restarts in any 60 s; beyond them the next waits until the oldest is a minute old. Default 5. */
  readonly maxRestartsPerMinute?: number;
}

const MINUTE_MS = 60_000;

/**
 * A worker thread kept running: when it dies (an uncaught exception, a failed system call,
 * process.exit in the thread, terminate()) the death is logged at error level and counted, and
 * a fresh thread is started after a back-off, at most maxRestartsPerMinute times a minute. The first
 * start is not retried: if it fails before it is ready, ready rejects and the owner gives up.
 */
export class SupervisedThread {
  /** The first start: resolves once that thread is ready. */
  readonly ready: Promise<void>;
  private current: StartedThread;
  private alive = true;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  /** Start times of the restarts of the last minute. */
  private readonly recent: number[] = [];
  private exited: Promise<void>;
  private deathCount = 0;
  private restartCount = 0;

  constructor(private readonly o: SupervisedThreadOptions) {
    this.current = o.start(false);
    this.exited = this.watch(this.current, true);
    this.ready = this.current.ready;
  }

  /** The running thread (the last one started, when a restart is pending). */
  get worker(): Worker {
    return this.current.worker;
  }

  /** Exits the owner did not ask for (stop()), since the first start. */
  get deaths(): number {
    return this.deathCount;
  }

  /** Threads started again after a death. */
  get restarts(): number {
    return this.restartCount;
  }

  /** No more restarts; resolves once the thread has exited (the owner tells it to stop first). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.exited;
  }

  /** Resolves when t exits; an exit before stop() is a death. */
  private watch(t: StartedThread, first: boolean): Promise<void> {
    let failure: Error | undefined;
    let wasReady = false;
    t.worker.on('error', (e) => (failure = e));
    t.ready.then(
      () => {
        wasReady = true;
        if (!first) this.o.log?.info({ thread: this.o.name, restarts: this.restartCount }, 'worker thread restarted');
      },
      () => {},
    );
    return new Promise((resolve) => {
      t.worker.once('exit', (code) => {
        resolve();
        this.alive = false;
        if (this.stopping) return;
        // The first start that never became ready is the owner's failure to handle (ready rejected).
        if (first && !wasReady) return;
        this.died(code, failure);
      });
    });
  }

  private died(code: number, failure: Error | undefined): void {
    this.deathCount++;
    const wait = this.nextWait();
    this.o.log?.error(
      { thread: this.o.name, exitCode: code, ...(failure ? { error: failure.message, stack: failure.stack } : {}), restartInMs: wait },
      'worker thread died',
    );
    this.timer = setTimeout(() => this.restart(), wait);
    this.timer.unref();
  }

  /** The back-off, or longer when the restarts of the last minute used up the allowance. */
  private nextWait(): number {
    const now = Date.now();
    while (this.recent.length > 0 && now - this.recent[0]! >= MINUTE_MS) this.recent.shift();
    const base = this.o.backoffMs ?? 100;
    const backoff = Math.min(this.o.maxBackoffMs ?? 5000, base * 2 ** this.recent.length);
    const max = this.o.maxRestartsPerMinute ?? 5;
    if (this.recent.length < max) return backoff;
    return Math.max(backoff, this.recent[this.recent.length - max]! + MINUTE_MS - now);
  }

  private restart(): void {
    this.timer = undefined;
    if (this.stopping || this.alive) return;
    this.recent.push(Date.now());
    this.restartCount++;
    let started: StartedThread;
    try {
      started = this.o.start(true);
    } catch (e) {
      // Could not even start one (no entry module, no memory): a death like any other.
      return this.died(-1, e instanceof Error ? e : new Error(String(e)));
    }
    this.current = started;
    this.alive = true;
    this.exited = this.watch(started, false);
  }
}
