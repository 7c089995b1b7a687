// The DDT Map-Resolver against scripted DDT nodes on the in-memory network: the walk, the referral
// cache, negative answers, and each bound: silence, loops, the referral limit, forged Map-Referrals,
// a flood of referrals into the cache, too many walks at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { LispNode } from '../../../src/core/node.js';
import { ddtMr } from '../../../src/core/roles/index.js';
import type { DdtResolverSettings } from '../../../src/core/roles/ddt-resolver.js';
import type { Referral } from '../../../src/core/roles/ddt-referrals.js';
import { MemoryNetwork } from '../../../src/io/testing/memory-network.js';
import { encodeMessage } from '../../../src/packet/index.js';
import { formatPrefix, makePrefix, parsePrefix, prefixContains, type EidPrefix } from '../../../src/table/index.js';
import { ddtClient, fakeDdtNode, referralMessage, settle } from './ddt-helpers.js';

const p = parsePrefix;
const MR = '192.0.2.50';
const ITR = '192.0.2.99';
const within = (prefix: string, eid: EidPrefix) => prefixContains(p(prefix), eid);
const node = (prefix: string, ...refs: string[]): Referral => ({ action: 'node-referral', prefix: p(prefix), refs, incomplete: false });
const msRef = (prefix: string, ...refs: string[]): Referral => ({ action: 'ms-referral', prefix: p(prefix), refs, incomplete: false });
const ack = (prefix: string, ...refs: string[]): Referral => ({ action: 'ms-ack', prefix: p(prefix), refs, incomplete: false });
const hole = (prefix: EidPrefix): Referral => ({ action: 'delegation-hole', prefix, refs: [], incomplete: false });

async function setup(t: { after(fn: () => unknown): void }, settings: Partial<DdtResolverSettings> = {}) {
  const network = new MemoryNetwork();
  const clock = new FakeClock();
  const mr = new LispNode({
    name: 'ddt-mr', listen: [MR], network, clock,
    roles: [ddtMr({ roots: ['192.0.2.10'], timeoutMs: 1000, maxPending: 100, maxReferrals: 8, cacheSize: 100, ...settings })],
  });
  await mr.start();
  t.after(() => mr.stop());
  const itr = await ddtClient(network, ITR);
  let nonce = 0n;
  /** An ITR's Map-Request for eid (no D), answered or not once the network settles. */
  const ask = (eid: string) => itr.ask(MR, eid, ++nonce, { ddt: false });
  const walking = () => mr.capability('ddtResolver')!.walking;
  return { network, clock, mr, itr, ask, walking, lastNonce: () => nonce };
}

/** A three-level tree: root -> 198.18.0.0/16 at .20 -> 198.18.1.0/24 at the Map-Server .30 (ms-ack); holes elsewhere. */
async function tree(network: MemoryNetwork) {
  const root = await fakeDdtNode(network, '192.0.2.10', (e) => (within('198.18.0.0/16', e) ? node('198.18.0.0/16', '192.0.2.20') : hole(p('198.20.0.0/14'))));
  const level2 = await fakeDdtNode(network, '192.0.2.20', (e) => (within('198.18.1.0/24', e) ? msRef('198.18.1.0/24', '192.0.2.30') : hole(p('198.18.128.0/17'))));
  const ms = await fakeDdtNode(network, '192.0.2.30', () => ack('198.18.1.0/24', '192.0.2.30'));
  return { root, level2, ms };
}

test('the walk follows node- and ms-referrals to the ms-ack, caches each step, and starts the next walk from the longest cached referral', async (t) => {
  const s = await setup(t);
  const { root, level2, ms } = await tree(s.network);
  await s.ask('198.18.1.7');
  assert.deepEqual([root.seen.length, level2.seen.length, ms.seen.length], [1, 1, 1]);
  assert.equal(s.itr.replies().length, 0, 'the ETR or the Map-Server answers the ITR, not the Map-Resolver');
  assert.equal(s.mr.counters.get('map-referral.received.ms-ack'), 1);
  await s.ask('198.18.1.8');
  assert.deepEqual([root.seen.length, level2.seen.length, ms.seen.length], [1, 1, 2], 'straight to the Map-Server');
  await s.ask('198.18.200.1');
  assert.deepEqual([root.seen.length, level2.seen.length], [1, 2], 'from the cached /16');
  // The hole below the /16 answers the ITR: a negative Map-Reply, then from the cache.
  const negative = s.itr.replies()[0]!.records[0]!;
  assert.deepEqual([negative.maskLen, negative.ttl, negative.locators.length, negative.act], [17, 15, 0, 1]);
  await s.ask('198.18.201.1');
  assert.equal(level2.seen.length, 2);
  assert.equal(s.itr.replies().length, 2);
  assert.equal(s.mr.counters.get('ddt.answered-from-cache'), 1);
  assert.equal(s.walking(), 0);
});

