// A node on the in-memory network: how it answers what arrives on its control sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { LispNode } from '../../../src/core/node.js';
import { etr as etrRole, ms as msRole } from '../../../src/core/roles/index.js';
import { record } from '../../helpers/registers.js';
import { locatorsOf } from '../../../src/core/wire-mapping.js';
import { MemoryNetwork } from '../../../src/io/testing/memory-network.js';
import { decodeMessage, encodeAuthenticated, encodeMessage, ipAddress, LispDecodeError, mapRequestFor, type MapNotify } from '../../../src/packet/index.js';
import { parsePrefix } from '../../../src/table/index.js';

const settle = () => new Promise((r) => setImmediate(r));

test('a Map-Request naming only an ITR-RLOC of the other family is answered from a socket of that family (an OOR Map-Server forwards such requests)', async (t) => {
  const network = new MemoryNetwork();
  const etr = new LispNode({
    name: 'etr', listen: ['192.0.2.1', '2001:db8::1'], network, clock: new FakeClock(),
    roles: [
      etrRole({ mapServers: [], database: [{ eid: parsePrefix('198.18.1.0/24'), locators: locatorsOf([{ address: '192.0.2.1', priority: 1, weight: 100 }]) }] }),
    ],
  });
  await etr.start();
  t.after(() => etr.stop());
  const replies: Buffer[] = [];
  await network.bind({ address: '2001:db8::99', port: 4342 }, (d) => replies.push(d));
  const from4 = await network.bind({ address: '192.0.2.99', port: 4342 }, () => undefined);
  const request = mapRequestFor({ eid: ipAddress('198.18.1.7'), maskLen: 32, itrRlocs: ['2001:db8::99'], nonce: 42n });
  await from4.send(encodeMessage(request), { address: '192.0.2.1', port: 4342 });
  await settle();
  await settle();
  assert.equal(replies.length, 1);
  const reply = decodeMessage(replies[0]!);
  assert.ok(!(reply instanceof LispDecodeError) && reply.value.type === 'map-reply' && reply.value.nonce === 42n);
  assert.equal(network.log.at(-1)!.from.address, '2001:db8::1');
  assert.equal(etr.counters.get('dropped.map-request-no-usable-itr-rloc'), 0);
});

test('a Map-Server takes a Map-Notify-Ack signed with the key of its records\' site (as lispers.net ETRs send them), and counts a forged one, never as unhandled', async (t) => {
  const network = new MemoryNetwork();
  const node = new LispNode({
    name: 'ms', listen: ['192.0.2.1'], network, clock: new FakeClock(),
    roles: [msRole({ sites: [{ name: 's', keys: [{ keyId: 0, key: 'k', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.1.0/24'), acceptMoreSpecifics: false }] }] })],
  });
  await node.start();
  t.after(() => node.stop());
  const etr = await network.bind({ address: '198.51.100.1', port: 4342 }, () => undefined);
  const ack: MapNotify = { type: 'map-notify-ack', rtr: false, nonce: 9n, keyId: 0, algorithmId: 2, authData: Buffer.alloc(0), records: [record('198.18.1.0/24', ['198.51.100.1'])], xtrId: 1n, siteId: 2n };
  for (const key of ['k', 'not-k']) await etr.send(encodeAuthenticated(ack, key), { address: '192.0.2.1', port: 4342 });
  await settle();
  await settle();
  assert.deepEqual(
    ['map-notify-ack.accepted', 'map-notify-ack.rejected', 'dropped.unhandled.map-notify-ack'].map((c) => node.counters.get(c)),
    [1, 1, 0],
  );
});
