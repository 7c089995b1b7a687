// The map-cache on the fake clock: expiry, negative entries, resolving entries, eviction order,
// refresh, static entries, locator state and change events. No real time passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import {
  formatPrefix,
  LocalDatabase,
  MapCache,
  parsePrefix,
  type Locator,
  type MapCacheEvent,
  type MapCacheOptions,
  type MappingUpdate,
} from '../../../src/table/index.js';

const P = parsePrefix;
const MINUTE = 60_000;
const rloc = (address: string, priority = 1, weight = 100): Locator => ({
  address,
  family: address.includes(':') ? 'ipv6' : 'ipv4',
  priority,
  weight,
  state: 'up',
});
const positive = (ttlMs: number, ...addresses: string[]): MappingUpdate => ({
  locators: (addresses.length ? addresses : ['192.0.2.1']).map((a) => rloc(a)),
  ttlMs,
});

function setup(options: Partial<MapCacheOptions> = {}): { clock: FakeClock; cache: MapCache; events: string[] } {
  const clock = new FakeClock();
  const cache = new MapCache({ scheduler: clock, ...options });
  const events: string[] = [];
  cache.subscribe((e: MapCacheEvent) => {
    const at = `@${clock.now() / 1000}s`;
    const what = e.type === 'remove' ? `remove(${e.reason})` : e.type === 'update' ? `update(${e.previous}->${e.entry.state})` : e.type;
    events.push(`${at} ${what} ${formatPrefix(e.entry.eid)}`);
  });
  return { clock, cache, events };
}

/** An IPv4 address as the 32-bit integer lookup4 takes. */
const ip = (text: string): number => text.split('.').reduce((a, b) => (a << 8) | Number(b), 0);

test('an active entry expires after its TTL, is kept as expired, then removed', () => {
  const { clock, cache, events } = setup({ expiredHoldMs: 30_000 });
  const e = cache.install(P('198.18.1.0/24'), positive(10 * MINUTE, '192.0.2.1'))!;
  assert.equal(e.state, 'active');
  assert.equal(e.expiresAt, 10 * MINUTE);
  assert.equal(e.selection.pick(12345)?.address, '192.0.2.1');
  clock.advance(10 * MINUTE - 1);
  assert.equal(cache.get(P('198.18.1.0/24'))?.state, 'active');
  clock.advance(1);
  assert.equal(cache.get(P('198.18.1.0/24'))?.state, 'expired');
  assert.equal(cache.lookup4(0, ip('198.18.1.9')), e);
  clock.advance(30_000);
  assert.equal(cache.get(P('198.18.1.0/24')), undefined);
  assert.equal(cache.lookup4(0, ip('198.18.1.9')), undefined);
  assert.equal(cache.size, 0);
  assert.deepEqual(events, [
    '@0s add 198.18.1.0/24',
    '@600s update(active->expired) 198.18.1.0/24',
    '@630s remove(expired) 198.18.1.0/24',
  ]);
  assert.equal(clock.pending, 0);
});

test('negative entries keep their action and expire like positive ones', () => {
  const { clock, cache } = setup({ expiredHoldMs: 0 });
  const e = cache.install(P('203.0.113.0/24'), { locators: [], ttlMs: 15 * MINUTE, action: 'natively-forward' })!;
  assert.equal(e.state, 'negative');
  assert.equal(e.action, 'natively-forward');
  assert.equal(e.selection.pick(1), undefined);
  const drop = cache.install(P('[7]2001:db8:dead::/48'), { locators: [], ttlMs: MINUTE, action: 'drop-policy-denied' })!;
  assert.equal(cache.lookup6(7, P('2001:db8:dead::1').address), drop);
  assert.equal(cache.install(P('203.0.113.0/24'), { locators: [], ttlMs: 15 * MINUTE })!.action, 'no-action');
  clock.advance(MINUTE);
  assert.equal(cache.get(P('[7]2001:db8:dead::/48')), undefined);
  clock.advance(14 * MINUTE);
  assert.equal(cache.get(P('203.0.113.0/24')), undefined);
});

