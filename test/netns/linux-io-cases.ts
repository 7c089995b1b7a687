// The bodies of the src/io/linux root tests. Run by linux-io-netns.ts inside a fresh network
// namespace as `node --import tsx linux-io-cases.ts <case>`; exits non-zero on a failed assert.
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { configureLink, marking, openTun, ReceiveBatch, UdpFd, waitReadable, type TunDevice } from '../../src/io/linux/index.js';
import { internetChecksum } from '../../src/packet/index.js';

const V4_LOCAL = new Uint8Array([198, 18, 0, 1]);
const V4_PEER = new Uint8Array([198, 18, 0, 2]);
const LOOP4 = new Uint8Array([127, 0, 0, 1]);
const LOOP6 = new Uint8Array(16).fill(0, 0, 15).fill(1, 15);

function tunUp(): TunDevice {
  const tun = openTun('loci0');
  assert.equal(tun.name, 'loci0');
  configureLink(tun.name, { mtu: 1400, txqueuelen: 1000, addresses: ['198.18.0.1/24'], up: true });
  return tun;
}

function ipv4Udp(src: Uint8Array, sport: number, dst: Uint8Array, dport: number, payload: Buffer): Buffer {
  const p = Buffer.alloc(28 + payload.length);
  p[0] = 0x45;
  p.writeUInt16BE(p.length, 2);
  p[8] = 64;
  p[9] = 17;
  p.set(src, 12);
  p.set(dst, 16);
  p.writeUInt16BE(internetChecksum(p, 0, 20, 0), 10);
  p.writeUInt16BE(sport, 20);
  p.writeUInt16BE(dport, 22);
  p.writeUInt16BE(8 + payload.length, 24);
  payload.copy(p, 28);
  const pseudo = ((src[0]! << 8) | src[1]!) + ((src[2]! << 8) | src[3]!) + ((dst[0]! << 8) | dst[1]!) + ((dst[2]! << 8) | dst[3]!);
  p.writeUInt16BE(internetChecksum(p, 20, p.length, pseudo + 17 + 8 + payload.length) || 0xffff, 26);
  return p;
}

