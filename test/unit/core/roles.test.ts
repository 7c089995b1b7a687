// Nodes composed in-process from lists of role factories (no daemon): what each role contributes
// reaches the node, a role from outside src/core plugs in the same way, and the node's tables are shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { LispNode } from '../../../src/core/node.js';
import type { RoleFactory } from '../../../src/core/role.js';
import { etr, itr, ms } from '../../../src/core/roles/index.js';
import { locatorsOf, mappingRecord, mapReply, wireLocator } from '../../../src/core/wire-mapping.js';
import { MemoryNetwork } from '../../../src/io/testing/memory-network.js';
import { decodeMessage, encodeMessage, ipAddress, LispDecodeError, mapRequestFor, type InfoMessage, type MapReply } from '../../../src/packet/index.js';
import { parsePrefix, prefixContains } from '../../../src/table/index.js';

const settle = async () => {
  for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
};
const own = (prefix: string, address: string) => ({ eid: parsePrefix(prefix), locators: locatorsOf([{ address, priority: 1, weight: 100 }]) });

/** A role the core does not know: answers Info messages, and Map-Requests for 198.18.9.0/24 a clock tick later (as a DDT resolver would). */
function lateAnswerer(seen: string[]): RoleFactory {
  return (c) => ({
    role: 'mr',
    handlers: { info: (m) => void seen.push(`info ${m.nonce}`) },
    requestLinks: [
      {
        order: 25,
        name: 'late',
        handle: (ctx) => {
          if (!ctx.eid || !prefixContains(parsePrefix('198.18.9.0/24'), ctx.eid)) return false;
          return new Promise<boolean>((resolve) =>
            c.clock.setTimer(c.clock.now() + 10, () => {
              const locators = locatorsOf([{ address: '192.0.2.99', priority: 1, weight: 1 }]).map((l) => wireLocator(l, { local: false, probed: false }));
              ctx.reply(mapReply(ctx.request.nonce, [mappingRecord(parsePrefix('198.18.9.0/24'), locators, 5, true)]));
              resolve(true);
            }),
          );
        },
      },
    ],
  });
}

async function ask(network: MemoryNetwork, node: string, eid: string, nonce: bigint): Promise<MapReply[]> {
  const replies: MapReply[] = [];
  const at = `192.0.2.${50 + Number(nonce % 100n)}`;
  const s = await network.bind({ address: at, port: 4342 }, (d) => {
    const r = decodeMessage(d);
    if (!(r instanceof LispDecodeError) && r.value.type === 'map-reply') replies.push(r.value);
  });
  await s.send(encodeMessage(mapRequestFor({ eid: ipAddress(eid), maskLen: 32, itrRlocs: [at], nonce })), { address: node, port: 4342 });
  return replies;
}