test('a TTL of 0 removes the entry', () => {
  const { cache, events } = setup();
  cache.install(P('198.18.1.0/24'), positive(MINUTE));
  assert.equal(cache.install(P('198.18.1.0/24'), positive(0)), undefined);
  assert.equal(cache.size, 0);
  assert.deepEqual(events, ['@0s add 198.18.1.0/24', '@0s remove(deleted) 198.18.1.0/24']);
});

test('a resolving entry becomes active when its mapping arrives, or goes after the resolve timeout', () => {
  const { clock, cache, events } = setup({ resolveTimeoutMs: 5000 });
  const host = cache.resolving(P('198.18.5.5'))!;
  assert.equal(host.state, 'resolving');
  assert.equal(cache.resolving(P('198.18.5.5')), host);
  assert.equal(cache.lookup4(0, ip('198.18.5.5')), host);
  cache.resolving(P('198.18.9.9'));
  clock.advance(1000);
  // The answer is the covering /16: it replaces the resolving host entries inside it.
  cache.install(P('198.18.0.0/16'), positive(MINUTE));
  assert.equal(cache.lookup4(0, ip('198.18.5.5'))?.eid.len, 16);
  cache.resolving(P('203.0.113.7'));
  clock.advance(5000);
  assert.equal(cache.get(P('203.0.113.7')), undefined);
  assert.deepEqual(events, [
    '@0s add 198.18.5.5/32',
    '@0s add 198.18.9.9/32',
    '@1s remove(superseded) 198.18.5.5/32',
    '@1s remove(superseded) 198.18.9.9/32',
    '@1s add 198.18.0.0/16',
    '@1s add 203.0.113.7/32',
    '@6s remove(expired) 203.0.113.7/32',
  ]);
});

test('a resolving entry answered at its own prefix is updated in place', () => {
  const { cache, events } = setup();
  const e = cache.resolving(P('198.18.1.0/24'))!;
  assert.equal(cache.install(P('198.18.1.0/24'), positive(MINUTE)), e);
  assert.equal(e.state, 'active');
  assert.deepEqual(events, ['@0s add 198.18.1.0/24', '@0s update(resolving->active) 198.18.1.0/24']);
});

test('an expired entry goes back to resolving when asked for again, and is replaced by a covering answer', () => {
  const { clock, cache } = setup();
  cache.install(P('198.18.1.0/24'), positive(MINUTE));
  clock.advance(MINUTE);
  const e = cache.resolving(P('198.18.1.0/24'))!;
  assert.equal(e.state, 'resolving');
  cache.install(P('198.18.0.0/16'), positive(MINUTE));
  assert.equal(cache.get(P('198.18.1.0/24')), undefined);
});

test('a less-specific expires no later than the cached more-specifics (RFC 9301 section 5.5)', () => {
  const { clock, cache } = setup();
  cache.install(P('198.18.1.0/24'), positive(MINUTE));
  clock.advance(10_000);
  const wide = cache.install(P('198.18.0.0/16'), positive(10 * MINUTE))!;
  assert.equal(wide.expiresAt, MINUTE);
  assert.equal(cache.install(P('198.19.0.0/16'), positive(10 * MINUTE))!.expiresAt, 10_000 + 10 * MINUTE);
});

test('beyond maxEntries the least recently used entry is evicted', () => {
  const { cache, events } = setup({ maxEntries: 3 });
  for (const p of ['198.18.1.0/24', '198.18.2.0/24', '198.18.3.0/24']) cache.install(P(p), positive(MINUTE));
  cache.lookup4(0, ip('198.18.1.1'));
  cache.install(P('198.18.4.0/24'), positive(MINUTE));
  cache.lookup(P('198.18.3.3'));
  cache.install(P('198.18.5.0/24'), positive(MINUTE));
  cache.get(P('198.18.4.0/24'));
  cache.install(P('198.18.6.0/24'), positive(MINUTE));
  assert.deepEqual(
    events.filter((e) => e.includes('evicted')),
    ['@0s remove(evicted) 198.18.2.0/24', '@0s remove(evicted) 198.18.1.0/24', '@0s remove(evicted) 198.18.4.0/24'],
  );
  assert.deepEqual([...cache.entries()].map((e) => formatPrefix(e.eid)), ['198.18.3.0/24', '198.18.5.0/24', '198.18.6.0/24']);
});

