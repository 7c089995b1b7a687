// The ETR's registration: Map-Registers that fit the path, Map-Notifies waited for, refusals and
// silence reported, withdrawal on stop, and the SMRs it sends bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { Counters } from '../../../src/core/counters.js';
import { Etr } from '../../../src/core/roles/etr.js';
import { locatorsOf } from '../../../src/core/wire-mapping.js';
import { MapServer } from '../../../src/core/roles/map-server.js';
import type { Endpoint, Log } from '../../../src/core/ports.js';
import { decodeMessage, encodeAuthenticated, formatAddress, ipAddress, LispDecodeError, mapNotify, mapRegister, mapRequestFor, verifyMessage, type Address, type LispMessage, type MapNotify, type MapRegister } from '../../../src/packet/index.js';
import { LocalDatabase, parsePrefix } from '../../../src/table/index.js';

const MS = '192.0.2.10';

function setup(o: { mapServerAnswers?: boolean; allowed?: string[]; loseNotify?: () => boolean } = {}) {
  const clock = new FakeClock();
  const counters = new Counters();
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (fields: object, message: string) => lines.push({ level, message, fields: fields as Record<string, unknown> });
  const log: Log = { isLevelEnabled: () => false, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const ms = new MapServer({
    clock,
    counters: new Counters(),
    sites: [{ name: 's', keys: [{ keyId: 0, key: 'k', algorithm: 'sha256' }], prefixes: (o.allowed ?? ['198.18.0.0/15']).map((p) => ({ prefix: parsePrefix(p), acceptMoreSpecifics: true })) }],
  });
  const sent: { to: Endpoint; m: MapRegister; bytes: Buffer }[] = [];
  const smrs: Endpoint[] = [];
  const database = new LocalDatabase();
  const etr = new Etr({
    database,
    clock,
    counters,
    log,
    mapServers: [{ address: MS, port: 4342, key: 'k', keyId: 0, algorithm: 'sha256', proxyReply: false, wantMapNotify: true }],
    registerIntervalMs: 60_000,
    recordTtlMinutes: 1440,
    controlPort: 4342,
    send: (bytes, to) => {
      const d = decodeMessage(bytes);
      assert.ok(!(d instanceof LispDecodeError));
      if (d.value.type === 'map-request') return void smrs.push(to);
      // A late Map-Notify (its Map-Register timed out and was sent again) is acknowledged: harmless to a Map-Server.
      if (d.value.type === 'map-notify-ack') return;
      assert.equal(d.value.type, 'map-register');
      const m = d.value as MapRegister;
      sent.push({ to, m, bytes });
      if (o.mapServerAnswers === false) return;
      const r = ms.register(bytes, m, { address: '198.51.100.1', port: 4342 });
      if (r.ok && r.notify && !o.loseNotify?.()) {
        const n = decodeMessage(r.notify);
        assert.ok(!(n instanceof LispDecodeError) && n.value.type === 'map-notify');
        // Delivered asynchronously, as from the network.
        queueMicrotask(() => etr.registrar.handleNotify(r.notify!, n.value as never, { address: MS, port: 4342 }));
      }
    },
  });
  return { clock, counters, etr, database, ms, sent, smrs, lines };
}

const entry = (prefix: string, rlocs = ['198.51.100.1']) => [parsePrefix(prefix), locatorsOf(rlocs.map((address) => ({ address, priority: 1, weight: 100 })))] as const;
const tick = () => new Promise((r) => setImmediate(r));

test('nothing is registered before start; a large database goes in Map-Registers of at most 548 bytes (IPv4, RFC 9301 section 5)', async () => {
  const { etr, database, sent, ms } = setup();
  for (let i = 0; i < 100; i++) database.set(...entry(`198.18.${i}.0/24`, ['198.51.100.1', '2001:db8::1']));
  assert.equal(sent.length, 0);
  etr.start();
  await tick();
  assert.ok(sent.length > 1);
  for (const s of sent) assert.ok(s.bytes.length <= 548, `${s.bytes.length} bytes`);
  assert.equal(sent.reduce((n, s) => n + s.m.records.length, 0), 100);
  assert.equal(ms.registrations().length, 100);
  assert.deepEqual(etr.registrar.status(), [{ mapServer: MS, state: 'registered', refused: [] }]);
});

test('a Map-Register whose Map-Notify was lost is sent again as the database is now: the records of before a change never roll the registration back', async () => {
  let lose = true;
  const { clock, etr, database, sent, ms } = setup({ loseNotify: () => lose });
  const locators = () => ms.registrations().flatMap((r) => [...r.etrs.values()].flatMap((e) => e.record.locators.map((l) => formatAddress(l.address))));
  database.set(...entry('198.18.1.0/24', ['198.51.100.1']));
  etr.start();
  await tick();
  // The Map-Server took it, but its Map-Notify is lost; then the mapping changes (acknowledged).
  lose = false;
  database.set(...entry('198.18.1.0/24', ['198.51.100.2']));
  await tick();
  assert.deepEqual(locators(), ['198.51.100.2']);
  clock.advance(3000);
  await tick();
  assert.equal(sent.length, 3, 'the unacknowledged one was sent once more');
  assert.deepEqual(sent[2]!.m.records.map((r) => r.locators.map((l) => formatAddress(l.address))), [['198.51.100.2']]);
  assert.deepEqual(locators(), ['198.51.100.2']);
  // A prefix taken out of the database meanwhile is not sent again.
  lose = true;
  database.set(...entry('198.18.2.0/24'));
  await tick();
  database.delete(parsePrefix('198.18.2.0/24'));
  lose = false;
  const before = sent.length;
  clock.advance(3000);
  await tick();
  assert.ok(sent.slice(before).every((s) => s.m.records.every((r) => formatAddress(r.eid) !== '198.18.2.0')), 'no record of the removed prefix');
});

test('a Map-Server that never answers: sent once more after 3 s, then reported once at error level with its address', async () => {
  const { clock, etr, database, sent, lines, counters } = setup({ mapServerAnswers: false });
  database.set(...entry('198.18.1.0/24'));
  etr.start();
  clock.advance(3000);
  assert.equal(sent.length, 2);
  clock.advance(3000);
  assert.deepEqual(etr.registrar.status(), [{ mapServer: MS, state: 'unacknowledged', refused: [] }]);
  assert.equal(counters.get('map-register.unacknowledged'), 1);
  clock.advance(60_000 * 3);
  const errors = lines.filter((l) => l.level === 'error');
  assert.equal(errors.length, 1, 'reported once, not at every interval');
  assert.equal(errors[0]!.fields.mapServer, MS);
});

test('a prefix the Map-Server refuses is reported; the site\'s other prefixes stay registered', async () => {
  const { etr, database, ms, lines } = setup({ allowed: ['198.18.1.0/24'] });
  database.set(...entry('198.18.1.0/24'));
  database.set(...entry('198.18.99.0/24'));
  etr.start();
  await tick();
  assert.equal(ms.registrations().length, 1);
  assert.deepEqual(etr.registrar.status(), [{ mapServer: MS, state: 'partly-refused', refused: ['198.18.99.0/24'] }]);
  const error = lines.find((l) => l.level === 'error')!;
  assert.deepEqual([error.fields.mapServer, error.fields.refused], [MS, ['198.18.99.0/24']]);
});

test('stop withdraws: every record with TTL 0, and the Map-Server drops the registrations', async () => {
  const { etr, database, ms, sent } = setup();
  database.set(...entry('198.18.1.0/24'));
  database.set(...entry('198.18.2.0/24'));
  etr.start();
  await tick();
  assert.equal(ms.registrations().length, 2);
  etr.registrar.withdraw();
  etr.stop();
  const last = sent.at(-1)!.m;
  assert.deepEqual([last.wantMapNotify, last.records.map((r) => r.ttl)], [false, [0, 0]]);
  assert.equal(ms.registrations().length, 0);
  assert.equal(mapRegister.decode(sent.at(-1)!.bytes).value.records.length, 2);
});

test('SMRs after a change go only to ITRs answered recently, at most 1,000 remembered and 100 per second', async () => {
  const { clock, etr, database, smrs, counters } = setup();
  database.set(...entry('198.18.1.0/24'));
  etr.start();
  const request = (itr: string) =>
    etr.answer({ type: 'map-request', sourceEid: { afi: 'none' }, records: [{ eid: { afi: 'ipv4', address: '198.18.1.9' }, maskLen: 32 }], nonce: 1n, probe: false } as never, '198.51.100.1', itr);
  for (let i = 0; i < 10_957; i++) request(`203.0.${(i >> 8) & 0xff}.${i & 0xff}`);
  assert.equal(etr.requesterCount, 1000);
  database.set(...entry('198.18.1.0/24', ['198.51.100.2']));
  assert.equal(smrs.length, 100);
  assert.equal(counters.get('smr.rate-limited'), 900);
  clock.advance(61_000);
  database.set(...entry('198.18.1.0/24', ['198.51.100.3']));
  assert.equal(smrs.length, 100, 'requesters are forgotten after 60 s');
});

test('a Map-Server given a prefix more specific than a database entry gets that prefix with the entry\'s locators', async () => {
  const { etr, database, ms, sent } = setup();
  etr.registrar.setMapServers([{ address: MS, port: 4342, key: 'k', keyId: 0, algorithm: 'sha256', proxyReply: false, wantMapNotify: true, prefixes: [parsePrefix('198.18.1.0/24'), parsePrefix('198.19.0.0/24')] }]);
  database.set(...entry('198.18.0.0/16', ['198.51.100.7']));
  etr.start();
  await tick();
  assert.deepEqual(sent.flatMap((s) => s.m.records.map((r) => r.maskLen)), [24]);
  assert.deepEqual(ms.registrations().map((r) => r.prefix.len), [24]);
});

/** An ETR with an xTR-ID, whose every sent message is kept (decoded), beside a Loci Map-Server. */
function identified() {
  const clock = new FakeClock();
  const counters = new Counters();
  const ms = new MapServer({ clock, counters: new Counters(), sites: [{ name: 's', keys: [{ keyId: 0, key: 'k', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.0.0/15'), acceptMoreSpecifics: true }] }] });
  const sent: { to: Endpoint; bytes: Buffer; m: LispMessage }[] = [];
  const database = new LocalDatabase();
  const etr = new Etr({
    database,
    clock,
    counters,
    mapServers: [{ address: MS, port: 4342, key: 'k', keyId: 0, algorithm: 'sha256', proxyReply: false, wantMapNotify: true }],
    registerIntervalMs: 60_000,
    recordTtlMinutes: 1440,
    xtrId: 0x20010db8000000000000000000000042n,
    siteId: 7n,
    controlPort: 4342,
    localAddresses: () => ['198.51.100.1', '2001:db8::1'],
    send: (bytes, to) => {
      const d = decodeMessage(bytes);
      assert.ok(!(d instanceof LispDecodeError));
      sent.push({ to, bytes, m: d.value });
    },
  });
  database.set(...entry('198.18.1.0/24'));
  return { clock, counters, etr, ms, sent, database };
}

test('with an xTR-ID, every Map-Register carries it and the site-ID (I bit), withdrawals too; a Map-Server keys the ETR by it from any address', async () => {
  const { etr, ms, sent } = identified();
  etr.start();
  await tick();
  const [first] = sent;
  assert.ok(first && first.m.type === 'map-register');
  assert.equal(first.bytes.readUInt32BE(0) & 0x02000000, 0x02000000, 'the I bit');
  assert.deepEqual([first.m.xtrId, first.m.siteId], [0x20010db8000000000000000000000042n, 7n]);
  const r = ms.register(first.bytes, first.m, { address: '198.51.100.1', port: 4342 });
  assert.ok(r.ok);
  assert.deepEqual([...ms.registrations()[0]!.etrs.keys()], ['20010db8000000000000000000000042']);
  // The Map-Notify echoes them, with the I bit, and the ETR takes it as its acknowledgement.
  const notify = decodeMessage(r.notify!);
  assert.ok(!(notify instanceof LispDecodeError) && notify.value.type === 'map-notify');
  assert.deepEqual([notify.value.xtrId, notify.value.siteId, r.notify!.readUInt32BE(0) & 0x08000000], [0x20010db8000000000000000000000042n, 7n, 0x08000000]);
  assert.ok(etr.registrar.handleNotify(r.notify!, notify.value, { address: MS, port: 4342 }));
  // Withdrawn on stop from another address: the same ETR, by its xTR-ID.
  etr.registrar.withdraw();
  const w = sent.at(-1)!;
  assert.ok(w.m.type === 'map-register' && w.m.xtrId === 0x20010db8000000000000000000000042n && w.m.records[0]!.ttl === 0);
  assert.ok(ms.register(w.bytes, w.m, { address: '198.51.100.2', port: 4342 }).ok);
  assert.deepEqual(ms.registrations(), []);
});

test('an unsolicited Map-Notify that verifies gets a Map-Notify-Ack (its copy with type 5, signed with our key, to the Map-Server); one that does not verify gets nothing', async () => {
  const { etr, counters, sent } = identified();
  etr.start();
  await tick();
  const register = sent[0]!.m as MapRegister;
  const from = { address: MS, port: 4342 };
  // As a lispers.net Map-Server tells an ETR its registration's RLOC-set changed: the xTR-ID copied, without the I bit.
  const unsolicited: MapNotify = { type: 'map-notify', rtr: false, nonce: 0x77n, keyId: 0, algorithmId: 2, authData: Buffer.alloc(0), records: register.records, xtrId: 0x11n, siteId: 3n, xtrIdUnflagged: true };
  const bytes = encodeAuthenticated(unsolicited, 'k');
  const before = sent.length;
  assert.equal(etr.registrar.handleNotify(bytes, mapNotify.decode(bytes).value, from), false, 'not an acknowledgement of ours');
  assert.equal(sent.length, before + 1);
  const ack = sent.at(-1)!;
  assert.deepEqual(ack.to, from);
  assert.ok(ack.m.type === 'map-notify-ack');
  assert.ok(verifyMessage(ack.bytes, 'k'));
  assert.deepEqual(ack.bytes.subarray(16 + 32), bytes.subarray(16 + 32), 'the records and the xTR-ID as they came');
  assert.equal(ack.bytes.readUInt32BE(0), ((5 << 28) | 1) >>> 0, 'type 5, the same flags and record count');
  assert.deepEqual([ack.m.nonce, counters.get('map-notify-ack.sent')], [0x77n, 1]);
  // Forged (another key) or from an address we do not register with: no answer.
  const forged = encodeAuthenticated(unsolicited, 'not-k');
  etr.registrar.handleNotify(forged, mapNotify.decode(forged).value, from);
  etr.registrar.handleNotify(bytes, mapNotify.decode(bytes).value, { address: '203.0.113.66', port: 4342 });
  assert.equal(sent.length, before + 1);
  assert.equal(counters.get('map-notify.rejected'), 2);
});

test('an SMR names the changed prefix as source EID and the EID the ITR asked from as its record (what Open Overlay Router looks up), with our RLOC and D set', async () => {
  const { etr, sent, database } = identified();
  etr.start();
  await tick();
  const ask = (itr: string, sourceEid: Address) =>
    etr.answer(mapRequestFor({ eid: ipAddress('198.18.1.9'), maskLen: 32, itrRlocs: [itr], nonce: 1n, sourceEid }), '198.51.100.1', itr);
  ask('203.0.113.7', ipAddress('198.18.9.7'));
  ask('2001:db8:7::1', ipAddress('2001:db8:9::7', 5));
  ask('203.0.113.8', { afi: 'none' });
  const before = sent.length;
  database.set(...entry('198.18.1.0/24', ['198.51.100.2']));
  const smrs = sent.slice(before).filter((x) => x.m.type === 'map-request');
  assert.deepEqual(
    smrs.map(({ to, m }) => {
      assert.ok(m.type === 'map-request' && m.smr && m.dontMapReply && !m.smrInvoked, 'an SMR with D set');
      return [to.address, formatAddress(m.sourceEid), `${formatAddress(m.records[0]!.eid)}/${m.records[0]!.maskLen}`, m.itrRlocs.map(formatAddress).join()];
    }),
    [
      ['203.0.113.7', '198.18.1.0', '198.18.9.7/32', '198.51.100.1'],
      ['2001:db8:7::1', '198.18.1.0', '[5]2001:db8:9::7/128', '2001:db8::1'],
      ['203.0.113.8', '198.18.1.0', '198.18.1.0/24', '198.51.100.1'],
    ],
  );
});
