// DDT nodes and DDT Map-Servers composed in-process on the in-memory network: each referral type,
// its TTL, its A and I bits and its referral set, sent back to where the DDT Map-Request came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { LispNode } from '../../../src/core/node.js';
import { ddtMs, ddtNode, etr, ms } from '../../../src/core/roles/index.js';
import { locatorsOf } from '../../../src/core/wire-mapping.js';
import { MemoryNetwork } from '../../../src/io/testing/memory-network.js';
import { decodeMessage, LispDecodeError } from '../../../src/packet/index.js';
import { parsePrefix } from '../../../src/table/index.js';
import { ddtClient, referralText, settle } from './ddt-helpers.js';

const p = parsePrefix;

test('a DDT node answers each XEID with node-referral, ms-referral, delegation-hole or not-authoritative', async (t) => {
  const network = new MemoryNetwork();
  const root = new LispNode({
    name: 'root', listen: ['192.0.2.10'], network, clock: new FakeClock(),
    roles: [
      ddtNode({
        authoritative: [p('0.0.0.0/0'), p('[7]10.0.0.0/8')],
        delegations: [
          { prefix: p('198.18.0.0/16'), ddtNodes: ['192.0.2.20', '192.0.2.21'], mapServers: [] },
          { prefix: p('198.19.1.0/24'), ddtNodes: [], mapServers: ['192.0.2.30'] },
          { prefix: p('[7]10.1.0.0/16'), ddtNodes: ['192.0.2.22'], mapServers: [] },
        ],
      }),
    ],
  });
  await root.start();
  t.after(() => root.stop());
  const client = await ddtClient(network, '192.0.2.99');
  const answer = async (eid: string, nonce: bigint, o?: { instanceId?: number }) => {
    await client.ask('192.0.2.10', eid, nonce, o);
    const m = client.referrals().find((r) => r.nonce === nonce);
    assert.ok(m, `a Map-Referral for ${eid}`);
    return referralText(m);
  };

  assert.equal(await answer('198.18.1.7', 1n), '198.18.0.0/16 node-referral ttl 1440 A -> 192.0.2.20,192.0.2.21');
  assert.equal(await answer('198.19.1.7', 2n), '198.19.1.0/24 ms-referral ttl 1440 A -> 192.0.2.30');
  // Authoritative, delegated nowhere: the least-specific prefix holding no delegation.
  assert.equal(await answer('198.20.0.1', 3n), '198.20.0.0/14 delegation-hole ttl 15 A');
  assert.equal(await answer('198.19.2.1', 4n), '198.19.2.0/23 delegation-hole ttl 15 A');
  // No authority for IPv6 or for instance-id 8: the request echoed, TTL 0, Incomplete.
  assert.equal(await answer('2001:db8::1', 5n), '2001:db8::1/128 not-authoritative ttl 0 I');
  assert.equal(await answer('10.1.2.3', 6n, { instanceId: 8 }), '[8]10.1.2.3/32 not-authoritative ttl 0 I');
  // Instance-id 7 has its own tree: a delegation, and a hole bounded by the authoritative /8.
  assert.equal(await answer('10.1.2.3', 7n, { instanceId: 7 }), '[7]10.1.0.0/16 node-referral ttl 1440 A -> 192.0.2.22');
  assert.equal(await answer('10.200.0.1', 8n, { instanceId: 7 }), '[7]10.128.0.0/9 delegation-hole ttl 15 A');
  assert.equal(root.counters.get('map-referral.sent.delegation-hole'), 3);

  // An ECM without D is not a DDT Map-Request: a DDT node has nothing else to say.
  await client.ask('192.0.2.10', '198.18.1.7', 9n, { ddt: false });
  assert.equal(client.got.length, 8);
  assert.equal(root.counters.get('dropped.map-request-not-ours'), 1);
});

