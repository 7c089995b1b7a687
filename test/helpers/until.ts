// The one polling helper lives with the namespace lab (src/lab/poll.ts); tests import it from
// here, where every wait gets at least WAIT_MS (2 minutes). A wait is a synchronisation point, not a claim
// about speed: on a loaded machine (test files run in parallel, --test-concurrency) a daemon may
// take tens of seconds to start, and a wait that succeeds returns as soon as it holds anyway.
import { until as labUntil, type UntilOptions } from '../../src/lab/poll.js';

export { PollTimeoutError, type UntilOptions } from '../../src/lab/poll.js';

export const WAIT_MS = 120_000;

export const until = (ready: () => boolean | Promise<boolean>, opts: UntilOptions): Promise<void> => labUntil(ready, { ...opts, timeoutMs: Math.max(opts.timeoutMs ?? 0, WAIT_MS) });
