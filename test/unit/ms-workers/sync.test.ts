// The main thread's replica sync and a worker's replica, together: tokens for accepted
// Map-Registers (refresh detection), proxy-reply templates per prefix (the reply cache), refreshes
// applied to the Map-Server, expiry and site changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { Counters } from '../../../src/core/counters.js';
import { LispNode } from '../../../src/core/node.js';
import { mr as mrRole, ms as msRole } from '../../../src/core/roles/index.js';
import { MapServer } from '../../../src/core/roles/map-server.js';
import { MemoryNetwork } from '../../../src/io/testing/memory-network.js';
import { formatAddress, mapRegister } from '../../../src/packet/index.js';
import { parsePrefix } from '../../../src/table/index.js';
import type { ReplicaUpdate } from '../../../src/ms-workers/protocol.js';
import { authDataOf } from '../../../src/packet/map-register-view.js';
import { Replica } from '../../../src/ms-workers/replica.js';
import { scanEcmRequest, writeReply } from '../../../src/packet/map-request-view.js';
import { ReplicaSync } from '../../../src/ms-workers/sync.js';
import { until } from '../../helpers/until.js';
import { record, register } from '../../helpers/registers.js';
import { ecmRequest, site } from './fixtures.js';

const ETR = { address: '198.51.100.1', port: 4342 };

const SITES = [site('a', 'a-key', ['198.18.1.0/24']), site('b', 'b-key', [], { prefixes: [{ prefix: parsePrefix('198.18.16.0/20'), acceptMoreSpecifics: true }] })];

function setup(sites = SITES) {
  const clock = new FakeClock();
  const counters = new Counters();
  const ms = new MapServer({ clock, counters, sites, registrationTimeoutMs: 3000 });
  const replica = new Replica();
  const posted: ReplicaUpdate[] = [];
  const sync = new ReplicaSync(ms, (updates) => {
    posted.push(...updates);
    for (const u of updates) replica.apply(u);
  });
  const accept = (bytes: Buffer, from = ETR) => {
    const r = ms.register(bytes, mapRegister.decode(bytes).value, from);
    sync.flush();
    return r;
  };
  const ops = () => posted.splice(0).map((u) => u.op);
  return { clock, counters, ms, replica, sync, accept, ops };
}

const tokenOf = (replica: Replica, id: string, bytes: Buffer) => replica.acceptedFor(id, bytes, 0, bytes.length)?.token;

test('an accepted Map-Register becomes a token its refreshes are found by, from the same ETR only; a change revokes it', () => {
  const { replica, accept, ops } = setup();
  const first = register([record('198.18.1.0/24', ['192.0.2.1'])], 'a-key');
  assert.ok(accept(first.bytes).ok);
  assert.deepEqual(ops(), ['accept', 'prefix']);
  const refresh = register([record('198.18.1.0/24', ['192.0.2.1'])], 'a-key', { nonce: 6n }).bytes;
  const token = tokenOf(replica, ETR.address, refresh);
  assert.ok(token !== undefined);
  assert.equal(tokenOf(replica, '198.51.100.2', refresh), undefined);
  // The same Map-Register accepted again on the main thread keeps its token.
  accept(refresh);
  assert.deepEqual(ops(), []);
  // A new locator: the old token goes, a new one comes, and so does the prefix's new state.
  const changed = register([record('198.18.1.0/24', ['192.0.2.2'])], 'a-key', { nonce: 7n }).bytes;
  accept(changed);
  assert.deepEqual(ops(), ['revoke', 'accept']);
  assert.equal(tokenOf(replica, ETR.address, refresh), undefined);
  assert.notEqual(tokenOf(replica, ETR.address, changed), undefined);
});

