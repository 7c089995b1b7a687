// The one polling helper lives with the namespace lab (src/io/lab/poll.ts); tests import it from here or there.
export { until, PollTimeoutError, type UntilOptions } from '../../src/io/lab/poll.js';
