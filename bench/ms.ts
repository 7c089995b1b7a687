// bench/ms: a Loci Map-Server (a `loci run` daemon on 127.0.0.90) under load from a separate
// load-generator process: Map-Registers of 1000 simulated sites signed with HMAC-SHA-1, then
// with HMAC-SHA-256, then ECM Map-Requests answered by proxy reply. Rates come from the
// daemon's counters (through its API), CPU and memory from /proc. The baseline, measured in
// the same run, is how many of the same datagrams a bare Node UDP socket receives from the
// same generator. Run: node --import tsx bench/ms.ts [--seconds N]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LociClient } from '../src/client/client.js';
import {
  encapsulate,
  encodeAuthenticated,
  encodeMessage,
  ipAddress,
  MAP_REGISTER_FLAGS,
  mapRequestFor,
  noFlags,
  type MapRegister,
} from '../src/packet/index.js';

const SITES = 1000;
const MS = '127.0.0.90';
const REPLY_SINK_PORT = 40_000;
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1] || 5);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'loci-bench-ms-'));

const sitePrefix = (i: number) => `198.18.${i >> 4}.${(i & 15) << 4}`;
const key = (i: number) => `site-${i}-secret`;

writeFileSync(
  join(dir, 'ms.yaml'),
  [
    'name: bench-ms',
    'roles: [ms, mr]',
    `listen: [${MS}]`,
    `api: { socket: ${dir}/ms.sock }`,
    'log-level: warn',
    'sites:',
    ...Array.from({ length: SITES }, (_, i) =>
      `  - { name: s${i}, keys: [{ key-id: 1, key: ${key(i)}, algorithm: sha1 }, { key-id: 2, key: ${key(i)}, algorithm: sha256 }], eid-prefixes: [${sitePrefix(i)}/28] }`,
    ),
  ].join('\n'),
);

function registers(algorithmId: 1 | 2): string[] {
  return Array.from({ length: SITES }, (_, i) => {
    const m: MapRegister = {
      type: 'map-register',
      ...noFlags(MAP_REGISTER_FLAGS),
      proxyReply: true,
      nonce: BigInt(i + 1),
      keyId: algorithmId,
      algorithmId,
      authData: Buffer.alloc(0),
      records: [
        {
          ttl: 1440,
          maskLen: 28,
          eid: ipAddress(sitePrefix(i)),
          act: 0,
          authoritative: true,
          mapVersion: 0,
          locators: [{ priority: 1, weight: 100, mPriority: 255, mWeight: 0, local: true, probed: false, reachable: true, address: ipAddress(`192.0.2.${(i % 250) + 1}`) }],
        },
      ],
    };
    return encodeAuthenticated(m, key(i)).toString('hex');
  });
}

function mapRequests(): string[] {
  return Array.from({ length: SITES }, (_, i) => {
    const eid = sitePrefix(i).replace(/\d+$/, (x) => String(Number(x) + 5));
    const request = mapRequestFor({ eid: ipAddress(eid), maskLen: 32, itrRlocs: ['127.0.0.1'], nonce: BigInt(i + 1) });
    return encodeMessage(encapsulate(request, { src: '127.0.0.1', dst: eid, sport: REPLY_SINK_PORT })).toString('hex');
  });
}

const files = {
  sha1: join(dir, 'sha1.hex'),
  sha256: join(dir, 'sha256.hex'),
  requests: join(dir, 'requests.hex'),
};
writeFileSync(files.sha1, registers(1).join('\n'));
writeFileSync(files.sha256, registers(2).join('\n'));
writeFileSync(files.requests, mapRequests().join('\n'));

function child(args: string[]): { done: Promise<string>; ready: Promise<void> } {
  const p = spawn(process.execPath, ['--import', 'tsx', here('./ms-load.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => (markReady = r));
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('ready')) markReady();
  });
  return { done: new Promise((resolve) => p.on('exit', () => resolve(out.replace('ready\n', '').trim()))), ready };
}

const cpuTicks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
};
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

async function main(): Promise<void> {
  // Baseline: the same datagrams to a bare UDP socket.
  const sink = child(['sink', '127.0.0.91', '4342', String(seconds)]);
  await sink.ready;
  await child(['blast', files.sha256, '127.0.0.91', '4342', String(seconds)]).done;
  const baseline = Number(await sink.done) / seconds;

  const ms = spawn(process.execPath, [here('../bin/loci.js'), 'run', '-c', join(dir, 'ms.yaml')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const api = new LociClient(join(dir, 'ms.sock'));
  for (let i = 0; ; i++) {
    try {
      await api.status();
      break;
    } catch {
      if (i > 200) throw new Error('the Map-Server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const rows: string[][] = [];
  const phase = async (name: string, file: string, counter: string, replies = false) => {
    const before = (await api.counters())[counter] ?? 0;
    const cpu0 = cpuTicks(ms.pid!);
    const replySink = replies ? child(['sink', '127.0.0.1', String(REPLY_SINK_PORT), String(seconds)]) : undefined;
    await replySink?.ready;
    const sent = Number(await child(['blast', file, MS, '4342', String(seconds)]).done);
    await new Promise((r) => setTimeout(r, 300));
    const handled = ((await api.counters())[counter] ?? 0) - before;
    const cpu = ((cpuTicks(ms.pid!) - cpu0) / TICKS / seconds) * 100;
    const answered = replySink ? ` (${Math.round(Number(await replySink.done) / seconds).toLocaleString('en')} replies/s received)` : '';
    rows.push([name, Math.round(sent / seconds).toLocaleString('en'), Math.round(handled / seconds).toLocaleString('en'), `${cpu.toFixed(0)}%`, `${rssMb(ms.pid!).toFixed(0)} MB`, (handled / seconds / baseline).toFixed(2) + answered]);
  };
  await phase('Map-Register, HMAC-SHA-1', files.sha1, 'map-register.accepted');
  await phase('Map-Register, HMAC-SHA-256', files.sha256, 'map-register.accepted');
  await phase('ECM Map-Request, proxy reply', files.requests, 'map-reply.proxy', true);
  ms.kill('SIGTERM');
  await new Promise((r) => ms.on('exit', r));
  rmSync(dir, { recursive: true, force: true });

  const header = ['load (1000 sites)', 'sent/s', 'handled/s', 'MS CPU', 'MS RSS', 'ratio to baseline'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`Loci Map-Server, one process; load generator in another; ${seconds} s per phase; Node ${process.version}`);
  console.log(`baseline: a bare Node UDP socket receives ${Math.round(baseline).toLocaleString('en')} of the same datagrams/s from the same generator`);
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log('reference (issue 4): OOR 1.3 on this machine kind, one core: about 88,000 Map-Registers/s and 111,000 Map-Requests/s');
}

await main();
