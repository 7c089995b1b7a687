// Every `loci` subcommand: its arguments, options and help. The implementation of a subcommand
// (decode.ts, lig.ts, map.ts, rig.ts, status.ts, demo/run-demo.ts, ../daemon/process.ts) is imported only
// when it runs, so `loci --help` and `loci lig` load no more than they use.
import { isIP } from 'node:net';
import { InvalidArgumentError, type Command } from 'commander';
import { LISP_CONTROL_PORT } from '../packet/constants.js';
import type { DecodeOptions } from './decode.js';
import type { LigOptions } from './lig.js';
import type { MapOptions } from './map.js';
import type { RigOptions } from './rig.js';
import type { NodeOptions } from './node-client.js';

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`"${v}" is not a UDP port (1-65535)`);
  return n;
}

const withNodeOptions = (c: Command): Command =>
  c.option('-n, --node <name>', 'node name (its API socket is /run/loci/NAME.sock)').option('--socket <path>', "path of the node's API socket");

const collectPort = (v: string, acc: number[]) => [...acc, parsePort(v)];

function decode(program: Command): void {
  program
    .command('decode')
    .description('decode LISP packets from a capture file (pcap, pcapng) or one hex-encoded UDP payload')
    .argument('<file-or-hex>', 'capture file, or the hex bytes of one LISP message (spaces and colons allowed)')
    .option('--port <n>', 'also treat UDP port n as LISP data (repeatable; e.g. 4343 for EIGRP OTP)', collectPort, [])
    .option('--control-port <n>', 'also treat UDP port n as LISP control (repeatable)', collectPort, [])
    .option('--data', 'a HEX argument is a data packet (LISP header + inner packet), not a control message', false)
    .option('--hex', 'add a hex dump of each LISP payload', false)
    .option('--json', 'print one JSON object per packet', false)
    .option('--verify', 'exit 1 if any LISP message fails to decode or does not re-encode to exactly its bytes', false)
    .action(async (input: string, opts: DecodeOptions) => {
      const { runDecode } = await import('./decode.js');
      process.exitCode = runDecode(input, opts, {
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      });
    });
}

function demo(program: Command): void {
  program
    .command('demo')
    .description('build two LISP sites in network namespaces, run Loci daemons, show registration, lig, ping and throughput, then clean up (needs root)')
    .option('-t, --seconds <n>', 'length of the throughput run', (v) => Number(v), 3)
    .option('--json', 'print a JSON summary instead of the story', false)
    .action(async (o: { seconds: number; json: boolean }) => {
      const { runDemo } = await import('./demo/run-demo.js');
      process.exitCode = await runDemo(o, (line) => process.stdout.write(`${line}\n`));
    });
}

const ipArg = (what: string) => (v: string) => {
  if (!isIP(v)) throw new InvalidArgumentError(`"${v}" is not an IPv4 or IPv6 address (${what})`);
  return v;
};
const intArg = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`"${v}" is not an integer in ${min}..${max}`);
  return n;
};
const secondsArg = (v: string) => {
  const n = Number(v);
  if (!(n > 0 && n <= 60)) throw new InvalidArgumentError(`"${v}" is not a number of seconds in (0, 60]`);
  return n;
};

function lig(program: Command): void {
  program
    .command('lig')
    .description('query the mapping system for an EID (an ECM Map-Request to a Map-Resolver) and print the mapping')
    .argument('<eid>', 'the EID to look up (IPv4 or IPv6 address)', ipArg('EID'))
    .requiredOption('-m, --map-resolver <address>', 'Map-Resolver to ask', ipArg('Map-Resolver'))
    .option('--port <n>', 'Map-Resolver UDP port', parsePort, LISP_CONTROL_PORT)
    .option('-c, --count <n>', 'Map-Requests to send before giving up', intArg(1, 100), 3)
    .option('-t, --timeout <seconds>', 'seconds to wait for each reply', secondsArg, 2)
    .option('-s, --source <address>', 'local RLOC to send from and to be answered at (default: the route to the Map-Resolver)', ipArg('source'))
    .option('-i, --instance-id <n>', 'instance-id of the EID', intArg(0, 0xffffff), 0)
    .option('--json', 'print the answer as JSON', false)
    .action(async (eid: string, opts: LigOptions) => {
      const { runLig } = await import('./lig.js');
      process.exitCode = await runLig(eid, opts, (line) => process.stdout.write(`${line}\n`));
    });
}

