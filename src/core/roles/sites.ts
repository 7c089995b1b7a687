// The Map-Server's configured sites: their keys and the EID-prefixes each may register.
import type { AuthAlgorithm } from '../../packet/index.js';
import { EidTable, formatPrefix, type EidPrefix } from '../../table/index.js';
import type { NonceCheck } from './replay-guard.js';

export interface SiteKey {
  keyId: number;
  key: string;
  algorithm: AuthAlgorithm;
  /** Also accept RFC 9301's truncated HMACs (12 / 16 bytes) from this key; full HMACs only otherwise. */
  truncated?: boolean;
}

export interface SitePrefixSpec {
  prefix: EidPrefix;
  /** The site may register prefixes inside this one, not only this one. */
  acceptMoreSpecifics: boolean;
}

export interface SiteSpec {
  name: string;
  keys: SiteKey[];
  prefixes: SitePrefixSpec[];
  /** Replay protection (replay-guard.ts); auto when undefined. */
  nonceCheck?: NonceCheck;
}

export const nonceCheckOf = (s: SiteSpec): NonceCheck => s.nonceCheck ?? 'auto';

interface Allowed extends SitePrefixSpec {
  site: SiteSpec;
}

/**
 * The sites, each prefix configured by exactly one site (nested prefixes of different sites are
 * fine: the longest configured prefix decides). Every change is checked whole before anything
 * changes, so a refused one leaves the table as it was.
 */
export class Sites {
  private readonly allowed = new EidTable<Allowed>();
  private readonly byName = new Map<string, SiteSpec>();

  constructor(sites: readonly SiteSpec[] = []) {
    for (const s of sites) this.add(s);
  }

  /** Adds a site; throws (changing nothing) when its name exists or another site configures one of its prefixes. */
  add(site: SiteSpec): void {
    if (this.byName.has(site.name)) throw new RangeError(`site ${site.name} exists`);
    this.checkPrefixes(site);
    this.byName.set(site.name, site);
    for (const p of site.prefixes) this.allowed.set(p.prefix, { ...p, site });
  }

  /** Adds or replaces the site of that name, or throws and changes nothing. */
  set(site: SiteSpec): void {
    this.checkPrefixes(site);
    this.remove(site.name);
    this.add(site);
  }

  /** Replaces every site at once, or throws and changes nothing. */
  replaceAll(sites: readonly SiteSpec[]): void {
    new Sites(sites);
    for (const name of [...this.byName.keys()]) this.remove(name);
    for (const site of sites) this.add(site);
  }

  remove(name: string): boolean {
    const site = this.byName.get(name);
    if (!site) return false;
    for (const p of site.prefixes) this.allowed.delete(p.prefix);
    this.byName.delete(name);
    return true;
  }

  private checkPrefixes(site: SiteSpec): void {
    for (const p of site.prefixes) {
      const other = this.allowed.get(p.prefix)?.site;
      if (other && other.name !== site.name) throw new RangeError(`${formatPrefix(p.prefix)} is already a prefix of site ${other.name}`);
    }
  }

  get(name: string): SiteSpec | undefined {
    return this.byName.get(name);
  }

  list(): SiteSpec[] {
    return [...this.byName.values()];
  }

  /** The site that may register this prefix: configured as is, or inside a prefix that accepts more-specifics. */
  siteFor(prefix: EidPrefix): SiteSpec | undefined {
    const covering = this.allowed.lessSpecifics(prefix);
    for (let i = covering.length - 1; i >= 0; i--) {
      const a = covering[i]!.value;
      if (a.prefix.len === prefix.len || a.acceptMoreSpecifics) return a.site;
    }
    return undefined;
  }

  /** The configured prefix containing this EID (longest), if any. */
  configured(prefix: EidPrefix): EidPrefix | undefined {
    return this.allowed.match(prefix)?.prefix;
  }

  /** The least-specific prefix containing the EID that overlaps no configured prefix (for "not an EID" replies). */
  outside(prefix: EidPrefix): EidPrefix | undefined {
    return this.allowed.uncoveredPrefix(prefix);
  }
}
