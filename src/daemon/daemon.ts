// The process around a node: create(config, io) builds and starts the node of a config (with its
// Map-Server workers, data plane and API); apply(config) brings the running node to another config
// through the core operations (the diff of the two, state kept); reload is load-then-apply; stop.
import type { Logger } from 'pino';
import { ConfigError, diffConfig, loadConfig, type LociConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { LispNode } from '../core/node.js';
import { Operations } from '../core/operations.js';
import { removeStaleSocket, serveApi } from '../api/server.js';
import type { FastifyInstance } from 'fastify';
import type { Network } from '../core/ports.js';
import { dataPlaneOptionsOf, msWorkersOf, nodeOptionsOf, prefixOf, roleOptionsOf } from './node-options.js';
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
    private config: LociConfig,
    readonly node: LispNode,
    /** The node's one queue of changes, shared by the API and reload. */
    readonly ops: Operations,
    private readonly io: DaemonIo,
    private readonly api: FastifyInstance,
    /** The TUN data plane, when the config has one. */
    readonly dataPlane: DataPlane | undefined,
    private readonly msWorkers: MsWorkers | undefined,
    /** The file a reload reads. */
    private readonly path: string | undefined,
  ) {}

  /** Builds and starts the node of a checked config; path: the file it came from, which reload() reads again. */
  static async create(config: LociConfig, io: DaemonIo, path?: string): Promise<Daemon> {
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
    return new Daemon(config, node, ops, io, api, dataPlane, msWorkers, path);
  }

  /** Re-reads the config file and applies it; a broken file is logged and changes nothing. */
  async reload(): Promise<boolean> {
    if (this.path === undefined) {
      this.io.log.error('reload refused: this node was not started from a config file');
      return false;
    }
    let next: LociConfig;
    try {
      next = loadConfig(this.path);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.io.log.error({ problems: e.problems }, `reload refused, the running config stays: ${e.message}`);
      return false;
    }
    return this.apply(next);
  }

  /**
   * Brings the running node to a checked config: database entries through the operations, then each
   * role its options again (sites, Map-Servers, Map-Resolvers, referrals, timers, TTLs, map-cache
   * size apply in place), the log settings. What takes a restart (diff.ts RESTART_KEYS) is logged and
   * keeps its running value. False, logged, when part of it could not apply.
   */
  async apply(next: LociConfig): Promise<boolean> {
    const d = diffConfig(this.config, next);
    const ops = this.ops;
    const roles = this.node.roles;
    const applied = Promise.all([
      ...d.database.removed.map((e) => ops.deleteDatabaseEntry(prefixOf(e))),
      ...[...d.database.added, ...d.database.changed.map((c) => c.new)].map((e) => ops.setDatabaseEntry(prefixOf(e), e.rlocs)),
      ...roles.map((r) => ops.reconfigure(r, roleOptionsOf(r, next, this.io.port))),
      ops.setLogHex(next.logHex),
    ]);
    try {
      await applied;
    } catch (e) {
      this.io.log.error({ error: e instanceof Error ? e.message : String(e) }, 'reload partly applied');
      return false;
    }
    this.io.log.level = next.logLevel;
    if (d.restart.length > 0) this.io.log.warn({ keys: d.restart }, 'these changes apply after a restart');
    // What takes a restart keeps its running value, so that the next diff still shows it.
    this.config = { ...next, ...Object.fromEntries(d.restart.map((k) => [k, this.config[k]])) };
    this.io.log.info({ database: count(d.database), sites: count(d.sites), mapServers: count(d.mapServers), settings: d.settings }, 'config reloaded');
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
