// Log lines that input can trigger, limited per reason: the first line of a reason goes out at once,
// the next ones within the interval are only counted, and the first line after it says how many were
// suppressed. Counters stay exact; only the log is thinned. The reasons are a bounded set: past
// maxReasons distinct ones, the rest share one budget.
import type { Log } from './ports.js';

export interface LimitedLogOptions {
  log: Log | undefined;
  now: () => number;
  /** At most one line per reason per this interval (default 1 s). */
  intervalMs?: number;
  /** Distinct reasons remembered (default 256). */
  maxReasons?: number;
}

interface Slot {
  lastAt: number;
  suppressed: number;
}

const OTHER = '(other reasons)';

export class LimitedLog {
  private readonly slots = new Map<string, Slot>();
  private readonly intervalMs: number;
  private readonly maxReasons: number;

  constructor(private readonly o: LimitedLogOptions) {
    this.intervalMs = o.intervalMs ?? 1000;
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
    if (slot && now - slot.lastAt < this.intervalMs) {
      slot.suppressed++;
      return;
    }
    const suppressed = slot?.suppressed ?? 0;
    this.slots.set(key, { lastAt: now, suppressed: 0 });
    log[level]({ ...fields, ...(suppressed > 0 ? { suppressed, suppressedOverMs: now - slot!.lastAt } : {}) }, message);
  }
}
