// The data plane's control side without root: DataPlane on an in-memory host (io/testing/
// memory-host.ts) with fake worker threads (fake-worker.ts). What it sets up on the host in router
// and host mode, what it takes away on stop or after a refused start, the leftovers of an earlier
// run, and the workers: what they are handed, the map-cache they follow, their reports, a restart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BroadcastChannel } from 'node:worker_threads';
import { FakeClock } from '../../../src/core/clock.js';
import type { Log } from '../../../src/core/ports.js';
import { DataPlane, type DataPlaneHost, type DataPlaneOptions } from '../../../src/dataplane/data-plane.js';
import { MemoryHost } from '../../../src/io/testing/memory-host.js';
import { LispError } from '../../../src/packet/index.js';
import { LocalDatabase, MapCache, parsePrefix, type EidPrefix, type Locator } from '../../../src/table/index.js';
import { until } from '../../helpers/until.js';
import { fakeChannel, type FakeEvent, type FakeOrder } from './fake-worker.js';

const P = parsePrefix;
const locator = (address: string): Locator => ({ address, family: 'ipv4', priority: 1, weight: 100, state: 'up' });

function logged() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push({ level, fields: fields as Record<string, unknown>, message });
  const log: Log = { isLevelEnabled: () => false, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
}

/** A local database of the prefixes, each with RLOCs count locators. */
function databaseOf(prefixes: readonly EidPrefix[], count = 2): LocalDatabase {
  const database = new LocalDatabase();
  for (const p of prefixes) database.set(p, Array.from({ length: count }, (_, i) => locator(`192.0.2.${i + 1}`)));
  return database;
}

/** A data plane on a fresh in-memory host, its fake workers talking on the channel of its TUN name; database: its prefixes, 2 RLOCs each. */
function setup(tun: string, o: Partial<Omit<DataPlaneOptions, 'database'>> & { database?: readonly EidPrefix[] } = {}) {
  const { database: prefixes = [P('198.18.1.0/24'), P('2001:db8:1::/48')], ...rest } = o;
  const database = databaseOf(prefixes);
  const host = new MemoryHost();
  const dpHost: DataPlaneHost = { tuns: host.tuns, routes: host.routes, openSocket: (s) => host.openSocket(s), worker: { from: new URL('./fake-worker.ts', import.meta.url).href, name: 'fake-worker' } };
  const events: FakeEvent[] = [];
  const channel = new BroadcastChannel(fakeChannel(tun));
  channel.onmessage = (e) => void events.push((e as { data: FakeEvent }).data);
  const order = (o: FakeOrder) => channel.postMessage(o);
  const { log, lines } = logged();
  const options: DataPlaneOptions = {
    tun,
    mode: 'router',
    instanceId: 0,
    underlayMtu: 1500,
    mtu: 1450,
    eidAddresses: [],
    petrs: [],
    routes: true,
    routeTable: 4341,
    rulePriority: 4341,
    offload: false,
    database,
    rlocs: ['192.0.2.1', '2001:db8::1'],
    decapsulate: false,
    decapsulateAny: false,
    log,
    host: dpHost,
    ...rest,
  };
  const mappings = (role: 'encap' | 'decap') => events.flatMap((e) => (e.event === 'mapping' && e.role === role ? [e.message] : []));
  const started = (role: 'encap' | 'decap') => events.filter((e): e is Extract<FakeEvent, { event: 'started' }> => e.event === 'started' && e.role === role);
  return { host, options, database, events, order, lines, mappings, started, close: () => channel.close() };
}

