// A Map-Server with its workers on, on loopback UDP: ETRs register (SHA-256, SHA-1) and refresh
// through the workers, lig gets proxy replies from them, forwarded and negative answers from the
// main thread; rejections are counted and logged; a change reaches the workers' replicas;
// refreshes keep a registration alive until its ETR stops; `loci run` reloads a site's key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { runLig } from '../../src/cli/lig.js';
import { LociClient } from '../../src/client/client.js';
import { FakeClock, SystemClock, type Clock } from '../../src/core/clock.js';
import { LispNode } from '../../src/core/node.js';
import { etr as etrRole, mr as mrRole, ms as msRole } from '../../src/core/roles/index.js';
import { locatorsOf, mappingRecord, wireLocator } from '../../src/core/wire-mapping.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { loadConfig } from '../../src/config/index.js';
import { udpNetwork } from '../../src/io/udp.js';
import { MsWorkers } from '../../src/ms-workers/pool.js';
import { encodeAuthenticated, formatAddress, MAP_REGISTER_FLAGS, noFlags } from '../../src/packet/index.js';
import { parsePrefix } from '../../src/table/index.js';
import { until } from '../helpers/until.js';
import { LOCI_BIN } from '../helpers/loci.js';
import { ecmRequest } from '../unit/ms-workers/fixtures.js';

const clock = new SystemClock();

async function lig(eid: string, mapResolver: string): Promise<string> {
  const lines: string[] = [];
  await runLig(eid, { mapResolver, port: 4342, count: 2, timeout: 5, source: '127.0.5.1', instanceId: 0, json: false }, (l) => lines.push(l));
  return lines.join('\n');
}

const etrNode = (name: string, address: string, prefix: string, ms: string, o: { key: string; keyId: number; algorithm: 'sha1' | 'sha256'; proxyReply: boolean }, on: Clock = clock) =>
  new LispNode({
    name, listen: [address], network: udpNetwork, clock: on,
    roles: [
      etrRole({ mapServers: [{ address: ms, port: 4342, wantMapNotify: true, ...o }], database: [{ eid: parsePrefix(prefix), locators: locatorsOf([{ address, priority: 1, weight: 100 }]) }], registerIntervalMs: 200 }),
    ],
  });

