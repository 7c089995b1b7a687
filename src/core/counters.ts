// Named event counters of a node (received, sent, rejected-by-reason ...), read by the API.

export class Counters {
  private readonly values = new Map<string, number>();
  /** Counters kept elsewhere (the data-plane workers), merged into snapshots. */
  private readonly sources = new Set<() => Record<string, number>>();

  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  /** Adds counters read from source at each snapshot. */
  addSource(source: () => Record<string, number>): void {
    this.sources.add(source);
  }

  /** Every counter, sorted by name. */
  snapshot(): Record<string, number> {
    const all = [...this.values, ...[...this.sources].flatMap((s) => Object.entries(s()))];
    return Object.fromEntries(all.sort(([a], [b]) => a.localeCompare(b)));
  }
}