test('entries in use get one refresh event before they expire; unused ones do not', () => {
  const { clock, cache, events } = setup({ refreshBeforeMs: MINUTE, expiredHoldMs: 0 });
  const used = cache.install(P('198.18.1.0/24'), positive(10 * MINUTE))!;
  cache.install(P('198.18.2.0/24'), positive(10 * MINUTE));
  cache.lookup4(0, ip('198.18.1.1'));
  clock.advance(9 * MINUTE);
  assert.deepEqual(events.slice(2), ['@540s refresh 198.18.1.0/24']);
  // The refresh is answered: a new TTL, a new refresh point; not used since, so no second refresh.
  cache.install(P('198.18.1.0/24'), positive(10 * MINUTE));
  clock.advance(20 * MINUTE);
  assert.equal(used.hits, 1);
  assert.deepEqual(events.slice(2), [
    '@540s refresh 198.18.1.0/24',
    '@540s update(active->active) 198.18.1.0/24',
    '@600s update(active->expired) 198.18.2.0/24',
    '@600s remove(expired) 198.18.2.0/24',
    '@1140s update(active->expired) 198.18.1.0/24',
    '@1140s remove(expired) 198.18.1.0/24',
  ]);
});

test('a short TTL is refreshed half-way at the latest', () => {
  const { clock, cache, events } = setup({ refreshBeforeMs: MINUTE });
  cache.install(P('[9]2001:db8::/32'), { locators: [], ttlMs: MINUTE, action: 'natively-forward' });
  cache.lookup6(9, P('2001:db8::1').address);
  clock.advance(MINUTE / 2);
  assert.deepEqual(events, ['@0s add [9]2001:db8::/32', '@30s refresh [9]2001:db8::/32']);
});

test('static entries never expire, are never evicted and are not replaced by learned mappings', () => {
  const { clock, cache, events } = setup({ maxEntries: 1 });
  const s = cache.addStatic(P('0.0.0.0/0'), { locators: [rloc('203.0.113.1')] })!;
  assert.ok(s.static);
  assert.equal(s.expiresAt, Infinity);
  assert.equal(cache.install(P('0.0.0.0/0'), positive(MINUTE, '192.0.2.9')), s);
  assert.equal(s.locators[0]!.address, '203.0.113.1');
  cache.install(P('198.18.1.0/24'), positive(MINUTE));
  cache.install(P('198.18.2.0/24'), positive(MINUTE));
  clock.advance(365 * 24 * 60 * MINUTE);
  assert.equal(cache.lookup4(0, ip('198.51.100.1')), s);
  assert.equal(cache.size, 1);
  assert.equal(cache.flush(), 0);
  assert.ok(cache.delete(P('0.0.0.0/0')));
  assert.ok(events.includes('@0s remove(evicted) 198.18.1.0/24'));
});

test('a static entry replaces a learned one for the same prefix', () => {
  const { cache, events } = setup();
  cache.install(P('198.18.1.0/24'), positive(MINUTE));
  cache.addStatic(P('198.18.1.0/24'), { locators: [], action: 'drop' });
  assert.equal(cache.get(P('198.18.1.0/24'))?.action, 'drop');
  assert.deepEqual(events, ['@0s add 198.18.1.0/24', '@0s remove(superseded) 198.18.1.0/24', '@0s add 198.18.1.0/24']);
});

