// The daemon process: a node on real UDP sockets and the system clock, logging JSON
// lines to stderr; SIGHUP reloads the config, SIGTERM and SIGINT stop the node and exit.
import { pino } from 'pino';
import { loadConfig } from '../config/index.js';
import { SystemClock } from '../core/clock.js';
import { udpNetwork } from '../io/udp.js';
import { Daemon } from './daemon.js';

export async function runDaemonProcess(configPath: string, o: { port?: number } = {}): Promise<Daemon> {
  const config = loadConfig(configPath);
  const log = pino({ name: 'loci', level: config.logLevel }, pino.destination(2));
  const clock = new SystemClock((e) => log.error({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }, 'a timer failed'));
  const daemon = await Daemon.create(config, { network: udpNetwork, clock, log, ...o }, configPath);
  // No exception escapes a timer: it is logged at error level and counted, and the node goes on.
  clock.reportErrorsTo((e) => {
    daemon.node.counters.inc('timer.error');
    log.error({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }, 'a timer failed');
  });
  process.on('SIGHUP', () => void daemon.reload());
  const stop = async () => {
    await daemon.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  return daemon;
}