test('a node composed of etr, ms and a role from outside the core (standing in for a new one): each message reaches its role, the chain runs in order and may answer later', async (t) => {
  const network = new MemoryNetwork();
  const clock = new FakeClock();
  const seen: string[] = [];
  const node = new LispNode({
    name: 'composed', listen: ['192.0.2.1'], network, clock,
    roles: [
      etr({ mapServers: [], database: [own('198.18.1.0/24', '192.0.2.1')] }),
      ms({ sites: [{ name: 's', keys: [{ keyId: 0, key: 'k', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.100.0/24'), acceptMoreSpecifics: true }] }] }),
      lateAnswerer(seen),
    ],
  });
  await node.start();
  t.after(() => node.stop());
  assert.deepEqual(node.roles, ['etr', 'ms', 'mr']);
  assert.ok(node.capability('database') && node.capability('mapServer') && node.capability('registration'));
  assert.equal(node.capability('mapCache'), undefined);

  // The ETR's database link (10) answers before the Map-Server's (20) for its own EID.
  const fromEtr = await ask(network, '192.0.2.1', '198.18.1.7', 1n);
  await settle();
  assert.equal(fromEtr.length, 1);
  assert.equal(fromEtr[0]!.records[0]!.authoritative, true);

  // Outside the Map-Server's sites: its negative answer (not an EID) waits while the late link (25)
  // is asked; for 198.18.9.0/24 it answers a tick later, and no negative reply is sent.
  const late = await ask(network, '192.0.2.1', '198.18.9.1', 2n);
  await settle();
  assert.equal(late.length, 0, 'nothing before the link answers');
  clock.advance(10);
  await settle();
  assert.equal(late.length, 1);
  assert.equal(late[0]!.records[0]!.locators.length, 1);
  assert.equal(node.counters.get('map-reply.negative.not-eid'), 0);

  // Elsewhere the late link passes; at the end of the chain the Map-Server's negative answer goes out.
  const negative = await ask(network, '192.0.2.1', '198.18.200.1', 3n);
  await settle();
  assert.equal(negative.length, 1);
  assert.equal(negative[0]!.records[0]!.locators.length, 0);
  assert.equal(node.counters.get('map-reply.negative.not-eid'), 1);

  // Inside a site, registered by nobody: the Map-Server answers at once; the late link is not asked.
  const unregistered = await ask(network, '192.0.2.1', '198.18.100.1', 4n);
  await settle();
  assert.equal(unregistered.length, 1);
  assert.equal(node.counters.get('map-reply.negative.unregistered'), 1);

  // A message type only the outside role handles reaches it; nothing is counted as unhandled.
  const s = await network.bind({ address: '192.0.2.60', port: 4342 }, () => undefined);
  const request: InfoMessage = { type: 'info', reply: false, nonce: 77n, keyId: 0, algorithmId: 0, authData: Buffer.alloc(0), ttl: 0, maskLen: 0, eid: { afi: 'none' }, natInfo: { afi: 'none' } };
  await s.send(encodeMessage(request), { address: '192.0.2.1', port: 4342 });
  await settle();
  assert.deepEqual(seen, ['info 77']);
  assert.equal(node.counters.get('dropped.unhandled.info'), 0);
});

test('two roles may not answer the same message type or offer the same capability', () => {
  const base = { name: 'twice', listen: ['192.0.2.2'], network: new MemoryNetwork(), clock: new FakeClock() };
  assert.throws(() => new LispNode({ ...base, roles: [itr({ mapResolvers: [] }), itr({ mapResolvers: [] })] }), /two roles handle map-reply/);
  assert.throws(() => new LispNode({ ...base, roles: [etr({ mapServers: [] }), etr({ mapServers: [] })] }), /two roles (handle map-notify|offer database)/);
});

test('an xTR (itr + etr) keeps one table: its own prefixes are found by the map-cache lookup as local, never cached, and displace a cached entry', async (t) => {
  const node = new LispNode({
    name: 'xtr', listen: ['192.0.2.3'], network: new MemoryNetwork(), clock: new FakeClock(),
    roles: [itr({ mapResolvers: ['192.0.2.9'] }), etr({ mapServers: [], database: [own('198.18.1.0/24', '192.0.2.3')] })],
  });
  await node.start();
  t.after(() => node.stop());
  const cache = node.capability('mapCache')!;
  const database = node.capability('database')!;
  assert.equal(cache.lookup(parsePrefix('198.18.1.5/32'))?.local, true);
  assert.equal(cache.addStatic(parsePrefix('198.18.1.0/24'), { locators: locatorsOf([{ address: '192.0.2.7', priority: 1, weight: 1 }]) }), undefined);
  assert.ok(cache.addStatic(parsePrefix('198.18.2.0/24'), { locators: locatorsOf([{ address: '192.0.2.7', priority: 1, weight: 1 }]) }));
  assert.equal(cache.size, 1);
  database.set(parsePrefix('198.18.2.0/24'), locatorsOf([{ address: '192.0.2.3', priority: 1, weight: 1 }]));
  assert.equal(cache.size, 0, 'the cached entry gave way to the new local prefix');
  assert.equal(cache.lookup(parsePrefix('198.18.2.9/32'))?.local, true);
});
