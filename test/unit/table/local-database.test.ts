import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix, LocalDatabase, parsePrefix, type LocalDatabaseEvent, type Locator } from '../../../src/table/index.js';

const P = parsePrefix;
const rloc = (address: string): Locator => ({ address, family: 'ipv4', priority: 1, weight: 100, state: 'up' });

test('holds our EID-prefixes and finds the longest one containing an EID', () => {
  const db = new LocalDatabase();
  const events: string[] = [];
  db.subscribe((e: LocalDatabaseEvent) => events.push(`${e.type} ${formatPrefix(e.mapping.eid)}`));
  const wide = db.set(P('198.18.0.0/15'), [rloc('192.0.2.1')]);
  const narrow = db.set(P('198.19.1.0/24'), [rloc('192.0.2.2')], 7);
  db.set(P('[100]2001:db8::/32'), [rloc('192.0.2.1')]);
  assert.equal(db.size, 3);
  assert.equal(narrow.mapVersion, 7);
  assert.equal(db.lookup(P('198.19.1.1')), narrow);
  assert.equal(db.lookup(P('198.18.77.1')), wide);
  assert.equal(db.lookup(P('[100]2001:db8:1::/48'))?.eid.iid, 100);
  assert.equal(db.lookup(P('203.0.113.1')), undefined);
  assert.equal(db.table.lookup4(0, 0xc6130101)?.local, true);
  assert.deepEqual([...db.entries()].map((m) => formatPrefix(m.eid)), ['198.18.0.0/15', '198.19.1.0/24', '[100]2001:db8::/32']);
  db.set(P('198.18.0.0/15'), [rloc('192.0.2.9')]);
  assert.equal(db.get(P('198.18.0.0/15'))?.locators[0]?.address, '192.0.2.9');
  assert.ok(db.delete(P('198.19.1.0/24')));
  assert.ok(!db.delete(P('198.19.1.0/24')));
  assert.equal(db.lookup(P('198.19.1.1'))?.eid.len, 15);
  assert.deepEqual(events, [
    'add 198.18.0.0/15',
    'add 198.19.1.0/24',
    'add [100]2001:db8::/32',
    'update 198.18.0.0/15',
    'remove 198.19.1.0/24',
  ]);
});

test('marks its own locators up or down', () => {
  const db = new LocalDatabase();
  db.set(P('198.18.0.0/15'), [rloc('192.0.2.1'), rloc('192.0.2.2')]);
  assert.ok(db.setLocatorState(P('198.18.0.0/15'), '192.0.2.2', 'down'));
  assert.ok(!db.setLocatorState(P('198.18.0.0/15'), '192.0.2.2', 'down'));
  assert.ok(!db.setLocatorState(P('198.18.0.0/16'), '192.0.2.2', 'down'));
  assert.deepEqual(db.get(P('198.18.0.0/15'))?.locators.map((l) => l.state), ['up', 'down']);
});
