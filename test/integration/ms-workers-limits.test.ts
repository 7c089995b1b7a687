// The Map-Server workers' bounds (docs/architecture.md, "Map-Server workers"): at most 4,096
// datagrams wait for the main thread, beyond that the workers drop and count them
// (ms-workers.forward-dropped); a rejection in a worker is logged by the main thread at most once
// a second per worker, with the count since the last line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { pino } from 'pino';
import { SystemClock } from '../../src/core/clock.js';
import { LispNode } from '../../src/core/node.js';
import { mr as mrRole, ms as msRole } from '../../src/core/roles/index.js';
import { udpNetwork } from '../../src/io/udp.js';
import { MsWorkers } from '../../src/ms-workers/pool.js';
import { MAX_IN_FLIGHT, MAX_OTHER_IN_FLIGHT } from '../../src/ms-workers/protocol.js';
import { parsePrefix } from '../../src/table/index.js';
import { record, register } from '../helpers/registers.js';
import { until } from '../helpers/until.js';

const clock = new SystemClock();
const sum = (c: Record<string, number>, suffix: string) => Object.entries(c).reduce((n, [k, v]) => (/^ms-workers\.\d+\./.test(k) && k.endsWith(suffix) ? n + v : n), 0);

async function msWithWorkers(t: { after: (fn: () => Promise<void>) => void }, address: string, log?: (line: string) => void) {
  const workers = await MsWorkers.start({ count: 2, listen: [address], port: 4342, answerMapRequests: true, fastPath: true, ...(log ? { log: pino({ level: 'warn' }, { write: log }) } : {}) });
  const ms = new LispNode({
    name: 'ms-limits', listen: [address], network: workers.network(udpNetwork), clock,
    roles: [
      msRole({ sites: [{ name: 'l', keys: [{ keyId: 0, key: 'l-secret', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.7.0/24'), acceptMoreSpecifics: false }] }] }),
      mrRole({ referrals: [] }),
    ],
  });
  workers.attach(ms);
  t.after(async () => {
    await ms.stop();
    await workers.stop();
  });
  await ms.start();
  return ms;
}

test('at most 1,024 datagrams of no registered site wait for a busy main thread (4,096 in all); the workers drop and count the rest, and forward again once it catches up', async (t) => {
  assert.equal(MAX_IN_FLIGHT, 4096);
  assert.equal(MAX_OTHER_IN_FLIGHT, 1024);
  const ms = await msWithWorkers(t, '127.0.9.10');
  const total = 6000;
  // Map-Replies nobody asked for: the workers hand them to the main thread.
  const sender = `
    const s = require('node:dgram').createSocket('udp4');
    const reply = Buffer.from('200000000000000000000001', 'hex');
    let sent = 0;
    s.bind(0, '127.0.9.11', function burst() {
      for (let i = 0; i < 100 && sent < ${total}; i++, sent++) s.send(reply, 4342, '127.0.9.10');
      if (sent < ${total}) setTimeout(burst, 2); else setTimeout(() => s.close(), 50);
    });`;
  // spawnSync blocks this (the main) thread while the datagrams arrive; then it waits, still
  // blocked, until the workers have read them all (their counters live in shared memory).
  const r = spawnSync(process.execPath, ['-e', sender], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const read = () => {
    const c = ms.counters.snapshot();
    return sum(c, '.forwarded') + (c['ms-workers.forward-dropped'] ?? 0);
  };
  let last = -1;
  let stableSince = Date.now();
  for (const deadline = Date.now() + 20_000; Date.now() < deadline && read() < total; ) {
    if (read() !== last) [last, stableSince] = [read(), Date.now()];
    else if (Date.now() - stableSince > 1000) break;
  }
  const blocked = ms.counters.snapshot();
  const forwarded = sum(blocked, '.forwarded');
  const dropped = blocked['ms-workers.forward-dropped'] ?? 0;
  t.diagnostic(`with the main thread busy: ${forwarded} forwarded, ${dropped} dropped of ${total} sent`);
  assert.ok(forwarded + dropped >= 5000, `the workers read ${forwarded + dropped} of ${total}`);
  // Map-Replies nobody asked for are not what the main thread must see: 1,024 of them wait.
  assert.equal(forwarded, 1024, 'exactly 1,024 wait for the main thread');
  assert.equal(dropped, forwarded + dropped - 1024);

  // The main thread catches up (it handles the 1,024); the workers forward again.
  await until(() => ms.counters.get('received.map-reply') === 1024, { what: 'the main thread to handle what waited', timeoutMs: 20_000 });
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.9.11', () => resolve()));
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => socket.send(Buffer.from('200000000000000000000002', 'hex'), 4342, '127.0.9.10', () => resolve()));
  socket.close();
  await until(() => sum(ms.counters.snapshot(), '.forwarded') === 1034, { what: 'the next 10 datagrams forwarded', timeoutMs: 20_000 });
  assert.equal(ms.counters.snapshot()['ms-workers.forward-dropped'], dropped);
});

test('a worker logs its rejections through the main thread at most once a second, with the count since its last line', async (t) => {
  const lines: { at: number; worker: number; count: number }[] = [];
  const ms = await msWithWorkers(t, '127.0.9.20', (line) => {
    const l = JSON.parse(line) as { msg: string; worker: number; count: number; reason: string };
    if (l.msg === 'Map-Register rejected' && l.reason === 'auth-failed') lines.push({ at: Date.now(), worker: l.worker, count: l.count });
  });
  const records = [record('198.18.7.0/24', ['127.0.9.21'])];
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.9.21', () => resolve()));
  t.after(() => socket.close());
  const send = (b: Buffer) => new Promise<void>((resolve) => socket.send(b, 4342, '127.0.9.20', () => resolve()));
  // The ETR's Map-Register is accepted (by the main thread); the workers then know it as a refresh.
  await send(register(records, 'l-secret').bytes);
  await until(() => ms.capability('mapServer')!.registrations().length === 1, { what: 'the registration' });
  await until(async () => {
    await send(register(records, 'l-secret', { nonce: 6n }).bytes);
    return sum(ms.counters.snapshot(), '.handled') > 0;
  }, { what: 'a refresh taken by a worker' });

  // 200 refreshes signed with another key, over about two seconds.
  const started = Date.now();
  for (let i = 0; i < 200; i++) {
    await send(register(records, 'not-l-secret', { nonce: BigInt(100 + i) }).bytes);
    if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const rejected = () => ms.counters.get('map-register.rejected.auth-failed');
  await until(() => rejected() === 200, { what: 'the 200 rejections', timeoutMs: 20_000 });
  await until(() => lines.reduce((n, l) => n + l.count, 0) === 200, { what: 'every rejection in a log line', timeoutMs: 20_000 });
  const seconds = (Date.now() - started) / 1000;
  const perWorker = [0, 1].map((w) => lines.filter((l) => l.worker === w).length);
  t.diagnostic(`200 rejections in ${seconds.toFixed(1)} s: ${lines.length} log lines (${perWorker.join(' + ')} per worker), counts ${lines.map((l) => l.count).join(' ')}`);
  for (const n of perWorker) assert.ok(n <= Math.ceil(seconds) + 1, `${n} lines from one worker in ${seconds.toFixed(1)} s`);
  assert.ok(lines.length < 20, 'far fewer lines than rejections');
});