/** A Map-Server daemon in this process, with its log lines kept. */
async function msDaemon(t: { after: (fn: () => Promise<void>) => void }, yaml: string): Promise<{ daemon: Daemon; log: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'loci-ms-workers-'));
  writeFileSync(join(dir, 'ms.yaml'), yaml.replace('API', join(dir, 'ms.sock')));
  const log: string[] = [];
  const daemon = await Daemon.create(loadConfig(join(dir, 'ms.yaml')), { network: udpNetwork, clock, log: pino({ level: 'warn' }, { write: (line: string) => void log.push(line) }) });
  t.after(async () => {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { daemon, log };
}

const workerHandled = (c: Record<string, number>) => (c['ms-workers.0.handled'] ?? 0) + (c['ms-workers.1.handled'] ?? 0);
const workerForwarded = (c: Record<string, number>) => (c['ms-workers.0.forwarded'] ?? 0) + (c['ms-workers.1.forwarded'] ?? 0);

test('with workers: ETRs register (SHA-256, SHA-1) and refresh, lig gets proxy, forwarded and negative answers, rejections are counted and logged', async (t) => {
  const { daemon, log } = await msDaemon(
    t,
    `name: ms-workers
roles: [ms, mr]
listen: [127.0.5.50]
api: { socket: API }
log-level: warn
ms-workers: 2
sites:
  - { name: site-a, key: a-secret, eid-prefixes: [198.18.1.0/24] }
  - { name: site-b, keys: [{ key-id: 1, key: b-secret, algorithm: sha1 }], eid-prefixes: [198.18.2.0/24] }
  - { name: site-c, key: c-secret, eid-prefixes: [198.18.3.0/24] }
`,
  );
  const ms = daemon.node;
  const a = etrNode('a', '127.0.5.51', '198.18.1.0/24', '127.0.5.50', { key: 'a-secret', keyId: 0, algorithm: 'sha256', proxyReply: false });
  const b = etrNode('b', '127.0.5.52', '198.18.2.0/24', '127.0.5.50', { key: 'b-secret', keyId: 1, algorithm: 'sha1', proxyReply: true });
  const wrongKey = etrNode('c', '127.0.5.53', '198.18.3.0/24', '127.0.5.50', { key: 'not-c-secret', keyId: 0, algorithm: 'sha256', proxyReply: true });
  const outside = etrNode('b2', '127.0.5.54', '198.18.9.0/24', '127.0.5.50', { key: 'b-secret', keyId: 1, algorithm: 'sha1', proxyReply: true });
  const etrs = [a, b, wrongKey, outside];
  t.after(() => Promise.all(etrs.map((n) => n.stop())));
  for (const n of etrs) await n.start();

  // The first Map-Register of each ETR goes to the main thread, the refreshes stay in the workers,
  // whose Map-Notifies verify at the ETRs.
  await until(() => workerHandled(ms.counters.snapshot()) >= 6 && a.counters.get('map-notify.accepted') >= 3 && b.counters.get('map-notify.accepted') >= 3, {
    what: 'refreshes handled and acknowledged by the workers',
  });
  await until(() => ms.counters.get('map-register.rejected.auth-failed') >= 1 && ms.counters.get('map-register.rejected.prefix-not-allowed') >= 1, { what: 'the rejections' });
  await Promise.all([wrongKey.stop(), outside.stop()]);
  assert.match(log.join(''), /"reason":"auth-failed".*"msg":"Map-Register rejected"/);
  assert.match(log.join(''), /"reason":"prefix-not-allowed".*"msg":"Map-Register rejected"/);

  // site-b's Map-Register again, from its address, but signed with another key: the worker that
  // knows it as a refresh rejects it, counts it and reports it to the log.
  const forged = encodeAuthenticated(
    {
      type: 'map-register',
      ...noFlags(MAP_REGISTER_FLAGS),
      proxyReply: true,
      wantMapNotify: true,
      nonce: 1n,
      keyId: 1,
      algorithmId: 1,
      authData: Buffer.alloc(0),
      records: [mappingRecord(parsePrefix('198.18.2.0/24'), locatorsOf([{ address: '127.0.5.52', priority: 1, weight: 100 }]).map((l) => wireLocator(l, { local: true, probed: false })), 1440, true)],
    },
    'not-b-secret',
  );
  const rejected = ms.counters.get('map-register.rejected.auth-failed');
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.5.52', () => resolve()));
  const send = (data: Buffer) => new Promise<void>((resolve) => socket.send(data, 4342, '127.0.5.50', () => resolve()));
  await send(forged);
  // (At least one more: a Map-Register the stopped ETRs sent just before may still be on its way.)
  await until(() => ms.counters.get('map-register.rejected.auth-failed') >= rejected + 1, { what: 'the forged refresh to be rejected' });
  // A worker rejected it, not the main thread: it logs a line naming the worker and 127.0.5.52 (below).
  // Bad packets of the types the workers read go to the main thread, which counts them; the workers go on.
  const malformed = () => Object.entries(ms.counters.snapshot()).reduce((n, [k, v]) => (k.startsWith('received.malformed.') ? n + v : n), 0);
  const handled = workerHandled(ms.counters.snapshot());
  for (const bad of [Buffer.from('30', 'hex'), forged.subarray(0, 20), forged.subarray(0, forged.length - 1), Buffer.from('8000000045', 'hex'), Buffer.alloc(64, 0x8f)]) await send(bad);
  socket.close();
  await until(() => malformed() === 5, { what: 'the bad packets to be counted' });
  await until(() => workerHandled(ms.counters.snapshot()) > handled + 2, { what: 'the workers to go on' });
  await until(() => /"worker":\d,"count":1,"from":\{"address":"127\.0\.5\.52","port":\d+\},"reason":"auth-failed","detail":"authentication data does not verify with key 1/.test(log.join('')), { what: 'the log line of the worker' });

  // Nothing rejected changed the state.
  const regs = daemon.ops.registrations();
  assert.deepEqual(regs.map((r) => [r.eidPrefix, r.etrs.map((e) => e.locators.map((l) => l.address))]), [
    ['198.18.1.0/24', [['127.0.5.51']]],
    ['198.18.2.0/24', [['127.0.5.52']]],
  ]);

  // site-b asked for proxy replies: a worker answers from its replica.
  const before = ms.counters.snapshot();
  const rb = await lig('198.18.2.7', '127.0.5.50');
  assert.match(rb, /Received map-reply from 127\.0\.5\.50:4342/);
  assert.match(rb, /198\.18\.2\.0\/24, via map-reply, record ttl: 1440, not auth, not mobile\n {2}Locator {5}State {2}Priority\/Weight\n {2}127\.0\.5\.52 {2}up {5}1\/100/);
  const after = ms.counters.snapshot();
  assert.equal(after['map-reply.proxy']! - (before['map-reply.proxy'] ?? 0), 1);
  assert.equal(workerForwarded(after), workerForwarded(before));

  // site-a did not: the main thread forwards to the ETR, which answers authoritatively.
  const ra = await lig('198.18.1.7', '127.0.5.50');
  assert.match(ra, /Received map-reply from 127\.0\.5\.51:4342/);
  assert.match(ra, /198\.18\.1\.0\/24, via map-reply, record ttl: 1440, auth, not mobile/);
  assert.equal(ms.counters.get('map-request.forwarded'), 1);

  // Negative answers come from the main thread: site-c is configured but unregistered, 192.0.2.1 no EID.
  assert.match(await lig('198.18.3.7', '127.0.5.50'), /198\.18\.3\.0\/24, via map-reply, record ttl: 1, not auth, not mobile\n {2}Negative cache entry, action: natively-forward/);
  assert.match(await lig('192.0.2.1', '127.0.5.50'), /192\.0\.0\.0\/6, via map-reply, record ttl: 15, not auth, not mobile\n {2}Negative cache entry, action: natively-forward/);
});

test("with workers: a changed registration (a new locator) reaches the workers' replicas", async (t) => {
  const { daemon } = await msDaemon(
    t,
    'name: ms-change\nroles: [ms, mr]\nlisten: [127.0.5.55]\napi: { socket: API }\nlog-level: warn\nms-workers: 2\nsites:\n  - { name: d, key: d-secret, eid-prefixes: [198.18.4.0/24] }\n',
  );
  const etr = etrNode('d', '127.0.5.56', '198.18.4.0/24', '127.0.5.55', { key: 'd-secret', keyId: 0, algorithm: 'sha256', proxyReply: true });
  t.after(() => etr.stop());
  await etr.start();
  await until(() => workerHandled(daemon.node.counters.snapshot()) >= 2, { what: 'refreshes in the workers' });
  assert.match(await lig('198.18.4.1', '127.0.5.55'), /Received map-reply from 127\.0\.5\.55:4342[^]*127\.0\.5\.56 {2}up {5}1\/100/);

  etr.capability('database')!.set(parsePrefix('198.18.4.0/24'), locatorsOf([{ address: '127.0.5.57', priority: 2, weight: 50 }]));
  await until(async () => /127\.0\.5\.57 {2}up {5}2\/50/.test(await lig('198.18.4.1', '127.0.5.55')), { what: 'the new locator in the proxy reply' });
  const out = await lig('198.18.4.1', '127.0.5.55');
  assert.doesNotMatch(out, /127\.0\.5\.56/);
  assert.equal(daemon.ops.registrations()[0]!.etrs[0]!.locators[0]!.address, '127.0.5.57');
});

test('with workers: refreshes in the workers keep a registration alive; it expires when the ETR goes away without a word, and the workers forget it', async (t) => {
  // Time is a fake clock shared by the Map-Server and the ETR, moved by the test: each refresh is
  // taken in before time moves on, so how loaded the machine is changes nothing.
  const fake = new FakeClock(1000, Date.UTC(2030, 0, 1));
  const workers = await MsWorkers.start({ count: 2, listen: ['127.0.5.58'], port: 4342, answerMapRequests: true, fastPath: true });
  const ms = new LispNode({
    name: 'ms-expiry', listen: ['127.0.5.58'], network: workers.network(udpNetwork), clock: fake,
    roles: [
      msRole({ sites: [{ name: 'e', keys: [{ keyId: 0, key: 'e-secret', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.5.0/24'), acceptMoreSpecifics: false }] }], registrationTimeoutMs: 1200 }),
      mrRole({ referrals: [] }),
    ],
  });
  workers.attach(ms);
  const etr = etrNode('e', '127.0.5.59', '198.18.5.0/24', '127.0.5.58', { key: 'e-secret', keyId: 0, algorithm: 'sha256', proxyReply: true }, fake);
  t.after(async () => {
    await etr.stop();
    await ms.stop();
    await workers.stop();
  });
  await ms.start();
  await etr.start();

  // When the Map-Server holds the ETR's registration of the prefix refreshed at the clock's now.
  const expiresAt = () => ms.capability('mapServer')!.registrations()[0]?.etrs.values().next().value?.expiresAt;
  // Ten registrations 200 ms apart span 2 s, past the 1.2 s lifetime; all but the first are refreshes in a worker.
  for (let i = 1; i <= 10; i++) {
    await until(() => ms.counters.get('map-register.accepted') >= i && expiresAt() === fake.now() + 1200, { what: `registration ${i} taken in at ${fake.now()} ms`, timeoutMs: 10_000 });
    if (i < 10) fake.advance(200);
  }
  assert.equal(ms.counters.get('registration.expired'), 0);
  assert.ok(workerHandled(ms.counters.snapshot()) >= 8, `refreshes handled in the workers: ${workerHandled(ms.counters.snapshot())}`);
  assert.match(await lig('198.18.5.1', '127.0.5.58'), /198\.18\.5\.0\/24, via map-reply, record ttl: 1440, not auth/);

  // An ETR that goes away without withdrawing (a crash, a cut link): its registration expires.
  await etr.stop({ withdraw: false });
  fake.advance(1199);
  assert.equal(ms.counters.get('registration.expired'), 0, 'alive until its lifetime is over');
  fake.advance(1);
  assert.equal(ms.counters.get('registration.expired'), 1);
  assert.equal(ms.capability('mapServer')!.registrations().length, 0);
  await until(async () => /198\.18\.5\.0\/24, via map-reply, record ttl: 1, not auth, not mobile\n {2}Negative cache entry/.test(await lig('198.18.5.1', '127.0.5.58')), {
    what: 'a negative reply once the workers dropped the prefix',
  });
});

test('with workers: a worker that dies is logged at error level, counted and started again with the whole replica; refreshes and proxy replies go on in the workers', async (t) => {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const workers = await MsWorkers.start({ count: 2, listen: ['127.0.5.173'], port: 4342, answerMapRequests: true, fastPath: true, log });
  const ms = new LispNode({
    name: 'ms-restart', listen: ['127.0.5.173'], network: workers.network(udpNetwork), clock,
    roles: [
      msRole({ sites: [{ name: 'r', keys: [{ keyId: 0, key: 'r-secret', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.7.0/24'), acceptMoreSpecifics: false }] }] }),
      mrRole({ referrals: [] }),
    ],
  });
  workers.attach(ms);
  const etr = etrNode('r', '127.0.5.174', '198.18.7.0/24', '127.0.5.173', { key: 'r-secret', keyId: 0, algorithm: 'sha256', proxyReply: true });
  t.after(async () => {
    await etr.stop();
    await ms.stop();
    await workers.stop();
  });
  await ms.start();
  await etr.start();
  await until(() => workerHandled(ms.counters.snapshot()) >= 2, { what: 'refreshes in the workers', timeoutMs: 10_000 });

  // Both die (the ETR's refreshes reach one of them), as if a system call had failed there.
  const before = workers.workers.map((w) => w.worker);
  for (const w of before) await w.terminate();
  await until(() => workers.workers.every((w, i) => w.worker !== before[i]) && lines.filter((l) => l.includes('"msg":"worker thread restarted"')).length === 2, {
    what: 'both workers to be restarted',
    timeoutMs: 20_000,
  });
  const deaths = lines.filter((l) => l.includes('"msg":"worker thread died"')).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(deaths.map((d) => [d.level, d.thread, d.exitCode]).sort(), [
    [50, 'Map-Server worker 0', 1],
    [50, 'Map-Server worker 1', 1],
  ]);
  const c = ms.counters.snapshot();
  assert.equal(c['ms-workers.worker-deaths'], 2);
  assert.equal(c['ms-workers.worker-restarts'], 2);

  // The new workers know the accepted Map-Register (the main thread sends no new accept for a repeat) and the proxy reply.
  const handled = workerHandled(ms.counters.snapshot());
  const forwarded = workerForwarded(ms.counters.snapshot());
  await until(() => workerHandled(ms.counters.snapshot()) >= handled + 3, { what: 'refreshes in the restarted workers', timeoutMs: 10_000 });
  const proxied = ms.counters.get('map-reply.proxy');
  assert.match(await lig('198.18.7.1', '127.0.5.173'), /198\.18\.7\.0\/24, via map-reply, record ttl: 1440, not auth/);
  assert.equal(ms.counters.get('map-reply.proxy'), proxied + 1, 'a restarted worker answered from its replica');
  assert.ok(workerForwarded(ms.counters.snapshot()) - forwarded <= 1, 'the restarted workers forwarded next to nothing to the main thread');
});

const bin = LOCI_BIN;
const exited = (c: ChildProcess) => new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));

test("with workers: an ETR's own Map-Registers replayed (from another address, or from another port of its own) register no second ETR, roll back no change and move nothing", async (t) => {
  const workers = await MsWorkers.start({ count: 2, listen: ['127.0.5.180'], port: 4342, answerMapRequests: true, fastPath: true });
  const ms = new LispNode({
    name: 'ms-replay', listen: ['127.0.5.180'], network: workers.network(udpNetwork), clock,
    roles: [
      msRole({ sites: [{ name: 'g', keys: [{ keyId: 0, key: 'g-secret', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.8.0/24'), acceptMoreSpecifics: false }] }] }),
      mrRole({ referrals: [] }),
    ],
  });
  workers.attach(ms);
  // The ETR's Map-Registers, as an attacker on the path would record them.
  const sent: Buffer[] = [];
  const recording = {
    bind: async (local: { address: string; port: number }, onDatagram: Parameters<typeof udpNetwork.bind>[1]) => {
      const socket = await udpNetwork.bind(local, onDatagram);
      return { local: socket.local, close: () => socket.close(), send: (data: Buffer, to: { address: string; port: number }) => (sent.push(data), socket.send(data, to)) };
    },
  };
  const etr = new LispNode({
    name: 'g', listen: ['127.0.5.181'], network: recording, clock,
    roles: [
      etrRole({ mapServers: [{ address: '127.0.5.180', port: 4342, wantMapNotify: true, key: 'g-secret', keyId: 0, algorithm: 'sha256', proxyReply: false }], database: [{ eid: parsePrefix('198.18.8.0/24'), locators: locatorsOf([{ address: '127.0.5.181', priority: 1, weight: 100 }]) }], registerIntervalMs: 200 }),
    ],
  });
  const sockets = await Promise.all(['127.0.5.182', '127.0.5.181'].map((a) => new Promise<ReturnType<typeof createSocket>>((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, a, () => resolve(s));
  })));
  t.after(async () => {
    for (const s of sockets) s.close();
    await etr.stop();
    await ms.stop();
    await workers.stop();
  });
  await ms.start();
  await etr.start();
  await until(() => workerHandled(ms.counters.snapshot()) >= 4, { what: 'refreshes in the workers', timeoutMs: 10_000 });
  const before = sent.splice(0);
  // The ETR moves to another locator; its Map-Registers since then are captured too.
  etr.capability('database')!.set(parsePrefix('198.18.8.0/24'), locatorsOf([{ address: '127.0.5.183', priority: 2, weight: 50 }]));
  await until(() => workerHandled(ms.counters.snapshot()) >= 8 && sent.length >= 4, { what: 'refreshes of the new mapping in the workers', timeoutMs: 10_000 });
  const after = sent.slice(0, 3);

  const refused = ms.counters.get('map-register.rejected.replayed-nonce');
  const replays = [...before, ...after];
  for (const socket of sockets) for (const r of replays) await new Promise<void>((resolve) => socket.send(r, 4342, '127.0.5.180', () => resolve()));
  // The replays the main thread sees (all but those a worker takes as refreshes of the current mapping) are refused.
  const foreign = () => ms.capability('mapServer')!.registrations().some((r) => [...r.etrs.values()].some((e) => e.source.port !== 4342));
  await until(() => foreign() || ms.counters.get('map-register.rejected.replayed-nonce') >= refused + replays.length + before.length, { what: 'the replays to be refused' });
  const regs = ms.capability('mapServer')!.registrations();
  assert.deepEqual(
    regs.map((r) => [...r.etrs.values()].map((e) => [e.id, e.source, e.record.locators.map((l) => `${formatAddress(l.address)} ${l.priority}/${l.weight}`)])),
    [[['127.0.5.181', { address: '127.0.5.181', port: 4342 }, ['127.0.5.183 2/50']]]],
  );
});

test('with workers: datagrams piling up for the main thread do not crowd out a Map-Request for a registered EID', async (t) => {
  const workers = await MsWorkers.start({ count: 2, listen: ['127.0.5.185'], port: 4342, answerMapRequests: true, fastPath: true });
  const ms = new LispNode({
    name: 'ms-crowd', listen: ['127.0.5.185'], network: workers.network(udpNetwork), clock,
    roles: [
      msRole({ sites: [{ name: 'h', keys: [{ keyId: 0, key: 'h-secret', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.10.0/24'), acceptMoreSpecifics: false }] }] }),
      mrRole({ referrals: [] }),
    ],
  });
  workers.attach(ms);
  // No proxy reply: the main thread forwards Map-Requests for the site to the ETR.
  const etr = etrNode('h', '127.0.5.186', '198.18.10.0/24', '127.0.5.185', { key: 'h-secret', keyId: 0, algorithm: 'sha256', proxyReply: false });
  t.after(async () => {
    await etr.stop();
    await ms.stop();
    await workers.stop();
  });
  await ms.start();
  await etr.start();
  await until(() => workerHandled(ms.counters.snapshot()) >= 1, { what: 'the workers to know the registration' });

  // While the main thread is busy, 6,000 Map-Requests for EIDs of no site (negative answers) reach
  // the workers, then one for the registered EID, all from one socket of a thread of this test.
  const junk = Array.from({ length: 6000 }, (_, i) => ecmRequest(`198.19.${i >> 8}.${i & 255}`, { itrs: ['127.0.5.187'], nonce: BigInt(i) }));
  const wanted = ecmRequest('198.18.10.7', { itrs: ['127.0.5.187'], nonce: 99_999n });
  const sender = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const s = require('node:dgram').createSocket('udp4');
     s.bind(0, '127.0.5.187', async () => {
       for (const p of workerData) await new Promise((r) => s.send(p, 4342, '127.0.5.185', r));
       s.close(() => parentPort.postMessage('sent'));
     });`,
    { eval: true, workerData: [...junk, wanted] },
  );
  t.after(() => sender.terminate());
  const seen = () => {
    const c = ms.counters.snapshot();
    return workerForwarded(c) + (c['ms-workers.forward-dropped'] ?? 0) + workerHandled(c);
  };
  const before = seen();
  // Busy: the event loop does not turn until the workers have seen them all.
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const giveUp = Date.now() + 30_000; seen() < before + junk.length + 1 && Date.now() < giveUp; ) Atomics.wait(pause, 0, 0, 5);
  assert.ok(seen() >= before + junk.length + 1, 'the workers received every datagram');
  assert.ok((ms.counters.snapshot()['ms-workers.forward-dropped'] ?? 0) >= junk.length - 4096, 'most of the flood was dropped');
  await until(() => ms.counters.get('map-request.forwarded') === 1, { what: 'the Map-Request for the registered EID to be forwarded to its ETR' });
});

test('loci run with ms-workers: 2 registers and answers through its workers; SIGHUP with a new site key turns the old key away', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loci-ms-workers-'));
  const msYaml = (key: string) =>
    `name: run-ms\napi: { socket: ${dir}/ms.sock }\nroles: [ms, mr]\nlisten: [127.0.5.60]\nms-workers: 2\nsites:\n  - { name: f, key: ${key}, eid-prefixes: [198.18.6.0/24] }\n`;
  writeFileSync(join(dir, 'ms.yaml'), msYaml('f-secret'));
  writeFileSync(
    join(dir, 'etr.yaml'),
    `name: run-etr\napi: { socket: ${dir}/etr.sock }\nroles: [etr]\nlisten: [127.0.5.61]\nregister-interval: 1\nmap-servers:\n  - { address: 127.0.5.60, key: f-secret, proxy-reply: true }\ndatabase:\n  - { eid-prefix: 198.18.6.0/24, rlocs: [{ address: 127.0.5.61 }] }\n`,
  );
  const run = (config: string) => {
    const child = spawn(process.execPath, [bin, 'run', '-c', join(dir, config)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    return { child, stderr: () => err };
  };
  const msd = run('ms.yaml');
  const etr = run('etr.yaml');
  t.after(() => {
    for (const p of [msd, etr]) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const api = new LociClient(join(dir, 'ms.sock'));
  await until(async () => workerHandled(await api.counters()) >= 2, { what: 'refreshes in the workers' }).catch(async (e: Error) => {
    throw new Error(`${e.message}\nMap-Server counters: ${JSON.stringify(await api.counters().catch(() => ({})))}\nMap-Server log: ${msd.stderr().slice(-1500)}\nETR log: ${etr.stderr().slice(-1500)}`, { cause: e });
  });
  assert.match(msd.stderr(), /"msWorkers":2,"msg":"node started"/);
  assert.match(await lig('198.18.6.1', '127.0.5.60'), /198\.18\.6\.0\/24, via map-reply, record ttl: 1440, not auth/);

  writeFileSync(join(dir, 'ms.yaml'), msYaml('f-new-secret'));
  msd.child.kill('SIGHUP');
  await until(async () => ((await api.counters())['map-register.rejected.auth-failed'] ?? 0) >= 2, { what: 'the old key to be turned away', timeoutMs: 10_000 });
  assert.match(msd.stderr(), /"msg":"config reloaded"/);

  for (const p of [etr, msd]) {
    const code = exited(p.child);
    p.child.kill('SIGTERM');
    assert.equal(await code, 0);
  }
});