test("a verified refresh extends the registration; a stale token's refresh is ignored and revokes it; expiry withdraws prefix and tokens", () => {
  const { clock, ms, replica, sync, accept, ops } = setup();
  const bytes = register([record('198.18.1.0/24', ['192.0.2.1'])], 'a-key').bytes;
  accept(bytes);
  ops();
  const token = tokenOf(replica, ETR.address, bytes)!;
  clock.advance(2000);
  sync.refresh([{ token, nonce: 9n, authData: Buffer.alloc(32, 9), address: ETR.address, port: 5000 }]);
  const etr = ms.registrations()[0]!.etrs.get(ETR.address)!;
  assert.equal(etr.expiresAt, 5000);
  assert.equal(etr.nonce, 9n);
  assert.deepEqual(etr.source, { address: ETR.address, port: 5000 });
  clock.advance(2000);
  assert.equal(ms.registrations().length, 1);
  // A refresh verified against an older state of this ETR (a token the main thread revoked meanwhile).
  accept(register([record('198.18.1.0/24', ['192.0.2.2'])], 'a-key').bytes);
  ops();
  sync.refresh([{ token, nonce: 10n, authData: Buffer.alloc(32, 10), address: ETR.address, port: 5000 }]);
  assert.equal(ms.registrations()[0]!.etrs.get(ETR.address)!.nonce, 5n);
  // Nobody refreshes: the registration expires, and the workers lose the prefix and the token.
  clock.advance(3000);
  sync.flush();
  assert.equal(ms.registrations().length, 0);
  assert.deepEqual(ops(), ['revoke', 'unregister']);
  assert.equal(replica.replyFor(Buffer.from([198, 18, 1, 9]), 0, false, 0, 32), undefined);
});

/** What a worker reports of a refresh it verified: bytes is the Map-Register it took. */
const refreshOf = (token: number, bytes: Buffer, from = ETR) => ({ token, nonce: mapRegister.decode(bytes).value.nonce, authData: authDataOf(bytes, 0), ...from });
/** Every ETR registration: its id and locators. */
const registrants = (ms: MapServer) => ms.registrations().flatMap((r) => [...r.etrs.values()].map((e) => `${e.id} ${e.record.locators.map((l) => formatAddress(l.address)).join(',')}`));
const ATTACKER = { address: '192.0.2.66', port: 40_000 };
const replay = (ms: MapServer, bytes: Buffer, from = ATTACKER) => ms.register(bytes, mapRegister.decode(bytes).value, from);

test("refreshes the workers took go through the replay guard: once an ETR's nonces grow, its replayed Map-Registers register no second ETR, roll back no change and extend nothing", () => {
  const { clock, counters, ms, replica, sync, accept } = setup();
  const before = (nonce: bigint) => register([record('198.18.1.0/24', ['192.0.2.1'])], 'a-key', { nonce }).bytes;
  assert.ok(accept(before(100n)).ok);
  // The ETR (Loci's: growing nonces, no xTR-ID) refreshes three times through a worker.
  const refreshes = [101n, 102n, 103n].map(before);
  const token = tokenOf(replica, ETR.address, refreshes[0]!)!;
  for (const r of refreshes) sync.refresh([refreshOf(token, r)]);
  // Replayed from another address: refused, not a second ETR of the site.
  for (const r of refreshes) assert.equal(replay(ms, r).ok, false);
  assert.deepEqual(registrants(ms), ['198.51.100.1 192.0.2.1']);
  // The ETR changes its mapping; its old Map-Registers replayed do not bring the old one back.
  const after = (nonce: bigint) => register([record('198.18.1.0/24', ['192.0.2.2'])], 'a-key', { nonce }).bytes;
  assert.ok(accept(after(104n)).ok);
  for (const r of [before(100n), ...refreshes]) for (const from of [ATTACKER, ETR]) assert.equal(replay(ms, r, from).ok, false);
  assert.deepEqual(registrants(ms), ['198.51.100.1 192.0.2.2']);
  // A worker takes the current Map-Register again (an ETR with an xTR-ID is found by it, whatever the
  // source): an old nonce extends nothing and does not move the registration to its sender.
  const current = tokenOf(replica, ETR.address, after(105n))!;
  clock.advance(1000);
  sync.refresh([refreshOf(current, after(105n))]);
  const refused = counters.get('map-register.rejected.replayed-nonce');
  clock.advance(1000);
  sync.refresh([refreshOf(current, after(104n), ATTACKER)]);
  const etr = ms.registrations()[0]!.etrs.get(ETR.address)!;
  assert.deepEqual([etr.nonce, etr.source, etr.expiresAt], [105n, ETR, 1000 + 3000]);
  assert.equal(counters.get('map-register.rejected.replayed-nonce'), refused + 1);
  assert.notEqual(tokenOf(replica, ETR.address, after(106n)), undefined, "the refused replay leaves the ETR's token");
});

