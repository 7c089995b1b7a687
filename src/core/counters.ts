// Named event counters of a node (received, sent, rejected-by-reason ...), read by the API; the
// names are counter-names.ts's. Other threads (data-plane and Map-Server workers) count in their
// own memory, added as sources; a snapshot sums a name counted in several places.
import type { NodeCounterName } from './counter-names.js';

export class Counters {
  private readonly values = new Map<string, number>();
  /** Counters kept elsewhere (the workers), merged into snapshots. */
  private readonly sources = new Set<() => Record<string, number>>();

  inc(name: NodeCounterName, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  /** The counter's value here plus what every source counts under the same name. */
  get(name: string): number {
    let n = this.values.get(name) ?? 0;
    for (const s of this.sources) n += s()[name] ?? 0;
    return n;
  }

  /** Adds counters read from source at each snapshot. */
  addSource(source: () => Record<string, number>): void {
    this.sources.add(source);
  }

  /** Every counter, sorted by name; a name counted in several places is their sum. */
  snapshot(): Record<string, number> {
    const sums = new Map(this.values);
    for (const s of this.sources) for (const [name, n] of Object.entries(s())) sums.set(name, (sums.get(name) ?? 0) + n);
    return Object.fromEntries([...sums].sort(([a], [b]) => a.localeCompare(b)));
  }
}
