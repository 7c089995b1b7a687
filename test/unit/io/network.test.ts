import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { EventEmitter } from 'node:events';
import { udpNetwork } from '../../../src/io/udp.js';
import { MemoryNetwork } from '../../../src/io/testing/memory-network.js';
import type { Endpoint, Network } from '../../../src/core/ports.js';

async function echoRoundTrip(net: Network, a: string, b: string) {
  const got = new EventEmitter();
  const server = await net.bind({ address: b, port: 0 }, (data, from, socket) => void socket.send(Buffer.concat([Buffer.from('re:'), data]), from));
  const client = await net.bind({ address: a, port: 0 }, (data, from) => got.emit('reply', data, from));
  const reply = once(got, 'reply');
  await client.send(Buffer.from('ping'), server.local);
  const [data, from] = (await reply) as [Buffer, Endpoint];
  assert.equal(data.toString(), 're:ping');
  assert.deepEqual(from, server.local);
  assert.ok(server.local.port > 0);
  await client.close();
  await server.close();
}

test('UDP sockets exchange datagrams on IPv4 loopback', () => echoRoundTrip(udpNetwork, '127.0.8.1', '127.0.8.2'));

test('UDP sockets exchange datagrams on IPv6 loopback', () => echoRoundTrip(udpNetwork, '::1', '::1'));

test('binding an address that is in use fails', async () => {
  const s = await udpNetwork.bind({ address: '127.0.8.1', port: 0 }, () => {});
  await assert.rejects(udpNetwork.bind(s.local, () => {}), /EADDRINUSE/);
  await s.close();
});

test('the memory network delivers in order, loses traffic of a down address and logs everything', async () => {
  const net = new MemoryNetwork();
  await echoRoundTrip(net, '192.0.2.1', '192.0.2.2');
  const received: string[] = [];
  const sink = await net.bind({ address: '192.0.2.3', port: 4342 }, (d) => received.push(d.toString()));
  const src = await net.bind({ address: '192.0.2.4', port: 0 }, () => {});
  net.setDown('192.0.2.3');
  await src.send(Buffer.from('lost'), sink.local);
  net.setUp('192.0.2.3');
  for (const m of ['a', 'b', 'c']) await src.send(Buffer.from(m), sink.local);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(received, ['a', 'b', 'c']);
  assert.deepEqual(net.log.filter((l) => l.to.address === '192.0.2.3').map((l) => [l.data.toString(), l.delivered]), [['lost', false], ['a', true], ['b', true], ['c', true]]);
  await assert.rejects(net.bind(sink.local, () => {}), /address in use/);
});
