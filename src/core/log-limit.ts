// Log lines that input can trigger, limited per reason: the first line of a reason goes out at once,
// the next ones within the interval are only counted, and the first line after it says how many were
// suppressed. A reason that keeps coming (none of it quiet for a whole interval) waits twice as long
// after each line, up to maxIntervalMs, so a sustained flood writes a few lines per reason per minute
// instead of one a second; after a quiet interval it is back to intervalMs. Counters stay exact; only
// the log is thinned. The reasons are a bounded set: past maxReasons distinct ones, the rest share
// one budget.
import type { Log } from './ports.js';

export interface LimitedLogOptions {
  log: Log | undefined;
  now: () => number;
  /** At most one line per reason per this interval (default 1 s). */
  intervalMs?: number;
  /** The longest interval a reason that keeps coming backs off to (default 60 s). */
  maxIntervalMs?: number;
  /** Distinct reasons remembered (default 256). */
  maxReasons?: number;
}

interface Slot {
  /** When its last line was written, and when it last came (written or suppressed). */
  lastAt: number;
  lastSeen: number;
  intervalMs: number;
  suppressed: number;
}

const OTHER = '(other reasons)';

export class LimitedLog {
  private readonly slots = new Map<string, Slot>();
  private readonly intervalMs: number;
  private readonly maxIntervalMs: number;
  private readonly maxReasons: number;

  constructor(private readonly o: LimitedLogOptions) {
    this.intervalMs = o.intervalMs ?? 1000;
    this.maxIntervalMs = Math.max(this.intervalMs, o.maxIntervalMs ?? 60_000);
    this.maxReasons = o.maxReasons ?? 256;
  }

  warn(reason: string, fields: object, message: string): void {
    this.write('warn', reason, fields, message);
  }

  error(reason: string, fields: object, message: string): void {
    this.write('error', reason, fields, message);
  }

  private write(level: 'warn' | 'error', reason: string, fields: object, message: string): void {
    const log = this.o.log;
    if (!log) return;
    const key = this.slots.has(reason) || this.slots.size < this.maxReasons ? reason : OTHER;
    const now = this.o.now();
    const slot = this.slots.get(key);
    if (slot && now - slot.lastAt < slot.intervalMs) {
      slot.suppressed++;
      slot.lastSeen = now;
      return;
    }
    const busy = slot !== undefined && now - slot.lastSeen < slot.intervalMs;
    const intervalMs = busy ? Math.min(slot.intervalMs * 2, this.maxIntervalMs) : this.intervalMs;
    const suppressed = slot?.suppressed ?? 0;
    this.slots.set(key, { lastAt: now, lastSeen: now, intervalMs, suppressed: 0 });
    log[level]({ ...fields, ...(suppressed > 0 ? { suppressed, suppressedOverMs: now - slot!.lastAt } : {}) }, message);
  }
}