function rig(program: Command): void {
  program
    .command('rig')
    .description('walk the LISP-DDT referrals for an EID from a DDT node (DDT Map-Requests, RFC 8112) and print each step')
    .argument('<eid>', 'the EID to look up (IPv4 or IPv6 address)', ipArg('EID'))
    .requiredOption('-d, --ddt-node <address>', 'DDT node to start from (a root, or any node of the tree)', ipArg('DDT node'))
    .option('--port <n>', 'UDP port of the DDT nodes', parsePort, LISP_CONTROL_PORT)
    .option('-c, --count <n>', 'DDT Map-Requests to each node before the next of its referral set', intArg(1, 100), 2)
    .option('-t, --timeout <seconds>', 'seconds to wait for each Map-Referral', secondsArg, 2)
    .option('-s, --source <address>', 'local RLOC to send from and be answered at (default: the route to the DDT node)', ipArg('source'))
    .option('-i, --instance-id <n>', 'instance-id of the EID', intArg(0, 0xffffff), 0)
    .option('--max-referrals <n>', 'node- and ms-referrals to follow at most', intArg(1, 64), 16)
    .option('--json', 'print the walk as JSON', false)
    .action(async (eid: string, opts: RigOptions) => {
      const { runRig } = await import('./rig.js');
      process.exitCode = await runRig(eid, opts, (line) => process.stdout.write(`${line}\n`));
    });
}

function run(program: Command): void {
  program
    .command('run')
    .description('run a LISP node in the foreground from its config file (SIGHUP reloads it, SIGTERM stops it)')
    .requiredOption('-c, --config <file>', 'YAML config file (see docs/config.md)')
    .option('--port <n>', `control port instead of ${LISP_CONTROL_PORT} (labs and tests)`, parsePort)
    .action(async (opts: { config: string; port?: number }) => {
      const { runDaemonProcess } = await import('../daemon/process.js');
      await runDaemonProcess(opts.config, opts.port ? { port: opts.port } : {});
    });
}

/** ADDR[,PRIORITY,WEIGHT] */
function parseRloc(v: string, acc: MapOptions['rloc']): MapOptions['rloc'] {
  const [address = '', priority = '1', weight = '100', ...rest] = v.split(',');
  const byte = (x: string) => /^\d{1,3}$/.test(x) && Number(x) <= 255;
  if (!isIP(address) || !byte(priority) || !byte(weight) || rest.length > 0) {
    throw new InvalidArgumentError(`"${v}" is not ADDRESS[,PRIORITY,WEIGHT] with priority and weight in 0..255`);
  }
  return [...acc, { address, priority: Number(priority), weight: Number(weight) }];
}

const iid = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffff) throw new InvalidArgumentError(`"${v}" is not an instance-id (0..16777215)`);
  return n;
};

function map(program: Command): void {
  const map = program.command('map').description("read and change a running node's mappings (through its management API)");
  const common = (c: Command) => withNodeOptions(c).option('-i, --instance-id <n>', 'instance-id', iid, 0).option('--json', 'print JSON', false);

  common(map.command('get').argument('<eid>', 'EID or EID-prefix').description('what the node knows of an EID: database, map-cache and registrations')).action(
    async (eid: string, o: MapOptions) => (await import('./map.js')).getMapping(eid, o),
  );

  common(map.command('add').argument('<eid-prefix>', 'EID-prefix, e.g. 198.18.1.0/24').description('add or replace a static map-cache entry (or, with --database, one of our EID-prefixes)'))
    .requiredOption('-r, --rloc <address[,priority,weight]>', 'an RLOC (repeatable); priority 1 and weight 100 by default', parseRloc, [])
    .option('--database', 'add to the local database (registered with the Map-Servers) instead of the map-cache', false)
    .action(async (prefix: string, o: MapOptions) => (await import('./map.js')).addMapping(prefix, o));

  common(map.command('delete').argument('<eid-prefix>', 'EID-prefix').description('delete a map-cache entry (or, with --database, one of our EID-prefixes)'))
    .option('--database', 'delete from the local database instead of the map-cache', false)
    .action(async (prefix: string, o: MapOptions) => (await import('./map.js')).deleteMapping(prefix, o));
}

function status(program: Command): void {
  withNodeOptions(program.command('status').description("a running node's roles, addresses, table sizes and counters"))
    .option('--json', 'print JSON', false)
    .action(async (o: NodeOptions & { json: boolean }) => {
      const { showStatus } = await import('./status.js');
      await showStatus(o);
    });
}

/** Adds every subcommand to the program, in the order `loci --help` lists them. */
export function addCommands(program: Command): void {
  for (const add of [decode, demo, lig, rig, run, map, status]) add(program);
}