/** A worker running a .ts file: Node 20 workers do not inherit tsx's hooks from --import. */
function tsWorker(file: URL, workerData: unknown): Worker {
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const code = `import(${api}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

/** Waits up to 2 s for fds[0..] and returns the mask. */
function waitFor(fds: number[]): number {
  const mask = waitReadable(Int32Array.from(fds), 2000);
  assert.ok(mask > 0, `nothing readable on fds ${fds.join(', ')} within 2 s`);
  return mask;
}

const cases: Record<string, () => void | Promise<void>> = {
  'tun-read'() {
    const tun = tunUp();
    const sock = UdpFd.open({ family: 4, address: V4_LOCAL, port: 0 });
    const payload = Buffer.from('to the tun');
    assert.equal(sock.sendTo(payload, 0, payload.length, V4_PEER, 4342), payload.length);
    const buf = Buffer.alloc(2048);
    for (;;) {
      waitFor([tun.fd]);
      const n = tun.read(buf, 16, 1500);
      if (n === 0) continue;
      if (buf[16]! >> 4 !== 4) continue; // IPv6 link-local chatter of the new link
      const p = buf.subarray(16, 16 + n);
      assert.equal(p[9], 17, 'protocol UDP');
      assert.deepEqual([...p.subarray(12, 16)], [...V4_LOCAL], 'source');
      assert.deepEqual([...p.subarray(16, 20)], [...V4_PEER], 'destination');
      assert.equal(p.readUInt16BE(20), sock.localPort);
      assert.equal(p.readUInt16BE(22), 4342);
      assert.equal(p.subarray(28).toString(), 'to the tun');
      assert.equal(n, 28 + payload.length);
      break;
    }
    while (tun.read(buf, 0, buf.length) > 0);
    assert.equal(tun.read(buf, 0, buf.length), 0, 'read returns 0 when nothing is queued');
    tun.close();
    sock.close();
  },

  'tun-write'() {
    const tun = tunUp();
    const sock = UdpFd.open({ family: 4, address: '198.18.0.1', port: 0 });
    const payload = Buffer.from('from the tun');
    const packet = ipv4Udp(V4_PEER, 5555, V4_LOCAL, sock.localPort, payload);
    const buf = Buffer.alloc(64 + packet.length);
    packet.copy(buf, 64);
    assert.equal(tun.write(buf, 64, packet.length), packet.length);
    waitFor([sock.fd]);
    const batch = new ReceiveBatch(4, 2048);
    assert.equal(sock.receiveMany(batch), 1);
    assert.equal(batch.lengths[0], payload.length);
    assert.equal(batch.data.subarray(0, payload.length).toString(), 'from the tun');
    assert.deepEqual([...batch.addresses.subarray(0, 4)], [...V4_PEER]);
    assert.equal(batch.ports[0], 5555);
    tun.close();
    sock.close();
  },

  'udp-v4'() {
    const rx = UdpFd.open({ family: 4, address: '127.0.0.1', port: 0 });
    const tx = UdpFd.open({ family: 4, address: LOOP4, port: 0 });
    assert.ok(rx.localPort > 0 && rx.localPort !== tx.localPort);
    assert.deepEqual([...rx.localAddress], [...LOOP4]);
    const buf = Buffer.alloc(4000);
    for (let i = 0; i < 3; i++) {
      buf.fill(i + 1, 100 * i, 100 * i + 50 + i);
      assert.equal(tx.sendTo(buf, 100 * i, 50 + i, LOOP4, rx.localPort), 50 + i);
    }
    const batch = new ReceiveBatch(8, 256);
    for (let got = 0; got < 3; ) {
      waitFor([rx.fd]);
      const n = rx.receiveMany(batch);
      for (let i = 0; i < n; i++) {
        const k = got + i;
        assert.equal(batch.lengths[i], 50 + k);
        assert.ok(batch.data.subarray(256 * i, 256 * i + 50 + k).every((b) => b === k + 1));
        assert.deepEqual([...batch.addresses.subarray(16 * i, 16 * i + 4)], [...LOOP4]);
        assert.equal(batch.ports[i], tx.localPort);
        assert.equal(batch.segmentSizes[i], 50 + k);
      }
      got += n;
    }
    assert.equal(rx.receiveMany(batch), 0);
    assert.throws(() => tx.sendTo(buf, 0, 10, LOOP6, rx.localPort), RangeError);
    assert.throws(() => tx.sendTo(buf, 3990, 11, LOOP4, rx.localPort), RangeError);
    assert.throws(() => UdpFd.open({ family: 4, address: LOOP4, port: rx.localPort }), { code: 'EADDRINUSE' });
    const wrapped = UdpFd.fromFd(rx.fd);
    assert.equal(wrapped.localPort, rx.localPort);
    rx.close();
    tx.close();
  },

  'udp-v6'() {
    const rx = UdpFd.open({ family: 6, address: '::1', port: 0 });
    // IPV6_V6ONLY: an IPv4 socket can take the same port.
    const rx4 = UdpFd.open({ family: 4, address: '0.0.0.0', port: rx.localPort });
    const tx = UdpFd.open({ family: 6, address: LOOP6, port: 0 });
    assert.deepEqual([...rx.localAddress], [...LOOP6]);
    const buf = Buffer.from('over ipv6 loopback');
    assert.equal(tx.sendTo(buf, 5, buf.length - 5, LOOP6, rx.localPort), buf.length - 5);
    waitFor([rx.fd]);
    const batch = new ReceiveBatch(4, 2048);
    assert.equal(rx.receiveMany(batch), 1);
    assert.equal(batch.data.subarray(0, batch.lengths[0]).toString(), 'ipv6 loopback');
    assert.deepEqual([...batch.addresses.subarray(0, 16)], [...LOOP6]);
    assert.equal(batch.ports[0], tx.localPort);
    assert.equal(rx4.receiveMany(batch), 0);
    // A dual-stack socket sends to a 4-byte address as IPv4-mapped.
    const dual = UdpFd.open({ family: 6, address: '::', port: 0, v6Only: false });
    assert.equal(dual.sendTo(buf, 0, 4, LOOP4, rx4.localPort), 4);
    waitFor([rx4.fd]);
    assert.equal(rx4.receiveMany(batch), 1);
    assert.equal(batch.data.subarray(0, batch.lengths[0]).toString(), 'over');
    assert.deepEqual([...batch.addresses.subarray(0, 4)], [...LOOP4]);
    assert.equal(batch.ports[0], dual.localPort);
    dual.close();
    rx.close();
    rx4.close();
    tx.close();
  },

  gso() {
    const rx = UdpFd.open({ family: 4, address: LOOP4, port: 0 });
    const tx = UdpFd.open({ family: 4, address: LOOP4, port: 0 });
    const buf = Buffer.alloc(20_000);
    const total = 9 * 1200 + 700;
    for (let k = 0; k < 10; k++) buf.fill(k + 1, 8 + 1200 * k, Math.min(8 + 1200 * (k + 1), 8 + total));
    assert.equal(tx.sendSegments(buf, 8, total, 1200, LOOP4, rx.localPort), total);
    assert.equal(tx.gso, true, 'loopback takes UDP_SEGMENT');
    const batch = new ReceiveBatch(16, 2048);
    let got = 0;
    while (got < 10) {
      waitFor([rx.fd]);
      const n = rx.receiveMany(batch);
      for (let i = 0; i < n; i++) {
        const k = got + i;
        assert.equal(batch.lengths[i], k === 9 ? 700 : 1200, `datagram ${k}`);
        assert.ok(batch.data.subarray(2048 * i, 2048 * i + batch.lengths[i]!).every((b) => b === k + 1), `datagram ${k} bytes`);
        assert.equal(batch.ports[i], tx.localPort);
      }
      got += n;
    }
    assert.equal(got, 10);
    assert.equal(rx.receiveMany(batch), 0);
    // More segments than one GSO call takes: still one datagram per segment, in order.
    for (let k = 0; k < 100; k++) buf.fill(k, 200 * k, 200 * (k + 1));
    assert.equal(tx.sendSegments(buf, 0, 100 * 200, 200, LOOP4, rx.localPort), 20_000);
    for (got = 0; got < 100; ) {
      waitFor([rx.fd]);
      const n = rx.receiveMany(batch);
      for (let i = 0; i < n; i++) {
        assert.equal(batch.lengths[i], 200);
        assert.equal(batch.data[2048 * i], got + i);
      }
      got += n;
    }
    rx.close();
    tx.close();
  },

  gro() {
    const rx = UdpFd.open({ family: 6, address: '::1', port: 0, gro: true });
    const tx = UdpFd.open({ family: 6, address: '::1', port: 0 });
    const buf = Buffer.alloc(12000, 7);
    assert.equal(tx.sendSegments(buf, 0, 10 * 1000, 1000, LOOP6, rx.localPort), 10_000);
    const batch = new ReceiveBatch(4, 65535);
    waitFor([rx.fd]);
    const n = rx.receiveMany(batch);
    assert.equal(n, 1, 'one GSO send reaches a GRO socket as one message');
    assert.equal(batch.lengths[0], 10_000);
    assert.equal(batch.segmentSizes[0], 1000);
    rx.close();
    tx.close();
  },

  marking() {
    for (const [family, loop] of [
      [4, LOOP4],
      [6, LOOP6],
    ] as const) {
      const rx = UdpFd.open({ family, address: loop, port: 0, gro: true, receiveMarking: true });
      const tx = UdpFd.open({ family, address: loop, port: 0 });
      const buf = Buffer.alloc(4000, 1);
      assert.equal(tx.sendTo(buf, 0, 100, loop, rx.localPort, marking(7, 0xb9)), 100);
      assert.equal(tx.sendSegments(buf, 0, 3000, 1000, loop, rx.localPort, marking(200, 0x2a)), 3000);
      assert.equal(tx.sendTo(buf, 0, 100, loop, rx.localPort), 100);
      const batch = new ReceiveBatch(4, 65535);
      const got: [number, number, number][] = [];
      while (got.length < 3) {
        waitFor([rx.fd]);
        const n = rx.receiveMany(batch);
        for (let i = 0; i < n; i++) got.push([batch.lengths[i]!, batch.ttls[i]!, batch.tos[i]!]);
      }
      assert.deepEqual(got, [
        [100, 7, 0xb9],
        [3000, 200, 0x2a],
        [100, 64, 0],
      ], `IPv${family}: each send's TTL and TOS are received`);
      rx.close();
      tx.close();
    }
  },

  poll() {
    const a = UdpFd.open({ family: 4, address: LOOP4, port: 0 });
    const b = UdpFd.open({ family: 4, address: LOOP4, port: 0 });
    const fds = Int32Array.from([a.fd, b.fd]);
    const t0 = performance.now();
    assert.equal(waitReadable(fds, 100), 0);
    const waited = performance.now() - t0;
    assert.ok(waited >= 90 && waited < 1000, `waited ${waited} ms for a 100 ms timeout`);
    const one = Buffer.alloc(200);
    a.sendTo(one, 0, 1, LOOP4, b.localPort);
    assert.equal(waitReadable(fds, 1000), 0b10);
    b.sendTo(one, 0, 1, LOOP4, a.localPort);
    assert.equal(waitReadable(fds, 1000), 0b11);
    const batch = new ReceiveBatch(2, 64);
    assert.equal(a.receiveMany(batch) + b.receiveMany(batch), 2);
    assert.equal(waitReadable(fds, 0), 0);
    const closed = a.fd;
    a.close();
    assert.equal(waitReadable(Int32Array.from([closed]), 0), -1, 'a closed fd');
    b.close();
  },

  async worker() {
    // A worker loops on waitReadable with a short timeout and a stop flag: the pattern that
    // lets a worker doing blocking calls be stopped.
    const rx = UdpFd.open({ family: 4, address: LOOP4, port: 0 });
    const tx = UdpFd.open({ family: 4, address: LOOP4, port: 0 });
    const shared = new Int32Array(new SharedArrayBuffer(8)); // [stop, received]
    const worker = tsWorker(new URL('./linux-io-worker.ts', import.meta.url), { fd: rx.fd, shared });
    const exited = new Promise<number>((resolve, reject) => {
      worker.once('exit', resolve);
      worker.once('error', reject);
    });
    const buf = Buffer.alloc(1400);
    // A wait, not a claim about speed: on a loaded machine the worker (tsx in a thread) starts late.
    const deadline = Date.now() + 60_000;
    // Rounds of 20 stay well inside the default receive buffer.
    for (let sent = 20; sent <= 200; sent += 20) {
      for (let i = 0; i < 20; i++) tx.sendTo(buf, 0, 1400, LOOP4, rx.localPort);
      while (Atomics.load(shared, 1) < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.equal(Atomics.load(shared, 1), sent);
    }
    Atomics.store(shared, 0, 1);
    assert.equal(await exited, 0);
    rx.close();
    tx.close();
  },
};

const name = process.argv[2] ?? '';
const run = cases[name];
if (!run) throw new Error(`no case "${name}"; cases: ${Object.keys(cases).join(', ')}`);
await run();
