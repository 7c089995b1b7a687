// A reload gives each role its options again (Operations.reconfigure): what changed applies in
// place, on a running node, with its state kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { LispNode } from '../../../src/core/node.js';
import { Operations } from '../../../src/core/operations.js';
import { etr, itr, mr, ms, type EtrRoleOptions, type MsRoleOptions } from '../../../src/core/roles/index.js';
import { locatorsOf } from '../../../src/core/wire-mapping.js';
import { MemoryNetwork } from '../../../src/io/testing/memory-network.js';
import { decodeMessage, encodeMessage, ipAddress, LispDecodeError, mapRequestFor, type LispMessage } from '../../../src/packet/index.js';
import { parsePrefix } from '../../../src/table/index.js';

const settle = async () => {
  for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
};

/** Every message that reaches address:port on the network. */
async function listener(network: MemoryNetwork, address: string, port = 4342): Promise<LispMessage[]> {
  const got: LispMessage[] = [];
  await network.bind({ address, port }, (d) => {
    const r = decodeMessage(d);
    if (!(r instanceof LispDecodeError)) got.push(r.value);
  });
  return got;
}

test('itr: new Map-Resolvers take new and pending requests; a smaller map-cache evicts at once; probing starts', async (t) => {
  const network = new MemoryNetwork();
  const clock = new FakeClock();
  const [first, second] = [await listener(network, '192.0.2.9'), await listener(network, '192.0.2.10')];
  const node = new LispNode({ name: 'x', listen: ['192.0.2.1'], network, clock, roles: [itr({ mapResolvers: ['192.0.2.9'] })] });
  await node.start();
  t.after(() => node.stop());
  const ops = new Operations(node);
  const resolver = node.capability('resolver')!;
  resolver.resolve(parsePrefix('198.18.1.0/24'));
  await settle();
  assert.equal(first.length, 1);

  const cache = node.capability('mapCache')!;
  const some = { locators: locatorsOf([{ address: '192.0.2.50', priority: 1, weight: 1 }]), ttlMs: 600_000 };
  cache.install(parsePrefix('198.18.7.0/24'), some);
  cache.install(parsePrefix('198.18.8.0/24'), some);
  assert.equal(cache.size, 3, 'two entries and the resolving one');
  await ops.reconfigure('itr', { mapResolvers: ['192.0.2.10'], mapCacheSize: 1, rlocProbeIntervalMs: 10_000 });
  assert.equal(cache.size, 1, 'the least recently used went at once');
  resolver.resolve(parsePrefix('198.18.2.0/24'));
  clock.advance(1000); // both requests are sent again
  await settle();
  assert.equal(first.length, 1, 'nothing more to the old Map-Resolver');
  assert.equal(second.length, 3, 'the new request and both retransmissions go to the new one');

  cache.install(parsePrefix('198.18.8.0/24'), some);
  const probes = await listener(network, '192.0.2.50');
  clock.advance(10_000);
  await settle();
  assert.ok(probes.some((m) => m.type === 'map-request' && m.probe), 'the probing started on reconfigure probes the cached locator');
});

test('etr: new Map-Servers, interval and record TTL: a Map-Register to the new Map-Server at once with the new TTL, then every new interval', async (t) => {
  const network = new MemoryNetwork();
  const clock = new FakeClock();
  const [old, next] = [await listener(network, '192.0.2.20'), await listener(network, '192.0.2.21')];
  const peer = (address: string) => ({ address, port: 4342, key: 'k', keyId: 0, algorithm: 'sha256' as const, proxyReply: false, wantMapNotify: false });
  const options: EtrRoleOptions = { mapServers: [peer('192.0.2.20')], database: [{ eid: parsePrefix('198.18.3.0/24'), locators: locatorsOf([{ address: '192.0.2.1', priority: 1, weight: 1 }]) }], registerIntervalMs: 60_000, recordTtlMinutes: 1440 };
  const node = new LispNode({ name: 'e', listen: ['192.0.2.1'], network, clock, roles: [etr(options)] });
  await node.start();
  t.after(() => node.stop({ withdraw: false }));
  await settle();
  assert.equal(old.length, 1);

  await new Operations(node).reconfigure('etr', { ...options, mapServers: [peer('192.0.2.21')], registerIntervalMs: 5_000, recordTtlMinutes: 7 });
  await settle();
  assert.equal(next.length, 1);
  const first = next[0]!;
  assert.ok(first.type === 'map-register' && first.records[0]!.ttl === 7);
  clock.advance(5_000);
  await settle();
  assert.equal(next.length, 2);
  assert.equal(old.length, 1);
});

test('ms and mr: new sites (all or nothing), negative TTLs and referrals', async (t) => {
  const network = new MemoryNetwork();
  const clock = new FakeClock();
  const site = (name: string, prefix: string) => ({ name, keys: [{ keyId: 0, key: 'k', algorithm: 'sha256' as const }], prefixes: [{ prefix: parsePrefix(prefix), acceptMoreSpecifics: false }] });
  const msOptions: MsRoleOptions = { sites: [site('a', '198.18.4.0/24')] };
  const node = new LispNode({ name: 'm', listen: ['192.0.2.1'], network, clock, roles: [ms(msOptions), mr({ referrals: [] })] });
  await node.start();
  t.after(() => node.stop());
  const ops = new Operations(node);
  // Replies go to the ITR-RLOC at the port the request came from.
  const requester: LispMessage[] = [];
  const socket = await network.bind({ address: '192.0.2.40', port: 4343 }, (d) => {
    const r = decodeMessage(d);
    if (!(r instanceof LispDecodeError)) requester.push(r.value);
  });
  const forwarded = await listener(network, '192.0.2.30');
  const ask = async (eid: string) => {
    await socket.send(encodeMessage(mapRequestFor({ eid: ipAddress(eid), maskLen: 32, itrRlocs: ['192.0.2.40'], nonce: 1n })), { address: '192.0.2.1', port: 4342 });
    await settle();
  };
  const lastTtl = () => {
    const m = requester.at(-1);
    return m?.type === 'map-reply' ? m.records[0]!.ttl : undefined;
  };

  await ask('198.19.1.1');
  assert.equal(lastTtl(), 15);
  await ops.reconfigure('ms', { ...msOptions, negativeTtl: { outsideSites: 3, unregistered: 1 } });
  await ask('198.19.1.1');
  assert.equal(lastTtl(), 3);

  await ops.reconfigure('mr', { referrals: [{ mapServer: '192.0.2.30', prefixes: [parsePrefix('198.19.0.0/16')] }] });
  await ask('198.19.1.1');
  assert.equal(forwarded.length, 1, 'forwarded to the new referral');

  await ops.reconfigure('ms', { sites: [site('a', '198.18.4.0/24'), site('b', '198.18.5.0/24')] });
  assert.deepEqual(node.capability('mapServer')!.sites.list().map((s) => s.name), ['a', 'b']);
  await assert.rejects(ops.reconfigure('ms', { sites: [site('a', '198.18.4.0/24'), site('c', '198.18.4.0/24')] }), { code: 'ERR_LISP_INVALID' });
  assert.deepEqual(node.capability('mapServer')!.sites.list().map((s) => s.name), ['a', 'b'], 'a refused change changes nothing');
});
