import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/index.js';

const MINIMAL = `name: site-b
roles: [itr, etr]
listen: [198.51.100.20]
map-resolvers: [192.0.2.10]
map-servers: [{ address: 192.0.2.10, key: k }]
database:
  - { eid-prefix: 198.18.2.0/24, rlocs: [{ address: 198.51.100.20 }] }
  - { eid-prefix: 198.18.3.0/24, instance-id: 1000, rlocs: [{ address: 198.51.100.20 }] }
`;

test('every optional key gets its default', () => {
  const c = parseConfig(MINIMAL, 'site-b.yaml');
  assert.equal(c.logLevel, 'info');
  assert.equal(c.registerInterval, 60);
  assert.equal(c.recordTtl, 1440);
  assert.deepEqual(c.mapCache, { size: 100_000 });
  assert.deepEqual(c.negativeTtl, { outsideSites: 15, unregistered: 1 });
  assert.deepEqual(c.api, { socket: '/run/loci/site-b.sock' });
  assert.deepEqual(c.sites, []);
  assert.deepEqual(c.database[0], { eidPrefix: '198.18.2.0/24', instanceId: 0, rlocs: [{ address: '198.51.100.20', priority: 1, weight: 100 }] });
  const { eidPrefixes, ...server } = c.mapServers[0]!;
  assert.deepEqual(server, { address: '192.0.2.10', key: 'k', keyId: 0, algorithm: 'sha256', truncatedHmac: false, proxyReply: false, wantMapNotify: true });
  // Empty: every database prefix, also those added later.
  assert.deepEqual(eidPrefixes, []);
});

test('given values win over defaults, at every depth', () => {
  const c = parseConfig(
    `${MINIMAL}log-level: debug
register-interval: 5
record-ttl: 10
map-cache: { size: 50 }
negative-ttl: { unregistered: 2 }
api: { socket: /tmp/loci-test/site-b.sock }
`.replace('{ address: 192.0.2.10, key: k }', '{ address: 192.0.2.10, key: k, key-id: 9, algorithm: sha1, proxy-reply: true, want-map-notify: false }'),
    'site-b.yaml',
  );
  assert.equal(c.logLevel, 'debug');
  assert.equal(c.registerInterval, 5);
  assert.equal(c.recordTtl, 10);
  assert.deepEqual(c.mapCache, { size: 50 });
  assert.deepEqual(c.negativeTtl, { outsideSites: 15, unregistered: 2 });
  assert.equal(c.api.socket, '/tmp/loci-test/site-b.sock');
  assert.deepEqual(
    [c.mapServers[0]?.keyId, c.mapServers[0]?.algorithm, c.mapServers[0]?.proxyReply, c.mapServers[0]?.wantMapNotify],
    [9, 'sha1', true, false],
  );
});
