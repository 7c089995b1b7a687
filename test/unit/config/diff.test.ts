import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffConfig, parseConfig, type ConfigDiff } from '../../../src/config/index.js';

const BASE = `name: site-a
roles: [itr, etr]
listen: [198.51.100.10, 198.51.100.11]
map-resolvers: [192.0.2.10, 192.0.2.11]
map-servers:
  - { address: 192.0.2.10, key: one }
  - { address: 192.0.2.20, key: two }
database:
  - { eid-prefix: 198.18.1.0/24, rlocs: [{ address: 198.51.100.10 }] }
  - { eid-prefix: 198.18.2.0/24, rlocs: [{ address: 198.51.100.10 }] }
`;
const config = (text: string) => parseConfig(text, 'site-a.yaml');
const diff = (edit: (text: string) => string) => diffConfig(config(BASE), config(edit(BASE)));

const NOTHING: ConfigDiff = {
  restart: [],
  settings: [],
  database: { added: [], removed: [], changed: [] },
  mapServers: { added: [], removed: [], changed: [] },
  mapResolvers: { added: [], removed: [], reordered: false },
  sites: { added: [], removed: [], changed: [] },
};

test('the same config, or one written differently, changes nothing', () => {
  assert.deepEqual(diff((t) => t), NOTHING);
  assert.deepEqual(diff((t) => t.replace('198.51.100.10, 198.51.100.11', '198.51.100.11, 198.51.100.10').replace('[itr, etr]', '[etr, itr]')), NOTHING);
  assert.deepEqual(diff((t) => `${t}register-interval: 60\n`), NOTHING);
});

test('database entries are added, removed and changed by instance-id and prefix', () => {
  const d = diff((t) =>
    t
      .replace('  - { eid-prefix: 198.18.2.0/24, rlocs: [{ address: 198.51.100.10 }] }', '  - { eid-prefix: 198.18.2.0/24, instance-id: 7, rlocs: [{ address: 198.51.100.10 }] }')
      .replace('{ eid-prefix: 198.18.1.0/24, rlocs: [{ address: 198.51.100.10 }] }', '{ eid-prefix: 198.18.1.0/24, rlocs: [{ address: 198.51.100.10, weight: 50 }] }'),
  );
  const rloc = (weight: number) => [{ address: '198.51.100.10', priority: 1, weight }];
  assert.deepEqual(d.database, {
    added: [{ eidPrefix: '198.18.2.0/24', instanceId: 7, rlocs: rloc(100) }],
    removed: [{ eidPrefix: '198.18.2.0/24', instanceId: 0, rlocs: rloc(100) }],
    changed: [{ old: { eidPrefix: '198.18.1.0/24', instanceId: 0, rlocs: rloc(100) }, new: { eidPrefix: '198.18.1.0/24', instanceId: 0, rlocs: rloc(50) } }],
  });
  // Map-Servers without a list register every database prefix as it is: the database change is not theirs.
  assert.deepEqual(d.mapServers.changed, []);
});

test('Map-Servers are keyed by address: a new key is a change', () => {
  const d = diff((t) => t.replace('key: two', 'key: rotated').replace('192.0.2.10, key: one', '192.0.2.30, key: one'));
  assert.deepEqual(d.mapServers.added.map((m) => m.address), ['192.0.2.30']);
  assert.deepEqual(d.mapServers.removed.map((m) => m.address), ['192.0.2.10']);
  assert.deepEqual(d.mapServers.changed.map((c) => [c.old.key, c.new.key]), [['two', 'rotated']]);
});

test('Map-Resolvers: added, removed, and a new order of preference', () => {
  assert.deepEqual(diff((t) => t.replace('[192.0.2.10, 192.0.2.11]', '[192.0.2.11, 192.0.2.12]')).mapResolvers, {
    added: ['192.0.2.12'],
    removed: ['192.0.2.10'],
    reordered: false,
  });
  assert.deepEqual(diff((t) => t.replace('[192.0.2.10, 192.0.2.11]', '[192.0.2.11, 192.0.2.10]')).mapResolvers, {
    added: [],
    removed: [],
    reordered: true,
  });
});

test('sites are keyed by name', () => {
  const ms = (sites: string) => config(`name: ms\nroles: [ms]\nlisten: [192.0.2.10]\nsites:\n${sites}`);
  const a = '  - { name: a, key: k, eid-prefixes: [198.18.1.0/24] }\n';
  const b = '  - { name: b, key: k, eid-prefixes: [198.18.2.0/24] }\n';
  const d = diffConfig(ms(a + b), ms(a.replace('key: k', 'key: new') + b.replace('name: b', 'name: c')));
  assert.deepEqual(d.sites.added.map((s) => s.name), ['c']);
  assert.deepEqual(d.sites.removed.map((s) => s.name), ['b']);
  assert.deepEqual(d.sites.changed.map((c) => [c.old.keys[0]?.key, c.new.keys[0]?.key]), [['k', 'new']]);
  assert.deepEqual(d.restart, []);
});

test('name, roles, listen and api socket need a restart; other settings apply in place', () => {
  const d = diff((t) =>
    `${t.replace('name: site-a', 'name: site-z').replace('198.51.100.11]', '198.51.100.12]')}log-level: debug\nnegative-ttl: { unregistered: 2 }\n`,
  );
  assert.deepEqual(d.restart, ['name', 'listen', 'api']);
  // The xTR-ID derived from the name changes with it.
  assert.deepEqual(d.settings, ['logLevel', 'xtrId', 'negativeTtl']);
  assert.deepEqual(diff((t) => t.replace('[itr, etr]', '[etr]').replace('map-resolvers: [192.0.2.10, 192.0.2.11]\n', '')).restart, ['roles']);
});
