// The management API refuses at its boundary what the wire cannot carry, so a call can never
// leave the node holding a mapping that later fails to encode (a timer exception) or to install.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildApi } from '../../../src/api/server.js';
import { FakeClock } from '../../../src/core/clock.js';
import { LispNode } from '../../../src/core/node.js';
import { etr as etrRole, itr as itrRole } from '../../../src/core/roles/index.js';
import { Operations } from '../../../src/core/operations.js';
import { MemoryNetwork } from '../../../src/io/testing/memory-network.js';

async function setup() {
  const clock = new FakeClock();
  const network = new MemoryNetwork();
  const node = new LispNode({
    name: 'x', listen: ['192.0.2.1'], network, clock,
    roles: [
      itrRole({ mapResolvers: [] }),
      etrRole({ mapServers: [{ address: '192.0.2.10', port: 4342, key: 'k', keyId: 0, algorithm: 'sha256', proxyReply: false, wantMapNotify: false }] }),
    ],
  });
  await node.start();
  const app = buildApi(new Operations(node));
  return { clock, network, node, app };
}

const rloc = (address: string) => ({ address, priority: 1, weight: 100 });

test('PUT /v1/database and /v1/map-cache refuse RLOCs the wire cannot carry, with 400 and a reason; nothing is stored', async (t) => {
  const { clock, node, app, network } = await setup();
  t.after(() => node.stop());
  const bad: [unknown, RegExp][] = [
    [{ 'eid-prefix': '198.18.9.0/24', rlocs: [rloc('fe80::1%eth0')] }, /zone index/],
    [{ 'eid-prefix': '198.18.9.0/24', rlocs: [rloc('fe80::1')] }, /link-local/],
    [{ 'eid-prefix': '198.18.9.0/24', rlocs: [rloc('0.0.0.0')] }, /unspecified/],
    [{ 'eid-prefix': '198.18.9.0/24', rlocs: [rloc('224.0.0.5')] }, /multicast/],
    [{ 'eid-prefix': '198.18.9.0/24', rlocs: Array.from({ length: 256 }, (_, i) => rloc(`192.0.2.${i % 250}`)) }, /at most 255/],
    [{ 'eid-prefix': '198.18.9.0', rlocs: [rloc('192.0.2.1')] }, /with its length/],
    [{ 'eid-prefix': '198.18.9.0/24', rlocs: [{ address: '192.0.2.1', priority: 256, weight: 1 }] }, /256|<=255/],
  ];
  for (const path of ['/v1/database', '/v1/map-cache']) {
    for (const [body, why] of bad) {
      const res = await app.inject({ method: 'PUT', url: path, payload: body as object });
      assert.equal(res.statusCode, 400, `${path} ${JSON.stringify(body).slice(0, 80)}`);
      const err = res.json<{ error: { code: string; message: string } }>().error;
      assert.equal(err.code, 'ERR_LISP_INVALID');
      assert.match(err.message, why);
    }
  }
  assert.equal(node.capability('database')!.size, 0);
  assert.equal(node.capability('mapCache')!.size, 0);
  // The node goes on registering what it holds.
  const ok = await app.inject({ method: 'PUT', url: '/v1/database', payload: { 'eid-prefix': '198.18.9.0/24', rlocs: [rloc('192.0.2.1')] } });
  assert.equal(ok.statusCode, 204);
  clock.advance(120_000);
  assert.equal(node.counters.get('map-register.encode-error'), 0);
  assert.ok(network.log.some((d) => d.to.address === '192.0.2.10'));
});
