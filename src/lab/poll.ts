// Readiness by polling: the one way tests and the demo wait for a condition (never fixed sleeps).
import { setTimeout as sleep } from 'node:timers/promises';

export interface UntilOptions {
  /** Names the awaited condition in the timeout error ("the registration"). */
  what: string;
  /** Default 5000. */
  timeoutMs?: number;
  /** Pause between attempts; default 10. */
  intervalMs?: number;
}

export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    lastError: unknown,
  ) {
    const last = lastError === undefined ? '' : ` (last attempt threw: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
    super(`timed out after ${timeoutMs} ms waiting for ${what}${last}`, lastError === undefined ? undefined : { cause: lastError });
  }
}

/**
 * Resolves once ready() returns true. An attempt that throws counts as not ready
 * (a server still starting); the last such error is kept in the timeout error.
 */
export async function until(ready: () => boolean | Promise<boolean>, opts: UntilOptions): Promise<void> {
  const { what, timeoutMs = 5000, intervalMs = 10 } = opts;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await ready()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new PollTimeoutError(what, timeoutMs, lastError);
    await sleep(Math.min(intervalMs, left));
  }
}