describe('the data plane on an in-memory host', () => {
  it('router mode: the TUN device and its link, the steering rules and routes, the workers and what they are handed; stop takes it all away', async (t) => {
    const mapCache = new MapCache({ scheduler: new FakeClock() });
    mapCache.addStatic(P('198.18.2.0/24'), { locators: [locator('192.0.2.20')] });
    const misses: EidPrefix[] = [];
    const s = setup('fake-r0', { mapCache, resolve: (eid) => misses.push(eid), decapsulate: true });
    t.after(s.close);
    const dp = await DataPlane.start(s.options);
    const { host } = s;

    const device = host.devices[0]!;
    assert.deepEqual(device.options, { vnetHeader: true, offload: 0 });
    assert.deepEqual(host.links.get('fake-r0')?.settings, { mtu: 1450, txqueuelen: 1000, addresses: [], up: true });
    assert.deepEqual(host.rules.ipv4, [
      { priority: 4340, table: 'main', to: '198.18.1.0/24', more: false },
      { priority: 4341, table: '4341', from: '198.18.1.0/24', more: false },
    ]);
    assert.deepEqual(host.rules.ipv6, [
      { priority: 4340, table: 'main', to: '2001:db8:1::/48', more: false },
      { priority: 4341, table: '4341', from: '2001:db8:1::/48', more: false },
    ]);
    assert.deepEqual(host.routeList.ipv4, [{ dst: 'default', dev: 'fake-r0', table: 4341 }]);
    assert.deepEqual(host.routeList.ipv6, [{ dst: 'default', dev: 'fake-r0', table: 4341 }]);
    assert.equal(host.sysctls.get('net/ipv4/conf/fake-r0/rp_filter'), '0');

    await until(() => s.events.filter((e) => e.event === 'started').length === 2, { what: 'both workers to start' });
    const started = (role: string) => s.events.find((e) => e.event === 'started' && e.role === role) as Extract<FakeEvent, { event: 'started' }>;
    assert.equal(started('encap').tunFd, device.fd);
    assert.deepEqual([started('encap').sockets.ipv4.length, started('encap').sockets.ipv6.length], [4, 4], 'a pool of sending sockets per family');
    assert.deepEqual([started('decap').sockets.ipv4.length, started('decap').sockets.ipv6.length], [1, 1], 'one socket on port 4341 per family');
    assert.deepEqual(started('decap').ownEids, [
      { family: 'ipv4', address: P('198.18.1.0/24').address, len: 24 },
      { family: 'ipv6', address: P('2001:db8:1::/48').address, len: 48 },
    ]);
    assert.deepEqual(
      host.sockets.map((x) => x.options).filter((x) => (x as { port: number }).port === 4341),
      ['0.0.0.0', '::'].map((address, i) => ({ family: i === 0 ? 4 : 6, address, port: 4341, gro: true, receiveMarking: true, sendBufferSize: 4 << 20, receiveBufferSize: 4 << 20 })),
    );

    // The encap worker gets the map-cache at start, then every change; the decap worker none of it.
    await until(() => s.mappings('encap').length === 1, { what: 'the map-cache at start' });
    mapCache.addStatic(P('198.18.3.0/24'), { locators: [locator('192.0.2.30')] });
    mapCache.delete(P('198.18.2.0/24'));
    await until(() => s.mappings('encap').length === 3, { what: 'the changes' });
    assert.deepEqual(s.mappings('encap'), [
      { op: 'add', prefix: P('198.18.2.0/24'), route: { kind: 'forward', locators: [locator('192.0.2.20')] } },
      { op: 'add', prefix: P('198.18.3.0/24'), route: { kind: 'forward', locators: [locator('192.0.2.30')] } },
      { op: 'delete', prefix: P('198.18.2.0/24') },
    ]);
    assert.deepEqual(s.mappings('decap'), []);

    // Reports: a miss is resolved, per-locator stats become counters.
    s.order({ role: 'encap', order: 'report', message: { op: 'miss', eid: P('198.18.9.0/24') } });
    s.order({ role: 'encap', order: 'report', message: { op: 'stats', locators: { '192.0.2.30': { packets: 3, bytes: 300 } } } });
    await until(() => misses.length === 1 && dp.snapshot()['dataplane.locator.192.0.2.30.packets'] === 3, { what: 'the reports' });
    assert.deepEqual(misses, [P('198.18.9.0/24')]);

    await dp.stop();
    assert.deepEqual([host.rules, host.routeList], [{ ipv4: [], ipv6: [] }, { ipv4: [], ipv6: [] }], 'every rule and route removed');
    assert.equal(host.links.has('fake-r0'), false, 'the TUN device closed (and so gone)');
    assert.deepEqual(host.sockets.filter((x) => x.open), [], 'every socket closed');
    mapCache.addStatic(P('198.18.4.0/24'), { locators: [locator('192.0.2.40')] });
    assert.equal(s.mappings('encap').length, 3, 'the map-cache is no longer followed');
  });

  it('host mode: the EID addresses on the TUN device, rules from the RLOCs, the table sourced from the EID', async (t) => {
    const s = setup('fake-h0', { mode: 'host', eidAddresses: ['198.18.5.1'], rlocs: ['192.0.2.1'], database: [P('198.18.5.1/32')] });
    t.after(s.close);
    const dp = await DataPlane.start(s.options);
    assert.deepEqual(s.host.links.get('fake-h0')?.settings.addresses, ['198.18.5.1/32']);
    assert.deepEqual(s.host.rules.ipv4, [
      { priority: 4340, table: 'main', from: '192.0.2.1', more: false },
      { priority: 4341, table: '4341', more: false },
    ]);
    assert.deepEqual(s.host.routeList.ipv4, [{ dst: 'default', dev: 'fake-h0', src: '198.18.5.1', table: 4341 }]);
    assert.deepEqual(s.host.rules.ipv6, []);
    await dp.stop();
    assert.deepEqual(s.host.rules.ipv4, []);
  });

  it('a start the host refuses fails with one line (ERR_LISP_SYSTEM) and leaves nothing behind', async (t) => {
    const s = setup('fake-f0');
    t.after(s.close);
    s.host.fail('addRoute', 'RTNETLINK answers: Operation not permitted');
    await assert.rejects(DataPlane.start(s.options), (e: unknown) => {
      assert.ok(e instanceof LispError);
      assert.equal(e.code, 'ERR_LISP_SYSTEM');
      assert.equal(e.message, 'data plane: ip route add default dev fake-f0 table 4341: RTNETLINK answers: Operation not permitted');
      return true;
    });
    assert.deepEqual(s.host.rules, { ipv4: [], ipv6: [] }, 'the rules added before are removed');
    assert.equal(s.host.links.has('fake-f0'), false, 'the TUN device is closed');

    const other = setup('fake-v0');
    t.after(other.close);
    other.host.leave('fake-v0', { kind: 'veth' });
    await assert.rejects(DataPlane.start(other.options), /^LispError: data plane: a veth link named fake-v0 exists and is not a TUN device this node made/);
    assert.deepEqual(other.host.links.get('fake-v0')?.kind, 'veth', 'the veth is not touched');
  });

  it("an earlier run's rules, routes and persistent TUN device are removed and logged; anything else stays", async (t) => {
    const s = setup('fake-l0', { database: [P('198.18.1.0/24')] });
    t.after(s.close);
    const { host } = s;
    host.leave('fake-l0', { kind: 'tun', tunType: 'tun', persist: true });
    host.routes.addRule('ipv4', { priority: 4340, table: 'main', to: '198.18.1.0/24' });
    host.routes.addRule('ipv4', { priority: 4341, table: '4341', from: '198.18.1.0/24' });
    host.routes.addRule('ipv4', { priority: 4340, table: 'main', to: '198.18.9.0/24' });
    host.routes.addRule('ipv4', { priority: 100, table: '100' });
    host.routes.addRoute('ipv4', { dst: 'default', dev: 'fake-l0', table: 4341 });
    const dp = await DataPlane.start(s.options);
    const warned = s.lines.find((l) => l.level === 'warn');
    assert.deepEqual(warned?.fields.removed, [
      'ip -4 rule pref 4340 to 198.18.1.0/24 lookup main',
      'ip -4 rule pref 4341 from 198.18.1.0/24 lookup 4341',
      'ip -4 route default dev fake-l0 table 4341',
      'TUN device fake-l0 (persistent)',
    ]);
    assert.deepEqual(
      host.rules.ipv4.map((r) => `${r.priority} ${r.to ?? r.from ?? 'all'} ${r.table}`),
      ['4340 198.18.9.0/24 main', '100 all 100', '4340 198.18.1.0/24 main', '4341 198.18.1.0/24 4341'],
    );
    await dp.stop();
    assert.deepEqual(
      host.rules.ipv4.map((r) => `${r.priority} ${r.to ?? r.from ?? 'all'} ${r.table}`),
      ['4340 198.18.9.0/24 main', '100 all 100'],
    );
  });

  it('a worker that dies is logged, started again and handed the whole map-cache', async (t) => {
    const mapCache = new MapCache({ scheduler: new FakeClock() });
    mapCache.addStatic(P('198.18.2.0/24'), { locators: [locator('192.0.2.20')] });
    const s = setup('fake-d0', { mapCache });
    t.after(s.close);
    const dp = await DataPlane.start(s.options);
    t.after(() => dp.stop());
    await until(() => s.mappings('encap').length === 1, { what: 'the map-cache at start' });
    s.order({ role: 'encap', order: 'die' });
    await until(() => s.events.filter((e) => e.event === 'started').length === 2 && s.mappings('encap').length === 2, { what: 'the restarted worker and its map-cache' });
    assert.deepEqual(s.mappings('encap')[1], s.mappings('encap')[0]);
    assert.equal(dp.workers[0]!.restarts, 1);
    assert.equal(dp.snapshot()['dataplane.worker-deaths'], 1);
    assert.ok(s.lines.some((l) => l.level === 'error' && l.message === 'worker thread died' && l.fields.exitCode === 7));
  });
  it('router mode follows the local database: an entry added or removed changes exactly its rules (and T\'s route of its family), the own EIDs and the LSBs, at once', async (t) => {
    const s = setup('fake-db0', { database: [P('198.18.1.0/24')], mapCache: new MapCache({ scheduler: new FakeClock() }), decapsulate: true });
    t.after(s.close);
    const { host, database } = s;
    // Someone else's rule: never touched.
    host.routes.addRule('ipv4', { priority: 100, table: '100' });
    const dp = await DataPlane.start(s.options);
    await until(() => s.started('encap').length === 1 && s.started('decap').length === 1, { what: 'both workers to start' });
    assert.equal(s.started('encap')[0]!.locatorStatusBits, 0b11, 'two RLOCs up');
    const rules = (family: 'ipv4' | 'ipv6') => host.rules[family].map((r) => `${r.priority} ${r.to ? `to ${r.to}` : r.from ? `from ${r.from}` : 'all'} ${r.table}`);
    const own = (...prefixes: string[]) => ({ op: 'own-eids', eids: prefixes.map((p) => ({ family: P(p).family, address: P(p).address, len: P(p).len })) });

    // A second IPv4 prefix with three RLOCs: its two rules; T has its IPv4 route already.
    database.set(P('198.18.7.0/24'), [locator('192.0.2.1'), locator('192.0.2.2'), locator('192.0.2.3')]);
    assert.deepEqual(rules('ipv4'), ['100 all 100', '4340 to 198.18.1.0/24 main', '4341 from 198.18.1.0/24 4341', '4340 to 198.18.7.0/24 main', '4341 from 198.18.7.0/24 4341']);
    assert.deepEqual(host.routeList, { ipv4: [{ dst: 'default', dev: 'fake-db0', table: 4341 }], ipv6: [] });
    // The first IPv6 prefix: its rules, and T's IPv6 route.
    database.set(P('2001:db8:7::/48'), [locator('192.0.2.1')]);
    assert.deepEqual(rules('ipv6'), ['4340 to 2001:db8:7::/48 main', '4341 from 2001:db8:7::/48 4341']);
    assert.deepEqual(host.routeList.ipv6, [{ dst: 'default', dev: 'fake-db0', table: 4341 }]);
    // A change of locators steers nothing new; the LSBs follow the longest list (2 again).
    database.set(P('198.18.7.0/24'), [locator('192.0.2.1')]);
    assert.equal(host.rules.ipv4.length, 5);
    // The last IPv6 prefix goes, and T's IPv6 route with it; the IPv4 rules stay.
    database.delete(P('2001:db8:7::/48'));
    assert.deepEqual(host.rules.ipv6, []);
    assert.deepEqual(host.routeList.ipv6, []);
    database.delete(P('198.18.1.0/24'));
    assert.deepEqual(rules('ipv4'), ['100 all 100', '4340 to 198.18.7.0/24 main', '4341 from 198.18.7.0/24 4341']);
    assert.deepEqual(host.routeList.ipv4, [{ dst: 'default', dev: 'fake-db0', table: 4341 }]);

    // The decap worker's own EIDs after each add and remove; the encap worker's LSBs when they change.
    await until(() => s.mappings('decap').length === 4 && s.mappings('encap').length === 3, { what: 'the database messages' });
    assert.deepEqual(s.mappings('decap'), [
      own('198.18.1.0/24', '198.18.7.0/24'),
      own('198.18.1.0/24', '198.18.7.0/24', '2001:db8:7::/48'),
      own('198.18.1.0/24', '198.18.7.0/24'),
      own('198.18.7.0/24'),
    ]);
    assert.deepEqual(s.mappings('encap'), [
      { op: 'locator-status-bits', bits: 0b111 },
      { op: 'locator-status-bits', bits: 0b11 },
      { op: 'locator-status-bits', bits: 0b1 },
    ]);

    // Restarted workers are handed the database as it is now, not as it was at start.
    s.order({ role: 'decap', order: 'die' });
    s.order({ role: 'encap', order: 'die' });
    await until(() => s.started('encap').length === 2 && s.started('decap').length === 2, { what: 'both workers to start again' });
    assert.deepEqual(s.started('decap')[1]!.ownEids, own('198.18.7.0/24').eids);
    assert.equal(s.started('encap')[1]!.locatorStatusBits, 0b1);
    database.set(P('198.18.8.0/24'), [locator('192.0.2.1'), locator('192.0.2.2')]);
    await until(() => s.mappings('decap').length === 5 && s.mappings('encap').length === 4, { what: 'the restarted workers to follow' });
    assert.deepEqual(s.mappings('decap')[4], own('198.18.7.0/24', '198.18.8.0/24'));
    assert.deepEqual(s.mappings('encap')[3], { op: 'locator-status-bits', bits: 0b11 });

    // Stop takes away exactly what is steered now; the database is no longer followed.
    await dp.stop();
    assert.deepEqual(rules('ipv4'), ['100 all 100']);
    assert.deepEqual(host.routeList, { ipv4: [], ipv6: [] });
    database.set(P('198.18.9.0/24'), [locator('192.0.2.1')]);
    assert.deepEqual(rules('ipv4'), ['100 all 100']);
  });

  it('a database entry whose steering the host refuses is logged and leaves nothing; the workers still follow; decapsulate-for any sends no own EIDs', async (t) => {
    const s = setup('fake-db1', { database: [P('198.18.1.0/24')], decapsulate: true, decapsulateAny: true });
    t.after(s.close);
    const dp = await DataPlane.start(s.options);
    t.after(() => dp.stop());
    await until(() => s.started('decap').length === 1, { what: 'the decap worker to start' });
    assert.equal(s.started('decap')[0]!.ownEids, null);
    const before = structuredClone(s.host.rules);
    s.host.fail('addRule', 'RTNETLINK answers: Operation not permitted');
    s.database.set(P('2001:db8:7::/48'), [locator('192.0.2.1')]);
    assert.deepEqual(s.host.rules, before, 'no rule added');
    assert.deepEqual(s.host.routeList.ipv6, [], 'no route added');
    const error = s.lines.find((l) => l.level === 'error');
    assert.equal(error?.message, 'the data plane could not steer traffic of a new database entry');
    assert.deepEqual(error?.fields, { eid: '2001:db8:7::/48', error: 'ip rule add pref 4340 to 2001:db8:7::/48 lookup main: RTNETLINK answers: Operation not permitted' });
    // Its removal removes nothing of anybody's.
    s.database.delete(P('2001:db8:7::/48'));
    assert.deepEqual(s.host.rules, before);
    // Added again, once the host agrees, it is steered.
    s.database.set(P('2001:db8:7::/48'), [locator('192.0.2.1')]);
    assert.equal(s.host.rules.ipv6.length, 2);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(s.mappings('decap'), [], 'a PETR delivers to any destination: no own EIDs to follow');
  });
});
