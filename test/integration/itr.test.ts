// ITR resolution between real nodes on loopback: Map-Resolver failover, rate limit,
// negative entries, replies with a wrong nonce ignored, SMR after a database change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SystemClock } from '../../src/core/clock.js';
import { LispNode } from '../../src/core/node.js';
import { etr as etrRole, itr as itrRole, mr as mrRole, ms as msRole } from '../../src/core/roles/index.js';
import { locatorsOf } from '../../src/core/wire-mapping.js';
import { udpNetwork } from '../../src/io/udp.js';
import { encodeMessage, MAP_REPLY_FLAGS, noFlags } from '../../src/packet/index.js';
import { parsePrefix, type MapCacheEntry } from '../../src/table/index.js';
import { until } from '../helpers/until.js';

const clock = new SystemClock();


test('an ITR resolves through the mapping system, fails over, caches, and re-resolves on SMR', async (t) => {
  const msmr = new LispNode({
    name: 'ms', listen: ['127.0.4.50'], network: udpNetwork, clock,
    roles: [
      msRole({ sites: [{ name: 'b', keys: [{ keyId: 0, key: 'k', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.20.0/24'), acceptMoreSpecifics: false }] }] }),
      mrRole({ referrals: [] }),
    ],
  });
  const etr = new LispNode({
    name: 'etr', listen: ['127.0.4.51'], network: udpNetwork, clock,
    roles: [
      etrRole({ mapServers: [{ address: '127.0.4.50', port: 4342, key: 'k', keyId: 0, algorithm: 'sha256', proxyReply: false, wantMapNotify: true }], database: [{ eid: parsePrefix('198.18.20.0/24'), locators: locatorsOf([{ address: '127.0.4.51', priority: 1, weight: 100 }]) }] }),
    ],
  });
  // The first Map-Resolver has nobody behind it: nothing binds 127.0.4.250 (this file's block is
  // its own, test/helpers/addresses.ts).
  const itr = new LispNode({
    name: 'itr', listen: ['127.0.4.52'], network: udpNetwork, clock,
    roles: [
      itrRole({ mapResolvers: ['127.0.4.250', '127.0.4.50'], retransmitMs: 100 }),
    ],
  });
  const nodes = [msmr, etr, itr];
  t.after(() => Promise.all(nodes.map((n) => n.stop())));
  for (const n of nodes) await n.start();
  await until(() => msmr.capability('mapServer')!.registrations().length === 1, { what: 'the registration' });

  const cache = itr.capability('mapCache')!;
  const entry = (eid: string) => cache.table.match(parsePrefix(eid))?.value as MapCacheEntry | undefined;
  assert.equal(itr.capability('resolver')!.resolve(parsePrefix('198.18.20.5')), true);
  assert.equal(entry('198.18.20.5')?.state, 'resolving');
  assert.equal(itr.capability('resolver')!.resolve(parsePrefix('198.18.20.5')), false, 'a second request within a second is rate-limited');
  await until(() => entry('198.18.20.5')?.state === 'active', { what: 'the mapping' });
  const got = entry('198.18.20.5')!;
  assert.equal(got.eid.len, 24);
  assert.deepEqual(got.locators.map((l) => [l.address, l.priority, l.weight, l.state]), [['127.0.4.51', 1, 100, 'up']]);
  assert.equal(itr.counters.get('map-resolver.failover'), 1);
  assert.equal(itr.counters.get('map-request.rate-limited'), 1);

  // Outside every site: a negative entry with its action.
  itr.capability('resolver')!.resolve(parsePrefix('192.0.2.77'));
  await until(() => entry('192.0.2.77')?.state === 'negative', { what: 'the negative entry' });
  assert.equal(entry('192.0.2.77')!.action, 'natively-forward');

  // A Map-Reply whose nonce we never sent changes nothing.
  const before = cache.size;
  const forged = encodeMessage({ type: 'map-reply', ...noFlags(MAP_REPLY_FLAGS), nonce: 0x1234n, records: [] });
  await msmr.send(forged, { address: '127.0.4.52', port: 4342 });
  await until(() => itr.counters.get('map-reply.unmatched-nonce') === 1, { what: 'the forged reply to be counted' });
  assert.equal(cache.size, before);

  // The ETR's mapping changes: it solicits the ITR, which asks again and caches the new weight.
  etr.capability('database')!.set(parsePrefix('198.18.20.0/24'), locatorsOf([{ address: '127.0.4.51', priority: 1, weight: 30 }]));
  await until(() => entry('198.18.20.5')?.locators[0]?.weight === 30, { what: 'the SMR-invoked update' });
  assert.equal(etr.counters.get('smr.sent'), 1);
  assert.equal(itr.counters.get('smr.received'), 1);
  // It went straight to the Map-Resolver that answered before.
  assert.equal(itr.counters.get('map-request.smr-invoked.sent'), 1);
  assert.equal(itr.counters.get('map-resolver.failover'), 1);
});

test('RLOC probing marks an unanswering locator down and a live one up, and notices an ETR going away', async (t) => {
  const ms = new LispNode({
    name: 'ms-p', listen: ['127.0.4.56'], network: udpNetwork, clock,
    roles: [
      msRole({ sites: [{ name: 'p', keys: [{ keyId: 0, key: 'k', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.21.0/24'), acceptMoreSpecifics: false }] }] }),
      mrRole({ referrals: [] }),
    ],
  });
  // The ETR registers itself and a second locator nobody answers on (127.0.4.58).
  const etr = new LispNode({
    name: 'etr-p', listen: ['127.0.4.57'], network: udpNetwork, clock,
    roles: [
      etrRole({ mapServers: [{ address: '127.0.4.56', port: 4342, key: 'k', keyId: 0, algorithm: 'sha256', proxyReply: true, wantMapNotify: true }], database: [{ eid: parsePrefix('198.18.21.0/24'), locators: locatorsOf([{ address: '127.0.4.57', priority: 1, weight: 50 }, { address: '127.0.4.58', priority: 1, weight: 50 }]) }] }),
    ],
  });
  const itr = new LispNode({
    name: 'itr-p', listen: ['127.0.4.59'], network: udpNetwork, clock,
    roles: [
      itrRole({ mapResolvers: ['127.0.4.56'], rlocProbeIntervalMs: 200 }),
    ],
  });
  const nodes = [ms, etr, itr];
  t.after(() => Promise.all(nodes.map((n) => n.stop())));
  for (const n of nodes) await n.start();
  await until(() => ms.capability('mapServer')!.registrations().length === 1, { what: 'the registration' });
  itr.capability('resolver')!.resolve(parsePrefix('198.18.21.5'));
  const states = () => (itr.capability('mapCache')!.table.match(parsePrefix('198.18.21.5'))?.value as MapCacheEntry | undefined)?.locators.map((l) => `${l.address} ${l.state}`);
  await until(() => states()?.length === 2, { what: 'the mapping' });

  await until(() => states()?.join() === '127.0.4.57 up,127.0.4.58 down', { what: 'the probes to be answered and unanswered' });
  const entry = itr.capability('mapCache')!.table.match(parsePrefix('198.18.21.5'))!.value as MapCacheEntry;
  assert.equal(entry.selection.pick(12345)?.address, '127.0.4.57', 'the down locator is never selected');

  const stoppedAt = Date.now();
  await etr.stop();
  await until(() => states()?.join() === '127.0.4.57 down,127.0.4.58 down', { what: 'the stopped ETR to be marked down' });
  const took = Date.now() - stoppedAt;
  assert.ok(itr.counters.get('rloc.down') >= 2);
  t.diagnostic(`locator marked down ${took} ms after its ETR stopped (probe interval 200 ms, wait 200 ms)`);
});
