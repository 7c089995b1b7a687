import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type LociConfig } from '../../../src/config/index.js';
import { derivedXtrId } from '../../../src/config/defaults.js';

const ITR_ETR = `name: site-a
roles: [itr, etr]
listen: [198.51.100.10]
map-resolvers: [192.0.2.10]
map-servers:
  - address: 192.0.2.10
    key: site-a-secret
    algorithm: sha256
    eid-prefixes: [198.18.1.0/24]
database:
  - eid-prefix: 198.18.1.0/24
    instance-id: 0
    rlocs:
      - { address: 198.51.100.10, priority: 1, weight: 100 }
api: { socket: /run/loci/site-a.sock }
`;

test('the xTR of the issue gives the typed config, camelCase keys and defaults filled in', () => {
  const expected: LociConfig = {
    name: 'site-a',
    roles: ['itr', 'etr'],
    listen: ['198.51.100.10'],
    mapResolvers: ['192.0.2.10'],
    mapServers: [
      {
        address: '192.0.2.10',
        keyId: 0,
        key: 'site-a-secret',
        algorithm: 'sha256',
        truncatedHmac: false,
        eidPrefixes: [{ eidPrefix: '198.18.1.0/24', instanceId: 0 }],
        proxyReply: false,
        wantMapNotify: true,
      },
    ],
    database: [{ eidPrefix: '198.18.1.0/24', instanceId: 0, rlocs: [{ address: '198.51.100.10', priority: 1, weight: 100 }] }],
    sites: [],
    resolveVia: [],
    ddt: { authoritativePrefixes: [], delegations: [], mapServerPeers: [], roots: [], requestTimeout: 2, referralCacheSize: 10_000, maxPending: 10_000, maxReferrals: 16 },
    api: { socket: '/run/loci/site-a.sock' },
    logLevel: 'info',
    logHex: false,
    rlocProbing: 0,
    registerInterval: 60,
    recordTtl: 1440,
    xtrId: derivedXtrId('site-a'),
    siteId: 0,
    mapCache: { size: 100_000 },
    negativeTtl: { outsideSites: 15, unregistered: 1 },
    msWorkers: 'auto',
    dataPlane: {
      enabled: false,
      tun: 'loci0',
      mode: 'router',
      instanceId: 0,
      underlayMtu: 1500,
      mtu: 1444,
      eidAddresses: [],
      petrs: [],
      routes: true,
      routeTable: 4341,
      rulePriority: 4341,
      offload: true,
      decapsulateFor: 'own-eids',
    },
  };
  assert.deepEqual(parseConfig(ITR_ETR, 'site-a.yaml'), expected);
});

test('a data-plane clause turns the data plane on; its TUN MTU leaves room for an IPv6 outer header', () => {
  const c = parseConfig(`${ITR_ETR}data-plane: { tun: lisp1, underlay-mtu: 9000, petrs: [192.0.2.20] }\n`, 'site-a.yaml');
  assert.equal(c.dataPlane.enabled, true);
  assert.equal(c.dataPlane.tun, 'lisp1');
  assert.equal(c.dataPlane.mtu, 9000 - 56);
  assert.deepEqual(c.dataPlane.petrs, ['192.0.2.20']);
});

test('an ETR alone needs a database and a Map-Server, nothing else', () => {
  const c = parseConfig(
    `name: etr-1
roles: [etr]
listen: [2001:db8::1]
map-servers: [{ address: 2001:db8::10, key: k }]
database: [{ eid-prefix: 2001:db8:a::/48, rlocs: [{ address: 2001:db8::1 }] }]
`,
    'etr.yaml',
  );
  assert.deepEqual(c.roles, ['etr']);
  assert.deepEqual(c.mapResolvers, []);
});

test('an ITR alone needs only Map-Resolvers', () => {
  const c = parseConfig('name: itr-1\nroles: [itr]\nlisten: [198.51.100.1]\nmap-resolvers: [192.0.2.10, 192.0.2.11]\n', 'itr.yaml');
  assert.deepEqual(c.mapResolvers, ['192.0.2.10', '192.0.2.11']);
  assert.deepEqual(c.database, []);
});

test('a Map-Server alone, and a Map-Server with a Map-Resolver, need sites', () => {
  for (const roles of ['[ms]', '[ms, mr]']) {
    const c = parseConfig(
      `name: ms\nroles: ${roles}\nlisten: [192.0.2.10]\nsites: [{ name: a, key: k, eid-prefixes: [198.18.0.0/16] }]\n`,
      'ms.yaml',
    );
    assert.equal(c.sites.length, 1);
  }
});

test('all four roles on one node', () => {
  const c = parseConfig(
    `name: all-in-one
roles: [itr, etr, ms, mr]
listen: [192.0.2.10]
map-resolvers: [192.0.2.10]
map-servers: [{ address: 192.0.2.10, key: k }]
database: [{ eid-prefix: 198.18.1.0/24, rlocs: [{ address: 192.0.2.10 }] }]
sites: [{ name: self, key: k, eid-prefixes: [198.18.1.0/24] }]
`,
    'all.yaml',
  );
  assert.deepEqual(c.roles, ['itr', 'etr', 'ms', 'mr']);
});

