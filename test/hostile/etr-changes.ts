// The correct ETR changes its mapping (the weight of its locator) through its API, as an operator
// would: it registers the new mapping and solicits the ITRs it answered lately (SMRs, bounded: the
// flood's bait is among them). Says which locator sets the Map-Server may show meanwhile: the new
// one, and the old one until the new one is seen there.
import type { LocatorView } from '../../src/api/schemas.js';
import { until } from '../../src/lab/poll.js';
import { withTimeout, type Daemons } from './nodes.js';

/** How long a change may take to show at the flooded Map-Server. */
const REGISTER_TIMEOUT_MS = 10_000;

export class EtrChanges {
  made = 0;
  /** Changes the Map-Server showed within REGISTER_TIMEOUT_MS. */
  registered = 0;
  private sets: LocatorView[][];

  constructor(
    private readonly d: Daemons,
    private readonly prefix: string,
    private readonly etr: string,
    weight: number,
  ) {
    this.sets = [this.locators(weight)];
  }

  /** The locator sets the registration may show now. */
  accepted(): LocatorView[][] {
    return this.sets;
  }

  /** Changes the locator's weight and waits until the Map-Server shows it (or gives up). */
  async change(weight: number, apiTimeoutMs = REGISTER_TIMEOUT_MS): Promise<boolean> {
    this.sets = [...this.sets, this.locators(weight)];
    this.made++;
    await withTimeout(this.d.etr.client.setDatabaseEntry({ 'eid-prefix': this.prefix, rlocs: [{ address: this.etr, priority: 1, weight }] }), apiTimeoutMs);
    const shown = async () => (await withTimeout(this.d.ms.client.registrations(), 1000))?.find((r) => r.eidPrefix === this.prefix)?.etrs[0]?.locators[0]?.weight === weight;
    const registered = await until(shown, { what: "the ETR's changed mapping at the Map-Server", timeoutMs: REGISTER_TIMEOUT_MS, intervalMs: 100 }).then(
      () => true,
      () => false,
    );
    if (registered) this.registered++;
    this.sets = [this.locators(weight)];
    return registered;
  }

  /** Every everyS seconds until `done` settles, a change to the next of weights. */
  async repeat(everyS: number, weights: readonly number[], done: Promise<unknown>): Promise<void> {
    let finished = false;
    void done.finally(() => (finished = true));
    for (let i = 0; ; i++) {
      await Promise.race([done, new Promise((r) => setTimeout(r, everyS * 1000))]);
      if (finished) return;
      await this.change(weights[i % weights.length]!);
    }
  }

  private locators(weight: number): LocatorView[] {
    return [{ address: this.etr, priority: 1, weight, state: 'up' }];
  }
}
