// The process around a node: load the config, start the node (with its Map-Server workers and
// data plane), reload on demand (a diff of old and new config applied to the running node, state
// kept), stop.
import type { Logger } from 'pino';
import { ConfigError, diffConfig, loadConfig, type LociConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { LispNode } from '../core/node.js';
import { Operations } from '../core/operations.js';
import { removeStaleSocket, serveApi } from '../api/server.js';
import type { FastifyInstance } from 'fastify';
import type { Network } from '../core/ports.js';
import { dataPlaneOptionsOf, mapServersOf, msWorkersOf, nodeOptionsOf, prefixOf, siteOf } from './node-options.js';
import { DataPlane } from '../dataplane/data-plane.js';
import { MsWorkers } from '../ms-workers/pool.js';

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
    /** The node's one queue of changes, shared by the API and reload. */
    readonly ops: Operations,
    private readonly io: DaemonIo,
    private readonly api: FastifyInstance,
    /** The TUN data plane, when the config has one. */
    readonly dataPlane: DataPlane | undefined,
    private readonly msWorkers: MsWorkers | undefined,
  ) {}

  /** Starts the node of the config file at path (already loaded as config, when the caller read it). */
  static async start(path: string, io: DaemonIo, config: LociConfig = loadConfig(path)): Promise<Daemon> {
    // Before anything is bound: a node of the same name (the same API socket) may be running.
    await removeStaleSocket(config.api.socket);
    const workerOptions = msWorkersOf(config, io);
    const msWorkers = workerOptions ? await MsWorkers.start(workerOptions) : undefined;
    // With workers, the node's control sockets are theirs.
    const node = new LispNode(nodeOptionsOf(config, msWorkers ? { ...io, network: msWorkers.network(io.network) } : io));
    msWorkers?.attach(node);
    let dataPlane: DataPlane | undefined;
    let api: FastifyInstance | undefined;
    const ops = new Operations(node);
    // Registration starts last, once everything else is up: a node that fails to start leaves nothing registered.
    try {
      await node.bind();
      dataPlane = config.dataPlane.enabled ? await DataPlane.start(dataPlaneOptionsOf(config, node, io)) : undefined;
      api = await serveApi(ops, config.api.socket);
    } catch (e) {
      await dataPlane?.stop();
      await node.stop();
      await msWorkers?.stop();
      throw e;
    }
    if (dataPlane) node.counters.addSource(() => dataPlane.snapshot());
    node.startRoles();
    io.log.info(
      {
        node: config.name,
        roles: config.roles,
        listen: node.localAddresses,
        api: config.api.socket,
        ...(dataPlane ? { tun: dataPlane.tunName } : {}),
        ...(msWorkers ? { msWorkers: msWorkers.count } : {}),
      },
      'node started',
    );
    return new Daemon(path, config, node, ops, io, api, dataPlane, msWorkers);
  }

  /** Re-reads the config and applies what changed through the core operations; a broken file is logged and changes nothing. */
  async reload(): Promise<boolean> {
    let next: LociConfig;
    try {
      next = loadConfig(this.path);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.io.log.error({ problems: e.problems }, `reload refused, the running config stays: ${e.message}`);
      return false;
    }
    const d = diffConfig(this.config, next);
    const ops = this.ops;
    const sitesChanged = d.sites.added.length + d.sites.removed.length + d.sites.changed.length > 0;
    // Everything was checked by loadConfig; applying a checked config does not fail, but if it did,
    // the node goes on with what applied and says so.
    const applied = Promise.all([
      ...d.database.removed.map((e) => ops.deleteDatabaseEntry(prefixOf(e))),
      ...[...d.database.added, ...d.database.changed.map((c) => c.new)].map((e) => ops.setDatabaseEntry(prefixOf(e), e.rlocs)),
      // All sites at once: a prefix may move from one site to another.
      ...(sitesChanged ? [ops.setSites(next.sites.map(siteOf))] : []),
      ...(d.mapServers.added.length + d.mapServers.removed.length + d.mapServers.changed.length > 0
        ? [ops.setMapServers(mapServersOf(next, this.io.port))]
        : []),
    ]);
    try {
      await applied;
    } catch (e) {
      this.io.log.error({ error: e instanceof Error ? e.message : String(e) }, 'reload partly applied');
      return false;
    }
    // The workers take refreshes only as the sites were when the Map-Registers were accepted.
    if (sitesChanged) this.msWorkers?.sitesChanged();
    const later = [...d.restart, ...d.settings, ...(d.mapResolvers.added.length + d.mapResolvers.removed.length > 0 || d.mapResolvers.reordered ? ['map-resolvers'] : [])];
    if (later.length > 0) this.io.log.warn({ keys: later }, 'these changes apply after a restart');
    this.config = next;
    this.io.log.info({ database: count(d.database), sites: count(d.sites), mapServers: count(d.mapServers) }, 'config reloaded');
    return true;
  }

  async stop(): Promise<void> {
    await this.api.close();
    await this.dataPlane?.stop();
    await this.node.stop();
    await this.msWorkers?.stop();
    this.io.log.info({ node: this.config.name }, 'node stopped');
  }
}

const count = (l: { added: unknown[]; removed: unknown[]; changed: unknown[] }) => ({ added: l.added.length, removed: l.removed.length, changed: l.changed.length });
