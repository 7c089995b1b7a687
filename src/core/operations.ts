// The one way to read and change a node's state (DESIGN example 4): the management API,
// the CLI (through the API) and config reload all call these. Changes run one at a time,
// in order, through a queue per node; reads answer at once.
import { LispError } from '../packet/index.js';
import { formatPrefix, type EidPrefix, type LocalMapping, type Locator, type MapCacheEntry, type MapCacheState, type NegativeAction } from '../table/index.js';
import { LispNode, type Role } from './node.js';
import type { Capabilities } from './role.js';
import type { RegistrationStatus } from './roles/registrar.js';
import { mergedLocators } from './roles/map-server.js';
import { locatorsOf, tableLocators, type LocatorSpec } from './wire-mapping.js';

export type { LocatorSpec } from './wire-mapping.js';

export interface LocatorView {
  address: string;
  priority: number;
  weight: number;
  state: 'up' | 'down';
}

export interface MappingView {
  eidPrefix: string;
  source: 'database' | 'map-cache' | 'registration';
  locators: LocatorView[];
  /** Map-cache entries only. */
  state?: MapCacheState;
  static?: boolean;
  action?: NegativeAction;
  /** Seconds until the entry expires; null when it does not. */
  expiresIn?: number | null;
}

export interface RegistrationView {
  site: string;
  eidPrefix: string;
  etrs: { id: string; source: string; proxyReply: boolean; locators: LocatorView[]; expiresIn: number }[];
}

export interface StatusView {
  name: string;
  roles: readonly Role[];
  listen: string[];
  database: number;
  mapCache: number;
  sites: number;
  registrations: number;
  /** An ETR's registration with each of its Map-Servers. */
  mapServers: RegistrationStatus[];
}

const tableView = (l: Locator): LocatorView => ({ address: l.address, priority: l.priority, weight: l.weight, state: l.state });

