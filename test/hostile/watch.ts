// Watches, through the Map-Server's API, that the correct ETRs keep their registrations during a
// flood: each sample looks for the site's prefix, its ETRs, their locators and how long ago each
// was last refreshed (the lifetime minus what is left of it). A sample the flooded API does not
// answer within a second is counted apart.
import type { LocatorView } from '../../src/api/schemas.js';
import { withTimeout, type Daemon } from './nodes.js';

export interface WatchedSite {
  prefix: string;
  /** The correct ETR's address: the only source the registration should have. */
  etr: string;
  /** The locator sets the registration may show now: the ETR's database, and while a change of it travels to the Map-Server, the one before. */
  locators: () => LocatorView[][];
}

export interface RegistrationFigures {
  /** Samples the API answered. */
  samples: number;
  unanswered: number;
  /** Samples without the site's registration. */
  missing: number;
  /** Longest time seen since the registration was last refreshed, seconds. */
  maxStaleS: number;
  /** Samples whose locators differ from the ETR's database, and the locator sets they showed. */
  wrongLocators: number;
  wrongSeen: string[];
  /** Registrations of the prefix by anyone but the correct ETR: "id from source". */
  foreignEtrs: string[];
}

const SAMPLE_MS = 250;
const API_TIMEOUT_MS = 1000;

const sameLocators = (a: LocatorView[], b: LocatorView[]): boolean =>
  a.length === b.length && a.every((l, i) => l.address === b[i]!.address && l.priority === b[i]!.priority && l.weight === b[i]!.weight);

export class RegistrationWatch {
  private readonly figures = new Map<string, RegistrationFigures>();
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly ms: Daemon,
    private readonly sites: readonly WatchedSite[],
    /** The Map-Server's registration lifetime, seconds. */
    private readonly lifetimeS: number,
  ) {
    for (const s of sites) this.figures.set(s.prefix, { samples: 0, unanswered: 0, missing: 0, maxStaleS: 0, wrongLocators: 0, wrongSeen: [], foreignEtrs: [] });
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<Record<string, RegistrationFigures>> {
    this.running = false;
    await this.loop;
    return Object.fromEntries(this.figures);
  }

  private async run(): Promise<void> {
    while (this.running) {
      const next = Date.now() + SAMPLE_MS;
      await this.sample();
      await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
    }
  }

  private async sample(): Promise<void> {
    // The answer shows the registrations at some moment of the call: what was right at its start is right too.
    const allowedBefore = this.sites.map((s) => s.locators());
    const registrations = await withTimeout(this.ms.client.registrations(), API_TIMEOUT_MS);
    for (const [i, site] of this.sites.entries()) {
      const f = this.figures.get(site.prefix)!;
      if (!registrations) {
        f.unanswered++;
        continue;
      }
      f.samples++;
      const r = registrations.find((x) => x.eidPrefix === site.prefix);
      const own = r?.etrs.find((e) => e.source.split(':')[0] === site.etr);
      for (const e of r?.etrs ?? []) {
        const who = `${e.id} from ${e.source}`;
        if (e !== own && !f.foreignEtrs.includes(who)) f.foreignEtrs.push(who);
      }
      if (!own) {
        f.missing++;
        continue;
      }
      f.maxStaleS = Math.max(f.maxStaleS, this.lifetimeS - own.expiresIn);
      if (![...allowedBefore[i]!, ...site.locators()].some((set) => sameLocators(own.locators, set))) {
        f.wrongLocators++;
        const shown = own.locators.map((l) => `${l.address} ${l.priority}/${l.weight}`).join(', ');
        if (!f.wrongSeen.includes(shown)) f.wrongSeen.push(shown);
      }
    }
  }
}
