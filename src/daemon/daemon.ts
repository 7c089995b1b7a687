// The process around a node: load the config, start the node, reload on demand (a
// diff of old and new config applied to the running node, state kept), stop.
import type { Logger } from 'pino';
import { ConfigError, diffConfig, loadConfig, type LociConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { LispNode } from '../core/node.js';
import type { Network } from '../core/ports.js';
import { databaseEntryOf, nodeOptionsOf, prefixOf, siteOf } from './node-options.js';

export interface DaemonIo {
  network: Network;
  clock: Clock;
  log: Logger;
  /** Control port instead of 4342 (labs and tests). */
  port?: number;
}

export class Daemon {
  private constructor(
    private readonly path: string,
    private config: LociConfig,
    readonly node: LispNode,
    private readonly io: DaemonIo,
  ) {}

  static async start(path: string, io: DaemonIo): Promise<Daemon> {
    const config = loadConfig(path);
    const node = new LispNode(nodeOptionsOf(config, io));
    await node.start();
    io.log.info({ node: config.name, roles: config.roles, listen: node.localAddresses }, 'node started');
    return new Daemon(path, config, node, io);
  }

  /** Re-reads the config and applies what changed; a broken file is logged and changes nothing. */
  reload(): boolean {
    let next: LociConfig;
    try {
      next = loadConfig(this.path);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.io.log.error({ problems: e.problems }, `reload refused, the running config stays: ${e.message}`);
      return false;
    }
    const d = diffConfig(this.config, next);
    const { etr, ms } = this.node;
    for (const e of d.database.removed) etr?.deleteEntry(prefixOf(e));
    for (const e of [...d.database.added, ...d.database.changed.map((c) => c.new)]) etr?.setEntry(databaseEntryOf(e));
    for (const s of [...d.sites.removed, ...d.sites.changed.map((c) => c.old)]) ms?.sites.remove(s.name);
    for (const s of [...d.sites.added, ...d.sites.changed.map((c) => c.new)]) ms?.sites.add(siteOf(s));
    if (d.mapServers.added.length + d.mapServers.removed.length + d.mapServers.changed.length > 0) {
      etr?.setMapServers(nodeOptionsOf(next, this.io).mapServers ?? []);
    }
    const later = [...d.restart, ...d.settings, ...(d.mapResolvers.added.length + d.mapResolvers.removed.length > 0 || d.mapResolvers.reordered ? ['map-resolvers'] : [])];
    if (later.length > 0) this.io.log.warn({ keys: later }, 'these changes apply after a restart');
    this.config = next;
    this.io.log.info({ database: count(d.database), sites: count(d.sites), mapServers: count(d.mapServers) }, 'config reloaded');
    return true;
  }

  async stop(): Promise<void> {
    await this.node.stop();
    this.io.log.info({ node: this.config.name }, 'node stopped');
  }
}

const count = (l: { added: unknown[]; removed: unknown[]; changed: unknown[] }) => ({ added: l.added.length, removed: l.removed.length, changed: l.changed.length });