test('refreshes the workers took are remembered: an ETR with random nonces cannot be rolled back by replaying one of them', () => {
  const { ms, replica, sync, accept } = setup();
  const before = (nonce: bigint) => register([record('198.18.1.0/24', ['192.0.2.1'])], 'a-key', { nonce }).bytes;
  assert.ok(accept(before(0x9000n)).ok);
  const refreshes = [0x5000n, 0x7000n].map(before);
  const token = tokenOf(replica, ETR.address, refreshes[0]!)!;
  for (const r of refreshes) sync.refresh([refreshOf(token, r)]);
  assert.ok(accept(register([record('198.18.1.0/24', ['192.0.2.2'])], 'a-key', { nonce: 0x3000n }).bytes).ok);
  for (const r of refreshes) for (const from of [ATTACKER, ETR]) assert.equal(replay(ms, r, from).ok, false);
  assert.deepEqual(registrants(ms), ['198.51.100.1 192.0.2.2']);
});

test('the cached proxy reply with the request nonce is byte for byte the reply of the node, and follows more-specifics and changes', async (t) => {
  const network = new MemoryNetwork();
  const node = new LispNode({
    name: 'ms', listen: ['192.0.2.10'], network, clock: new FakeClock(),
    roles: [
      msRole({ sites: SITES }),
      mrRole({ referrals: [] }),
    ],
  });
  const replica = new Replica();
  const sync = new ReplicaSync(node.capability('mapServer')!, (updates) => updates.forEach((u) => replica.apply(u)));
  const replies: Buffer[] = [];
  const etr = await network.bind(ETR, () => {});
  const itr = await network.bind({ address: '192.0.2.1', port: 40_000 }, (d) => replies.push(d));
  await node.start();
  t.after(() => node.stop());
  const both = async (request: Buffer) => {
    replies.length = 0;
    await itr.send(request, { address: '192.0.2.10', port: 4342 });
    await until(() => replies.length === 1, { what: "the node's reply" });
    const r = scanEcmRequest(request, 0, request.length, false)!;
    const template = replica.replyFor(request, r.eidAt, r.v6, r.iid, r.maskLen);
    const out = Buffer.alloc(2048);
    return { node: replies[0]!, worker: template && out.subarray(0, writeReply(template, request, r.nonceAt, out)) };
  };
  const registered = async (bytes: Buffer, count: number) => {
    await etr.send(bytes, { address: '192.0.2.10', port: 4342 });
    await until(() => node.counters.get('map-register.accepted') === count, { what: 'the registration' });
    sync.flush();
  };

  await registered(register([record('198.18.16.0/20', ['192.0.2.1', '2001:db8::1'])], 'b-key', { proxyReply: true }).bytes, 1);
  const r1 = await both(ecmRequest('198.18.20.1', { nonce: 0x1122334455667788n }));
  assert.deepEqual(r1.worker, r1.node);
  // A more-specific: the covering prefix's reply now carries both records, as the node's does.
  await registered(register([record('198.18.17.0/24', ['192.0.2.3'])], 'b-key', { proxyReply: true, nonce: 6n }).bytes, 2);
  for (const eid of ['198.18.20.1', '198.18.17.5']) {
    const r = await both(ecmRequest(eid, { nonce: 42n }));
    assert.deepEqual(r.worker, r.node);
  }
  const covering = await both(ecmRequest('198.18.16.0', { maskLen: 20 }));
  assert.deepEqual(covering.worker, covering.node);
  // The more-specific's ETR moves to a new locator.
  await registered(register([record('198.18.17.0/24', ['192.0.2.4'])], 'b-key', { proxyReply: true, nonce: 7n }).bytes, 3);
  const moved = await both(ecmRequest('198.18.17.5'));
  assert.deepEqual(moved.worker, moved.node);
  assert.ok(moved.node.includes(Buffer.from([192, 0, 2, 4])));
  // Not proxy-replied: the prefix is held, but the main thread answers (it forwards to the ETR).
  await registered(register([record('198.18.1.0/24', ['192.0.2.1'])], 'a-key').bytes, 4);
  const request = ecmRequest('198.18.1.1');
  const r = scanEcmRequest(request, 0, request.length, false)!;
  assert.equal(replica.replyFor(request, r.eidAt, r.v6, r.iid, r.maskLen), undefined);
});

