// A worker thread's loop (the worker side of control.ts): blocking system calls off any event
// loop, as the data-plane and Map-Server workers run. Each turn reads what the owner posted when
// the generation moved, then does one pass; a pass that found nothing to do waits in poll() for
// its file descriptors, at most IDLE_WAIT_MS, so the loop sees the stop flag promptly.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { waitReadable } from '../linux/poll.js';
import type { ThreadControl } from './control.js';

/** The longest a worker with nothing to do sleeps before it looks at its flags again. */
export const IDLE_WAIT_MS = 20;

export interface WorkerLoop {
  readonly control: ThreadControl;
  /** The fds a pass reads; an idle loop waits until one is readable. */
  readonly fds: Int32Array;
  /** One pass of work: how many things it did (0: idle). */
  readonly pass: () => number;
  /** The worker's end of its channel, with what the owner posted. */
  readonly port?: MessagePort;
  readonly onMessage?: (message: unknown) => void;
  /** After the messages of a generation have been read. */
  readonly afterMessages?: () => void;
}

/** Runs until the owner sets the stop flag. */
export function runLoop(o: WorkerLoop): void {
  // Unlike any generation the owner bumps to: a restarted worker takes what waits at once.
  let generation = NaN;
  while (!o.control.stopped) {
    const now = o.control.generation;
    if (now !== generation) {
      generation = now;
      if (o.port) for (let m = receiveMessageOnPort(o.port); m; m = receiveMessageOnPort(o.port)) o.onMessage?.(m.message);
      o.afterMessages?.();
    }
    if (o.pass() === 0) waitReadable(o.fds, IDLE_WAIT_MS);
  }
}