test('addresses and prefixes are stored in canonical text', () => {
  const c = parseConfig(
    `name: v6
roles: [etr]
listen: [2001:DB8:0:0::1]
map-servers: [{ address: 2001:0db8::10, key: k }]
database: [{ eid-prefix: 2001:DB8:A::/48, rlocs: [{ address: 2001:DB8::1 }] }]
`,
    'v6.yaml',
  );
  assert.deepEqual(c.listen, ['2001:db8::1']);
  assert.equal(c.mapServers[0]?.address, '2001:db8::10');
  assert.equal(c.database[0]?.eidPrefix, '2001:db8:a::/48');
  assert.equal(c.database[0]?.rlocs[0]?.address, '2001:db8::1');
});

test('shorthands: a bare prefix is { eid-prefix }, a site key is a one-entry keys list, a site key\'s algorithm a one-entry algorithms list; a site key accepts both algorithms by default', () => {
  const c = parseConfig(
    `name: ms
roles: [ms]
listen: [192.0.2.10]
sites:
  - name: a
    key: secret-a
    key-id: 3
    algorithm: sha1
    eid-prefixes: [198.18.1.0/24, { eid-prefix: 198.18.2.0/24, instance-id: 7, accept-more-specifics: true }]
  - name: b
    keys: [{ key-id: 1, key: old }, { key-id: 2, key: new, algorithm: sha1 }, { key-id: 4, key: newer, algorithms: [sha256] }]
    eid-prefixes: [198.18.3.0/24]
  - name: c
    key: secret-c
    eid-prefixes: [198.18.4.0/24]
`,
    'ms.yaml',
  );
  assert.deepEqual(c.sites[0], {
    name: 'a',
    keys: [{ keyId: 3, key: 'secret-a', algorithms: ['sha1'], truncatedHmac: false }],
    eidPrefixes: [
      { eidPrefix: '198.18.1.0/24', instanceId: 0, acceptMoreSpecifics: false },
      { eidPrefix: '198.18.2.0/24', instanceId: 7, acceptMoreSpecifics: true },
    ],
    checkNonce: 'auto',
  });
  assert.deepEqual(c.sites[1]?.keys, [
    { keyId: 1, key: 'old', algorithms: ['sha1', 'sha256'], truncatedHmac: false },
    { keyId: 2, key: 'new', algorithms: ['sha1'], truncatedHmac: false },
    { keyId: 4, key: 'newer', algorithms: ['sha256'], truncatedHmac: false },
  ]);
  assert.deepEqual(c.sites[2]?.keys, [{ keyId: 0, key: 'secret-c', algorithms: ['sha1', 'sha256'], truncatedHmac: false }]);
});

test('a Map-Server prefix may be more specific than the database entry that covers it', () => {
  const c = parseConfig(
    `name: x
roles: [etr]
listen: [198.51.100.1]
map-servers: [{ address: 192.0.2.10, key: k, eid-prefixes: [198.18.1.128/25] }]
database: [{ eid-prefix: 198.18.1.0/24, rlocs: [{ address: 198.51.100.1 }] }]
`,
    'x.yaml',
  );
  assert.deepEqual(c.mapServers[0]?.eidPrefixes, [{ eidPrefix: '198.18.1.128/25', instanceId: 0 }]);
});

test('xtr-id and site-id: given (32 hex digits, in quotes; an integer), or derived from the machine and the node name, stable and per node', () => {
  const c = parseConfig(`${ITR_ETR}xtr-id: "0123456789ABCDEF0123456789abcdef"\nsite-id: 7\n`, 'site-a.yaml');
  assert.equal(c.xtrId, '0123456789abcdef0123456789abcdef');
  assert.equal(c.siteId, 7);
  const derived = parseConfig(ITR_ETR, 'site-a.yaml').xtrId;
  assert.match(derived, /^[0-9a-f]{32}$/);
  assert.equal(parseConfig(ITR_ETR, 'site-a.yaml').xtrId, derived, 'the same node gets the same one');
  assert.notEqual(parseConfig(ITR_ETR.replace('name: site-a', 'name: site-b'), 'site-b.yaml').xtrId, derived, 'another node another');
  assert.notEqual(derivedXtrId('site-a', 'another-machine'), derivedXtrId('site-a', 'this-machine'), 'another machine another');
  for (const [text, message] of <[string, string][]>[
    ['xtr-id: 0123\n', 'expected an xTR-ID: 32 hex digits, in quotes, got 123'],
    ['xtr-id: "0123"\n', 'expected an xTR-ID: 32 hex digits, in quotes, got "0123"'],
    ['site-id: -1\n', `expected an integer 0..${Number.MAX_SAFE_INTEGER}, got -1`],
  ]) {
    assert.throws(() => parseConfig(ITR_ETR + text, 'site-a.yaml'), (e: Error) => e.message.includes(message), text);
  }
});