test('sites with strict nonce checks get no tokens; a site replaced on reload loses its tokens', () => {
  const { ms, replica, sync, accept, ops } = setup([site('a', 'a-key', ['198.18.1.0/24'], { nonceCheck: 'strict' }), site('b', 'b-key', ['198.18.2.0/24'])]);
  accept(register([record('198.18.1.0/24', ['192.0.2.1'])], 'a-key').bytes);
  assert.deepEqual(ops(), ['prefix']);
  const b = register([record('198.18.2.0/24', ['192.0.2.1'])], 'b-key').bytes;
  accept(b);
  assert.deepEqual(ops(), ['accept', 'prefix']);
  ms.setSites(ms.sites.list());
  sync.flush();
  assert.deepEqual(ops(), []);
  ms.setSites([...ms.sites.list().filter((s) => s.name !== 'b'), site('b', 'new-key', ['198.18.2.0/24'])]);
  sync.flush();
  assert.deepEqual(ops(), ['revoke']);
  assert.equal(tokenOf(replica, ETR.address, b), undefined);
});

test('a restarted worker gets the whole replica in one snapshot: the same tokens and replies as a worker that saw every update; a resent accept is not duplicated', () => {
  const { replica, sync, accept } = setup();
  const a = register([record('198.18.1.0/24', ['192.0.2.1'])], 'a-key').bytes;
  const b = register([record('198.18.17.0/24', ['192.0.2.7'])], 'b-key').bytes;
  accept(a);
  accept(b, { address: '198.51.100.7', port: 4342 });
  // A change after the first accept: the snapshot holds only what stands now.
  const changed = register([record('198.18.1.0/24', ['192.0.2.2'])], 'a-key', { nonce: 8n }).bytes;
  accept(changed);

  const fresh = new Replica();
  const snapshot = sync.snapshot();
  for (const u of snapshot) fresh.apply(u);
  assert.deepEqual(snapshot.map((u) => u.op).sort(), ['accept', 'accept', 'prefix', 'prefix']);
  for (const [id, bytes] of [[ETR.address, changed], ['198.51.100.7', b]] as const) {
    assert.equal(tokenOf(fresh, id, bytes), tokenOf(replica, id, bytes), `the token of ${id}`);
    assert.notEqual(tokenOf(fresh, id, bytes), undefined);
  }
  assert.equal(tokenOf(fresh, ETR.address, a), undefined, 'the replaced Map-Register has no token');
  for (const eid of ['198.18.1.1', '198.18.17.1', '198.18.16.1']) {
    const at = Buffer.from(eid.split('.').map(Number));
    assert.deepEqual(fresh.replyFor(at, 0, false, 0, 32), replica.replyFor(at, 0, false, 0, 32), `the reply for ${eid}`);
  }

  // The same accept twice (the snapshot and a pending update), then its revoke: nothing left.
  const token = tokenOf(replica, ETR.address, changed)!;
  fresh.apply(snapshot.find((u) => u.op === 'accept' && u.token === token)!);
  fresh.apply({ op: 'revoke', token });
  assert.equal(tokenOf(fresh, ETR.address, changed), undefined);
});
