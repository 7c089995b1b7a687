// UdpFd send rates against Node dgram, 1400-byte datagrams to a receiver on 127.0.0.1 inside a
// network namespace this run creates and deletes (needs root). A worker thread receives with
// UdpFd.receiveMany and counts; the main thread sends with UdpFd.sendTo, UdpFd.sendSegments (GSO,
// 40 datagrams per call) and dgram socket.send, rounds interleaved, medians reported.
//
//   node --import tsx bench/udp-fd.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { ReceiveBatch, UdpFd, waitReadable } from '../src/io/linux/index.js';

const SIZE = 1400;
const SEGMENTS = 40;
const ROUND_MS = 1000;
const ROUNDS = 3;
const LOOP4 = Uint8Array.of(127, 0, 0, 1);

type Shared = { fd: number; counters: Int32Array }; // counters: [stop, received]

function receive({ fd, counters }: Shared): void {
  const sock = UdpFd.fromFd(fd);
  const fds = Int32Array.from([fd]);
  const batch = new ReceiveBatch(64, 2048);
  while (Atomics.load(counters, 0) === 0) {
    if (waitReadable(fds, 20) <= 0) continue;
    let n;
    while ((n = sock.receiveMany(batch)) > 0) Atomics.add(counters, 1, n);
  }
}

async function measure(): Promise<void> {
  const rx = UdpFd.open({ family: 4, address: LOOP4, port: 0, receiveBufferSize: 4 << 20 });
  const counters = new Int32Array(new SharedArrayBuffer(8));
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const self = JSON.stringify(import.meta.url);
  const worker = new Worker(`import(${api}).then((t) => { t.register(); return import(${self}); });`, {
    eval: true,
    workerData: { fd: rx.fd, counters } satisfies Shared,
  });
  const tx = UdpFd.open({ family: 4, address: LOOP4, port: 0 });
  const dgram = createSocket('udp4');
  await new Promise<void>((resolve) => dgram.bind(0, '127.0.0.1', resolve));
  const buf = Buffer.alloc(SIZE * SEGMENTS, 0x5a);
  const port = rx.localPort;

  const methods: Record<string, (until: number) => Promise<number>> = {
    dgram: async (until) => {
      let sent = 0;
      while (performance.now() < until) {
        await new Promise<void>((resolve) => {
          let left = 64;
          for (let i = 0; i < 64; i++) dgram.send(buf, 0, SIZE, port, '127.0.0.1', () => --left || resolve());
        });
        sent += 64;
      }
      return sent;
    },
    sendTo: async (until) => {
      let sent = 0;
      while (performance.now() < until) {
        for (let i = 0; i < 256; i++) tx.sendTo(buf, 0, SIZE, LOOP4, port);
        sent += 256;
      }
      return sent;
    },
    sendSegments: async (until) => {
      let sent = 0;
      while (performance.now() < until) {
        for (let i = 0; i < 8; i++) tx.sendSegments(buf, 0, SIZE * SEGMENTS, SIZE, LOOP4, port);
        sent += 8 * SEGMENTS;
      }
      return sent;
    },
  };

  const rates: Record<string, { sent: number[]; received: number[] }> = {};
  for (const name of Object.keys(methods)) rates[name] = { sent: [], received: [] };
  // Until the receiver has taken everything sent (its count stops moving), instead of a fixed sleep.
  const drained = async () => {
    for (let last = -1, n = Atomics.load(counters, 1); n !== last; last = n, n = Atomics.load(counters, 1)) {
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await methods.sendTo!(performance.now() + 200); // warm-up
  await drained();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(methods)) {
      const received0 = Atomics.load(counters, 1);
      const t0 = performance.now();
      const sent = await run(t0 + ROUND_MS);
      const seconds = (performance.now() - t0) / 1000;
      await drained();
      rates[name]!.sent.push(sent / seconds);
      rates[name]!.received.push((Atomics.load(counters, 1) - received0) / seconds);
    }
  }
  Atomics.store(counters, 0, 1);
  await new Promise((r) => worker.once('exit', r));
  dgram.close();
  tx.close();
  rx.close();

  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const base = { sent: median(rates.dgram!.sent), received: median(rates.dgram!.received) };
  console.log(`${SIZE}-byte datagrams on loopback, medians of ${ROUNDS} rounds of ${ROUND_MS} ms`);
  console.log('method          sent/s     x dgram   received/s  x dgram');
  for (const [name, r] of Object.entries(rates)) {
    const s = median(r.sent);
    const v = median(r.received);
    console.log(
      `${name.padEnd(14)} ${(s / 1000).toFixed(0).padStart(6)}k  ${(s / base.sent).toFixed(2).padStart(7)}  ` +
        `${(v / 1000).toFixed(0).padStart(9)}k  ${(v / base.received).toFixed(2).padStart(7)}`,
    );
  }
}

if (!isMainThread) {
  receive(workerData as Shared);
} else if (process.argv[2] === '--inside') {
  await measure();
} else {
  if (process.getuid?.() !== 0) {
    console.error('bench/udp-fd.ts needs root (it creates a network namespace)');
    process.exit(1);
  }
  const ns = `loci-b-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const script = fileURLToPath(import.meta.url);
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', script, '--inside'], { stdio: 'inherit' });
    process.exitCode = r.status ?? 1;
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}
