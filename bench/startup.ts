// bench/startup: how long the `loci` command takes to start, against `node -e 0` in the same run,
// and a daemon's memory with and without its Map-Server workers.
//
//   loci --help
//   loci lig 198.18.0.1 -m 127.0.91.1 --port 9 -c 1 -t 0.1   (nothing listens on that port)
//   loci decode test/vectors/captures/lispproject-map_request.pcap
//
// The commands run in turns (node -e 0, --help, lig, decode, node -e 0, ...), so a change in the
// machine's load touches them alike; each prints its median wall time and its ratio to node -e 0's
// (lig's also less the 0.1 s it waits for a reply).
// Then a Map-Server/Map-Resolver (`loci run`, 1000 sites) starts with `ms-workers: 0` and with
// `ms-workers: auto`; its RSS is read from /proc once its API answers and a second has passed.
// It runs bin/loci.js as installed (the compiled build in dist/, which `npm run build` makes);
// --sources runs the TypeScript sources through tsx instead (LOCI_FROM_SOURCES=1).
// Run: npm run bench:startup [-- --runs N] [-- --sources]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LociClient } from '../src/client/client.js';

const MS = '127.0.91.1';
const LIG_SOURCE = '127.0.91.2';
const SITES = 1000;
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const LOCI = here('../bin/loci.js');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
const sources = process.argv.includes('--sources');
const { LOCI_FROM_SOURCES: _, ...baseEnv } = process.env;
const env = sources ? { ...baseEnv, LOCI_FROM_SOURCES: '1' } : baseEnv;
if (!sources && !existsSync(here('../dist/cli/main.js'))) {
  console.error('bench/startup measures the compiled build: run `npm run build` first (or pass --sources)');
  process.exit(1);
}

/** lig waits this long for the reply that never comes (-t 0.1). */
const LIG_WAIT_MS = 100;

const commands: [string, string[]][] = [
  ['node -e 0', ['-e', '0']],
  ['loci --help', [LOCI, '--help']],
  ['loci lig (closed port, -c 1 -t 0.1)', [LOCI, 'lig', '198.18.0.1', '-m', MS, '--port', '9', '-s', LIG_SOURCE, '-c', '1', '-t', String(LIG_WAIT_MS / 1000)]],
  ['loci decode (a 4-packet capture)', [LOCI, 'decode', here('../test/vectors/captures/lispproject-map_request.pcap')]],
];

/** Wall time of one run, ms; a command that fails (other than lig's "no answer", exit 1) stops the bench. */
function timeRun(name: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && !(name.startsWith('loci lig') && r.status === 1)) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function startup(): void {
  const times = commands.map(() => [] as number[]);
  // One warm-up turn: the first run of each reads its files from disk.
  for (const [name, args] of commands) timeRun(name, args);
  for (let i = 0; i < runs; i++) commands.forEach(([name, args], c) => times[c]!.push(timeRun(name, args)));
  const base = median(times[0]!);
  console.log(`Startup, median of ${runs} runs each, in turns (${sources ? 'TypeScript sources through tsx' : 'compiled build, dist/'}); Node ${process.version}, ${availableParallelism()} CPUs`);
  for (const [c, [name]] of commands.entries()) {
    const m = median(times[c]!);
    // lig's start is its time less the wait for a reply.
    const start = name.startsWith('loci lig') ? `; less its ${LIG_WAIT_MS} ms wait: ${(m - LIG_WAIT_MS).toFixed(0)} ms, ${((m - LIG_WAIT_MS) / base).toFixed(2)}x` : '';
    console.log(`  ${name.padEnd(40)} ${m.toFixed(0).padStart(6)} ms   ${(m / base).toFixed(2)}x node -e 0${start}`);
  }
}

const vm = (pid: number, key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** The RSS of a Map-Server daemon with the given ms-workers, once it serves its API and a second later. */
async function daemonRss(workers: string): Promise<{ rssMb: number; threads: number; workers: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'loci-bench-startup-'));
  const sitePrefix = (i: number) => `198.18.${i >> 4}.${(i & 15) << 4}`;
  writeFileSync(
    join(dir, 'ms.yaml'),
    [
      'name: bench-startup',
      'roles: [ms, mr]',
      `listen: [${MS}]`,
      `api: { socket: ${dir}/ms.sock }`,
      'log-level: info',
      `ms-workers: ${workers}`,
      'sites:',
      ...Array.from({ length: SITES }, (_, i) => `  - { name: s${i}, key: site-${i}-secret, eid-prefixes: [${sitePrefix(i)}/28] }`),
    ].join('\n'),
  );
  const daemon = spawn(process.execPath, [LOCI, 'run', '-c', join(dir, 'ms.yaml')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr.on('data', (d: Buffer) => (log += d.toString()));
  try {
    const api = new LociClient(join(dir, 'ms.sock'));
    for (let ready = false; !ready; ) {
      if (daemon.exitCode !== null) throw new Error(`the daemon exited (${daemon.exitCode}): ${log}`);
      ready = await api.status().then(() => true, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1000));
    // The started line says how many workers `auto` made.
    const started = log.split('\n').find((l) => l.includes('"node started"'));
    const count = started ? ((JSON.parse(started) as { msWorkers?: number }).msWorkers ?? 0) : 0;
    return { rssMb: vm(daemon.pid!, 'VmRSS') / 1024, threads: vm(daemon.pid!, 'Threads'), workers: count };
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

startup();
console.log(`Map-Server/Map-Resolver daemon (${SITES} sites), RSS once its API answers + 1 s:`);
const without = await daemonRss('0');
console.log(`  ms-workers: 0      ${without.rssMb.toFixed(0).padStart(4)} MB   (${without.threads} threads)`);
const auto = await daemonRss('auto');
const each = auto.workers > 0 ? `, ${((auto.rssMb - without.rssMb) / auto.workers).toFixed(0)} MB more each` : '';
console.log(`  ms-workers: auto   ${auto.rssMb.toFixed(0).padStart(4)} MB   (${auto.threads} threads; ${auto.workers} workers${each})`);
