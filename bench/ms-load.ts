// Load generator and UDP sink for bench/ms, run as child processes, on the Linux UDP sockets of
// src/io/linux so that they cost little of the CPU they share with the Map-Server:
//   blast FILE HOST PORT SECONDS RATE SOCKETS
//       sends the datagrams listed in FILE (one hex per line, all of one size) round robin at RATE
//       per second (0: as fast as the sockets take them), from SOCKETS sockets on ephemeral ports
//       of 127.0.0.1 in turn (so a reuseport group spreads them), each send a GSO batch of up to 64
//       datagrams; prints the count sent and the CPU it used meanwhile (percent of one core)
//   sink HOST PORT SECONDS [reuseport]
//       counts the datagrams received (recvmmsg batches); prints "ready", then the count and its CPU. When the
//       socket is empty it sleeps instead of waiting on it: a sender on loopback would otherwise pay
//       for waking it (a receiver on another machine costs the sender nothing)
import { readFileSync } from 'node:fs';
import { addressBytes, ReceiveBatch, UdpFd } from '../src/io/linux/index.js';

const GSO_SEGMENTS = 64;
/** The sender sleeps this long whenever it is ahead of the rate, the sink when its socket is empty. */
const TICK_MS = 0.5;
const [mode, a, b, c, d, e, f] = process.argv.slice(2);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);

/** Prints count and the CPU this process used since `since` (process.cpuUsage() then, and when), as a percent of one core. */
function report(count: number, since: NodeJS.CpuUsage, at: number): void {
  const used = process.cpuUsage(since);
  process.stdout.write(`${count} ${(((used.user + used.system) / 1000 / (performance.now() - at)) * 100).toFixed(1)}\n`);
}

function blast(file: string, host: string, port: number, seconds: number, rate: number, socketCount: number): void {
  const packets = readFileSync(file, 'utf8').trim().split('\n').map((h) => Buffer.from(h, 'hex'));
  const size = packets[0]!.length;
  if (packets.some((p) => p.length !== size)) throw new Error(`${file}: the datagrams differ in size`);
  // Every datagram, then the first 64 again: any run of 64 consecutive ones is contiguous.
  const ring = Buffer.concat([...packets, ...packets.slice(0, GSO_SEGMENTS)]);
  const sockets = Array.from({ length: socketCount }, () => UdpFd.open({ family: 4, address: '127.0.0.1', port: 0, sendBufferSize: 1 << 20 }));
  const to = addressBytes(host);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  let sent = 0;
  let next = 0;
  let s = 0;
  for (let now = start; now < end; now = performance.now()) {
    const due = rate > 0 ? Math.floor(((now - start) / 1000) * rate) : sent + GSO_SEGMENTS;
    if (due - sent < GSO_SEGMENTS) {
      sleep(TICK_MS);
      continue;
    }
    while (due - sent >= GSO_SEGMENTS) {
      const bytes = sockets[s]!.sendSegments(ring, next * size, GSO_SEGMENTS * size, size, to, port);
      s = (s + 1) % sockets.length;
      sent += bytes / size;
      next = (next + GSO_SEGMENTS) % packets.length;
      if (bytes === 0) break;
    }
  }
  report(sent, cpu, start);
  for (const socket of sockets) socket.close();
}

function sink(host: string, port: number, seconds: number, reusePort: boolean): void {
  const socket = UdpFd.open({ family: 4, address: host, port, reusePort, receiveBufferSize: 4 << 20 });
  const batch = new ReceiveBatch(64, 2048);
  process.stdout.write('ready\n');
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000 + 500;
  let received = 0;
  while (performance.now() < end) {
    const n = socket.receiveMany(batch);
    received += n;
    if (n === 0) sleep(TICK_MS);
  }
  report(received, cpu, start);
  socket.close();
}

if (mode === 'blast') blast(a!, b!, Number(c), Number(d), Number(e), Number(f));
else if (mode === 'sink') sink(a!, Number(b), Number(c), d === 'reuseport');
else throw new Error(`unknown mode ${mode}`);