test('ms-not-registered: the other Map-Servers of the set are asked; when all say so, a negative reply of 1 minute', async (t) => {
  const s = await setup(t);
  const notRegistered: Referral = { action: 'ms-not-registered', prefix: p('198.18.2.0/24'), refs: ['192.0.2.30', '192.0.2.31'], incomplete: true };
  await fakeDdtNode(s.network, '192.0.2.10', () => msRef('198.18.0.0/16', '192.0.2.30', '192.0.2.31'));
  const a = await fakeDdtNode(s.network, '192.0.2.30', () => notRegistered);
  const b = await fakeDdtNode(s.network, '192.0.2.31', (e) => (within('198.18.3.0/24', e) ? ack('198.18.3.0/24', '192.0.2.31') : notRegistered));
  await s.ask('198.18.2.1');
  assert.equal(a.seen.length + b.seen.length, 2);
  const r = s.itr.replies()[0]!.records[0]!;
  assert.deepEqual([r.maskLen, r.ttl, r.locators.length], [24, 1, 0]);
  // One says not registered, the other has it: no negative reply.
  await s.ask('198.18.3.1');
  assert.equal(s.itr.replies().length, 1);
  assert.equal(s.mr.counters.get('map-referral.received.ms-ack'), 1);
});

test('silence: the next RLOC of the set is asked after the timeout, and answers first afterwards; when every one is silent the request is dropped', async (t) => {
  const s = await setup(t, { roots: ['192.0.2.10', '192.0.2.11'] });
  await fakeDdtNode(s.network, '192.0.2.11', (e) => hole(makePrefix(e.family, e.address, 16)));
  await s.ask('198.51.1.1');
  assert.equal(s.itr.replies().length, 0);
  s.clock.advance(1000);
  await settle();
  assert.equal(s.itr.replies().length, 1);
  assert.equal(s.mr.counters.get('ddt.timeout'), 1);
  await s.ask('198.52.1.1');
  assert.equal(s.itr.replies().length, 2, 'the root that answered is asked first');
  assert.equal(s.mr.counters.get('ddt.timeout'), 1);

  s.network.setDown('192.0.2.11');
  await s.ask('198.53.1.1');
  s.clock.advance(1000);
  await settle();
  s.clock.advance(1000);
  await settle();
  assert.equal(s.itr.replies().length, 2);
  assert.equal(s.mr.counters.get('ddt.gave-up'), 1);
  assert.equal(s.walking(), 0);
});

test('loops: a referral no more specific than the one followed is refused; a walk follows at most max-referrals', async (t) => {
  const s = await setup(t, { roots: ['192.0.2.10'], maxReferrals: 3 });
  // The root refers 198.18.0.0/16 to .20, which refers it back to the root.
  await fakeDdtNode(s.network, '192.0.2.10', (e) => (within('198.18.0.0/16', e) ? node('198.18.0.0/16', '192.0.2.20') : node(formatPrefix(makePrefix(e.family, e.address, 9)), '192.0.2.21')));
  await fakeDdtNode(s.network, '192.0.2.20', () => node('198.18.0.0/16', '192.0.2.10'));
  await s.ask('198.18.1.1');
  assert.equal(s.mr.counters.get('ddt.referral-loop'), 1);
  assert.equal(s.mr.counters.get('ddt.gave-up'), 1);
  // .21 refers ever more specific prefixes, each to itself: the fourth referral is one too many.
  await fakeDdtNode(s.network, '192.0.2.21', (e) => node(formatPrefix(makePrefix(e.family, e.address, 12)), '192.0.2.22'));
  await fakeDdtNode(s.network, '192.0.2.22', (e) => node(formatPrefix(makePrefix(e.family, e.address, 20)), '192.0.2.23'));
  await fakeDdtNode(s.network, '192.0.2.23', (e) => node(formatPrefix(makePrefix(e.family, e.address, 28)), '192.0.2.24'));
  await s.ask('10.1.1.1');
  assert.equal(s.mr.counters.get('ddt.referral-limit'), 1);
  assert.equal(s.itr.replies().length, 0);
  assert.equal(s.walking(), 0);
});