test('a DDT Map-Server acks registered EIDs (and forwards without D to the ETR), says ms-not-registered or not-authoritative, incomplete unless its peers are configured', async (t) => {
  const network = new MemoryNetwork();
  const clock = new FakeClock();
  const key = { keyId: 0, key: 'a-secret', algorithm: 'sha256' as const };
  const msNode = new LispNode({
    name: 'ms', listen: ['192.0.2.30'], network, clock,
    roles: [
      ms({ sites: [{ name: 'a', keys: [key], prefixes: [{ prefix: p('198.18.1.0/24'), acceptMoreSpecifics: false }, { prefix: p('198.18.2.0/24'), acceptMoreSpecifics: false }] }] }),
      ddtMs({ peers: [] }),
    ],
  });
  const etrNode = new LispNode({
    name: 'etr', listen: ['192.0.2.40'], network, clock,
    roles: [etr({ mapServers: [{ address: '192.0.2.30', port: 4342, ...key, proxyReply: false, wantMapNotify: true }], database: [{ eid: p('198.18.1.0/24'), locators: locatorsOf([{ address: '192.0.2.40', priority: 1, weight: 100 }]) }] })],
  });
  const ecmsAtEtr: boolean[] = [];
  for (const n of [msNode, etrNode]) await n.start();
  t.after(() => Promise.all([msNode, etrNode].map((n) => n.stop())));
  await settle();
  assert.equal(msNode.capability('mapServer')!.registrations().length, 1);

  const client = await ddtClient(network, '192.0.2.99');
  await client.ask('192.0.2.30', '198.18.1.7', 1n);
  assert.equal(referralText(client.referrals()[0]!), '198.18.1.0/24 ms-ack ttl 1440 A I -> 192.0.2.30');
  // The Map-Server forwarded the request to the ETR, D cleared; the ETR answered the ITR-RLOC.
  for (const d of network.log.filter((x) => x.to.address === '192.0.2.40' && x.from.address === '192.0.2.30')) {
    const r = decodeMessage(d.data);
    if (!(r instanceof LispDecodeError) && r.value.type === 'ecm') ecmsAtEtr.push(r.value.ddt);
  }
  assert.deepEqual(ecmsAtEtr, [false]);
  assert.equal(client.replies().length, 1);
  assert.equal(client.got.find((g) => g.m.type === 'map-reply')!.from, '192.0.2.40');

  await client.ask('192.0.2.30', '198.18.2.9', 2n);
  assert.equal(referralText(client.referrals()[1]!), '198.18.2.0/24 ms-not-registered ttl 1 A I -> 192.0.2.30');
  await client.ask('192.0.2.30', '192.0.2.1', 3n);
  assert.equal(referralText(client.referrals()[2]!), '192.0.2.1/32 not-authoritative ttl 0 I');
  assert.equal(client.replies().length, 1, 'no Map-Reply to the ITR for the negative referrals');

  // Every peer configured: the set is complete.
  msNode.reconfigure('ddt-ms', { peers: ['192.0.2.30', '192.0.2.31'] });
  await client.ask('192.0.2.30', '198.18.2.9', 4n);
  assert.equal(referralText(client.referrals()[3]!), '198.18.2.0/24 ms-not-registered ttl 1 A -> 192.0.2.30,192.0.2.31');

  // Without D the Map-Server answers as it always does: a negative Map-Reply, no referral.
  await client.ask('192.0.2.30', '198.18.2.9', 5n, { ddt: false });
  assert.equal(client.referrals().length, 4);
  assert.equal(client.replies().at(-1)!.records[0]!.ttl, 1);
});

test('a reload gives a DDT node its new delegations; a delegation outside its authority is refused and changes nothing', async (t) => {
  const network = new MemoryNetwork();
  const node = new LispNode({ name: 'n', listen: ['192.0.2.10'], network, clock: new FakeClock(), roles: [ddtNode({ authoritative: [p('198.18.0.0/16')], delegations: [] })] });
  await node.start();
  t.after(() => node.stop());
  const client = await ddtClient(network, '192.0.2.99');
  await client.ask('192.0.2.10', '198.18.1.7', 1n);
  assert.equal(referralText(client.referrals()[0]!), '198.18.0.0/16 delegation-hole ttl 15 A');
  assert.throws(() => node.reconfigure('ddt-node', { authoritative: [p('198.18.0.0/16')], delegations: [{ prefix: p('10.0.0.0/8'), ddtNodes: ['192.0.2.20'], mapServers: [] }] }), RangeError);
  node.reconfigure('ddt-node', { authoritative: [p('198.18.0.0/16')], delegations: [{ prefix: p('198.18.1.0/24'), ddtNodes: [], mapServers: ['192.0.2.30'] }] });
  await client.ask('192.0.2.10', '198.18.1.7', 2n);
  assert.equal(referralText(client.referrals()[1]!), '198.18.1.0/24 ms-referral ttl 1440 A -> 192.0.2.30');
});