test('locator state changes re-select and are announced', () => {
  const { cache, events } = setup();
  const e = cache.install(P('198.18.1.0/24'), positive(MINUTE, '192.0.2.1', '2001:db8::1'))!;
  assert.equal(e.selection.size, 2);
  assert.ok(cache.setLocatorState(P('198.18.1.0/24'), '192.0.2.1', 'down'));
  assert.ok(!cache.setLocatorState(P('198.18.1.0/24'), '192.0.2.1', 'down'));
  assert.ok(!cache.setLocatorState(P('198.18.1.0/24'), '192.0.2.77', 'down'));
  for (let h = 0; h < 100; h++) assert.equal(e.selection.pick(h)?.address, '2001:db8::1');
  assert.equal(events.at(-1), '@0s update(active->active) 198.18.1.0/24');
});

test('underlay families limit selection', () => {
  const { cache } = setup({ families: new Set(['ipv6']) });
  const e = cache.install(P('198.18.1.0/24'), positive(MINUTE, '192.0.2.1', '2001:db8::1'))!;
  assert.equal(e.selection.pick(7)?.address, '2001:db8::1');
});

test('flush removes every learned entry and its timer', () => {
  const { clock, cache } = setup();
  cache.install(P('198.18.1.0/24'), positive(MINUTE));
  cache.resolving(P('198.18.2.2'));
  cache.addStatic(P('198.18.3.0/24'), { locators: [rloc('192.0.2.3')] });
  assert.equal(cache.flush(), 2);
  assert.equal(cache.size, 1);
  assert.equal(clock.pending, 0);
});

test('MAC EIDs are cached by exact match', () => {
  const { cache } = setup();
  const e = cache.install(P('[3]02:00:5e:00:53:01'), positive(MINUTE))!;
  assert.equal(cache.lookupMac(3, P('02:00:5e:00:53:01').address), e);
  assert.equal(cache.lookupMac(3, P('02:00:5e:00:53:02').address), undefined);
});

test('with a local database, one lookup tells local prefixes from cached ones', () => {
  const clock = new FakeClock();
  const db = new LocalDatabase();
  const local = db.set(P('198.18.0.0/16'), [rloc('192.0.2.1')]);
  const cache = new MapCache({ scheduler: clock, localDatabase: db });
  const events: string[] = [];
  cache.subscribe((e) => events.push(`${e.type} ${formatPrefix(e.entry.eid)}`));
  const remote = cache.install(P('198.51.100.0/24'), positive(MINUTE, '203.0.113.1'))!;
  // A more-specific of another site inside our aggregate: the longest match wins (OpenLISP semantics).
  const inside = cache.install(P('198.18.9.0/24'), positive(MINUTE, '203.0.113.2'))!;
  assert.equal(cache.lookup4(0, ip('198.18.1.1')), local);
  assert.equal(cache.lookup4(0, ip('198.18.1.1'))?.local, true);
  assert.equal(cache.lookup4(0, ip('198.51.100.1')), remote);
  assert.equal(cache.lookup4(0, ip('198.18.9.1')), inside);
  assert.equal(db.lookup(P('198.18.9.1')), local);
  assert.equal(cache.size, 2);
  assert.equal(db.size, 1);
  // A local prefix is never cached ...
  assert.equal(cache.install(P('198.18.0.0/16'), positive(MINUTE)), undefined);
  assert.equal(cache.resolving(P('198.18.0.0/16')), undefined);
  // ... and becoming local removes the cached entry.
  db.set(P('198.51.100.0/24'), [rloc('192.0.2.1')]);
  assert.equal(cache.lookup4(0, ip('198.51.100.1'))?.local, true);
  assert.equal(cache.size, 1);
  assert.deepEqual([...cache.entries()].map((e) => formatPrefix(e.eid)), ['198.18.9.0/24']);
  assert.deepEqual(events, ['add 198.51.100.0/24', 'add 198.18.9.0/24', 'remove 198.51.100.0/24']);
  clock.advance(10 * MINUTE);
  assert.equal(db.size, 2);
  assert.equal(cache.lookup4(0, ip('198.51.100.1'))?.local, true);
});