test('forged Map-Referrals (unknown nonce, or from an RLOC the walk did not ask) are counted and dropped; the real one is taken', async (t) => {
  const s = await setup(t);
  const forger = await s.network.bind({ address: '192.0.2.66', port: 4342 }, () => undefined);
  const mr = { address: MR, port: 4342 };
  await s.ask('198.18.1.1');
  const nonce = s.lastNonce();
  await forger.send(encodeMessage(referralMessage(nonce + 1000n, hole(p('198.18.0.0/16')))), mr);
  await forger.send(encodeMessage(referralMessage(nonce, hole(p('198.18.0.0/16')))), mr);
  await settle();
  assert.equal(s.mr.counters.get('map-referral.rejected.unknown-nonce'), 1);
  assert.equal(s.mr.counters.get('map-referral.rejected.wrong-source'), 1);
  assert.equal(s.itr.replies().length, 0);
  // The root was silent (not there yet): the walk gives up. Once it answers, its hole is the answer.
  s.clock.advance(1000);
  await settle();
  assert.equal(s.mr.counters.get('ddt.gave-up'), 1);
  await fakeDdtNode(s.network, '192.0.2.10', () => hole(p('198.16.0.0/14')));
  await s.ask('198.18.1.1');
  assert.equal(s.itr.replies()[0]!.records[0]!.maskLen, 14);
});

test('a flood of referrals keeps the cache at its size (least recently used out), and walks at once are bounded', async (t) => {
  const s = await setup(t, { cacheSize: 4, maxPending: 2 });
  const root = await fakeDdtNode(s.network, '192.0.2.10', (e) => (e.address[0] === 203 ? undefined : hole(e)));
  for (let i = 1; i <= 10; i++) await s.ask(`198.18.0.${i}`);
  assert.equal(s.itr.replies().length, 10);
  assert.equal(s.mr.capability('ddtResolver')!.cache.size, 4);
  assert.equal(s.mr.counters.get('ddt.referral-cache.evicted'), 6);
  await s.ask('198.18.0.10');
  assert.equal(root.seen.length, 10, 'the latest is still cached');
  // Silent root for 203/8: two walks at once, the others dropped.
  for (let i = 1; i <= 5; i++) await s.ask(`203.0.113.${i}`);
  assert.equal(s.mr.counters.get('ddt.pending-full'), 3);
  assert.equal(s.mr.counters.get('ddt.walks'), 12);
  // The ITR asking again with the same nonce while the walk goes on starts no second walk.
  await s.itr.ask(MR, '203.0.113.1', s.lastNonce() - 4n, { ddt: false });
  assert.equal(s.mr.counters.get('ddt.duplicate-nonce'), 1);
});

test('not-authoritative after a cached referral: the cache entry goes and the walk starts again from the root, once', async (t) => {
  const s = await setup(t);
  let level2Knows = true;
  const root = await fakeDdtNode(s.network, '192.0.2.10', () => node('198.18.0.0/16', '192.0.2.20'));
  await fakeDdtNode(s.network, '192.0.2.20', (e) => (level2Knows ? hole(makePrefix(e.family, e.address, 24)) : { action: 'not-authoritative', prefix: e, refs: [], incomplete: true }));
  await s.ask('198.18.1.1');
  assert.equal(s.itr.replies().length, 1);
  level2Knows = false;
  await s.ask('198.18.2.1');
  assert.equal(root.seen.length, 2, 'asked again');
  assert.equal(s.mr.counters.get('ddt.restarted'), 1);
  assert.equal(s.mr.counters.get('ddt.not-authoritative'), 1);
  assert.equal(s.itr.replies().length, 1);
});

test('a reload: new roots for new walks, a smaller referral cache at once', async (t) => {
  const s = await setup(t);
  const first = await fakeDdtNode(s.network, '192.0.2.10', (e) => hole(makePrefix(e.family, e.address, 24)));
  const second = await fakeDdtNode(s.network, '192.0.2.11', (e) => hole(makePrefix(e.family, e.address, 24)));
  for (let i = 1; i <= 3; i++) await s.ask(`198.18.${i}.1`);
  assert.equal(first.seen.length, 3);
  s.mr.reconfigure('ddt-mr', { roots: ['192.0.2.11'], timeoutMs: 1000, maxPending: 100, maxReferrals: 8, cacheSize: 1 });
  assert.equal(s.mr.capability('ddtResolver')!.cache.size, 1);
  await s.ask('198.18.9.1');
  assert.deepEqual([first.seen.length, second.seen.length], [3, 1]);
  assert.equal(s.itr.replies().length, 4);
});