export class Operations {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly node: LispNode) {}

  status(): StatusView {
    const n = this.node;
    return {
      name: n.name,
      roles: n.roles,
      listen: n.localAddresses.map((e) => `${e.address}:${e.port}`),
      database: n.capability('database')?.size ?? 0,
      mapCache: n.capability('mapCache')?.size ?? 0,
      sites: n.capability('mapServer')?.sites.list().length ?? 0,
      registrations: n.capability('mapServer')?.registrations().length ?? 0,
      mapServers: n.capability('registration')?.status() ?? [],
    };
  }

  counters(): Record<string, number> {
    return this.node.counters.snapshot();
  }

  /** What the node knows of an EID: its own database entry, its map-cache entry, a registration. */
  lookup(eid: EidPrefix): MappingView[] {
    const out: MappingView[] = [];
    const own = this.node.capability('database')?.lookup(eid);
    if (own) out.push(this.databaseView(own));
    const cached = this.node.capability('mapCache')?.table.match(eid)?.value;
    if (cached && !cached.local) out.push(this.cacheView(cached));
    const res = this.node.capability('mapServer')?.resolve(eid);
    if (res?.kind === 'registered') {
      const r = res.registrations[0]!;
      out.push({ eidPrefix: formatPrefix(r.prefix), source: 'registration', locators: tableLocators(mergedLocators(r)).map(tableView) });
    }
    return out;
  }

  database(): MappingView[] {
    return [...(this.node.capability('database')?.entries() ?? [])].map((e) => this.databaseView(e));
  }

  mapCache(): MappingView[] {
    return [...(this.node.capability('mapCache')?.entries() ?? [])].map((e) => this.cacheView(e));
  }

  sites(): { name: string; keyIds: number[]; eidPrefixes: { eidPrefix: string; acceptMoreSpecifics: boolean }[] }[] {
    return (this.node.capability('mapServer')?.sites.list() ?? []).map((s) => ({
      name: s.name,
      keyIds: [...new Set(s.keys.map((k) => k.keyId))],
      eidPrefixes: s.prefixes.map((p) => ({ eidPrefix: formatPrefix(p.prefix), acceptMoreSpecifics: p.acceptMoreSpecifics })),
    }));
  }

  registrations(): RegistrationView[] {
    const now = this.now();
    return (this.node.capability('mapServer')?.registrations() ?? []).map((r) => ({
      site: r.site,
      eidPrefix: formatPrefix(r.prefix),
      etrs: [...r.etrs.values()].map((e) => ({
        id: e.id,
        source: `${e.source.address}:${e.source.port}`,
        proxyReply: e.proxyReply,
        locators: tableLocators(e.record.locators).map(tableView),
        expiresIn: Math.round((e.expiresAt - now) / 1000),
      })),
    }));
  }

  /** Adds or replaces one of the node's own EID-prefixes (registered, and followed by the data plane, at once). */
  setDatabaseEntry(prefix: EidPrefix, locators: readonly LocatorSpec[]): Promise<void> {
    return this.serial(() => {
      this.need('database').set(prefix, locatorsOf(locators));
    });
  }

  deleteDatabaseEntry(prefix: EidPrefix): Promise<void> {
    return this.serial(() => {
      if (!this.need('database').delete(prefix)) throw notFound('database entry', prefix);
    });
  }

  /** Adds or replaces a static map-cache entry (it never expires). */
  setMapCacheEntry(prefix: EidPrefix, locators: LocatorSpec[]): Promise<void> {
    return this.serial(() => {
      const cache = this.need('mapCache');
      if (!cache.addStatic(prefix, { locators: locatorsOf(locators) })) throw new LispError('ERR_LISP_ROLE', `${formatPrefix(prefix)} is one of the node's own EID-prefixes`);
    });
  }

  deleteMapCacheEntry(prefix: EidPrefix): Promise<void> {
    return this.serial(() => {
      if (!this.need('mapCache').delete(prefix)) throw notFound('map-cache entry', prefix);
    });
  }

  /**
   * A role's options again, changed (a reload): what changed applies in place (sites, Map-Servers,
   * Map-Resolvers, referrals, timers, TTLs, the map-cache size). Options a role cannot take (a prefix
   * in two sites) change nothing: ERR_LISP_INVALID.
   */
  reconfigure(role: Role, options: unknown): Promise<void> {
    return this.serial(() => {
      try {
        this.node.reconfigure(role, options);
      } catch (e) {
        if (e instanceof RangeError) throw new LispError('ERR_LISP_INVALID', e.message);
        throw e;
      }
    });
  }

  /** With log-level debug: hex dumps of the packets logged, or not. */
  setLogHex(on: boolean): Promise<void> {
    return this.serial(() => {
      this.node.logHex = on;
    });
  }

  private serial<T>(fn: () => T): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** A capability of the node, or ERR_LISP_ROLE naming the role it lacks. */
  private need<K extends keyof Capabilities>(name: K): Capabilities[K] {
    const part = this.node.capability(name);
    if (part === undefined) throw new LispError('ERR_LISP_ROLE', `node ${this.node.name} has no ${LispNode.roleOf(name)} role`);
    return part;
  }

  private now(): number {
    return this.node.clock.now();
  }

  private databaseView(e: LocalMapping): MappingView {
    return { eidPrefix: formatPrefix(e.eid), source: 'database', locators: e.locators.map(tableView) };
  }

  private cacheView(e: MapCacheEntry): MappingView {
    return {
      eidPrefix: formatPrefix(e.eid),
      source: 'map-cache',
      state: e.state,
      static: e.static,
      action: e.action,
      expiresIn: Number.isFinite(e.expiresAt) ? Math.round((e.expiresAt - this.now()) / 1000) : null,
      locators: e.locators.map(tableView),
    };
  }
}

const notFound = (what: string, prefix: EidPrefix) => new LispError('ERR_LISP_NOT_FOUND', `no ${what} for ${formatPrefix(prefix)}`);
