import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowHash4, RlocSelection, type Locator } from '../../../src/table/index.js';
import { prng } from '../../helpers/prng.js';

const loc = (address: string, priority: number, weight: number, state: Locator['state'] = 'up'): Locator => ({
  address,
  family: address.includes(':') ? 'ipv6' : 'ipv4',
  priority,
  weight,
  state,
});

/** Hashes of N random flows from 198.18.0.0/15 to 198.51.100.0/24 (seeded, reproducible). */
function flows(n: number, seed = 1): number[] {
  const next = prng(seed);
  return Array.from({ length: n }, () =>
    flowHash4(0xc6120000 | (next() & 0x1ffff), 0xc6336400 | (next() & 0xff), next() % 2 === 0 ? 6 : 17, next() & 0xffff, 443),
  );
}

function shares(selection: RlocSelection, hashes: number[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const h of hashes) {
    const a = selection.pick(h)?.address ?? 'none';
    counts.set(a, (counts.get(a) ?? 0) + 1);
  }
  return new Map([...counts].map(([a, n]) => [a, n / hashes.length]));
}

test('weights 70/30 split 100 000 random flows 70/30 within one percentage point', () => {
  const s = new RlocSelection([loc('192.0.2.1', 1, 70), loc('192.0.2.2', 1, 30)]);
  const got = shares(s, flows(100_000));
  assert.ok(Math.abs(got.get('192.0.2.1')! - 0.7) < 0.01, `192.0.2.1 got ${got.get('192.0.2.1')}`);
  assert.ok(Math.abs(got.get('192.0.2.2')! - 0.3) < 0.01, `192.0.2.2 got ${got.get('192.0.2.2')}`);
});

test('a flow always maps to the same RLOC, also in a selection rebuilt from the same set', () => {
  const set = [loc('192.0.2.1', 1, 25), loc('2001:db8::1', 1, 25), loc('198.51.100.1', 1, 50)];
  const a = new RlocSelection(set);
  const b = new RlocSelection(set.map((l) => ({ ...l })));
  for (const h of flows(10_000, 7)) {
    const first = a.pick(h);
    assert.equal(a.pick(h), first);
    assert.equal(b.pick(h)?.address, first?.address);
  }
});

test('IPv4 and IPv6 locators share one set by weight', () => {
  const got = shares(new RlocSelection([loc('192.0.2.1', 1, 50), loc('2001:db8::1', 1, 50)]), flows(50_000));
  assert.ok(Math.abs(got.get('2001:db8::1')! - 0.5) < 0.01);
});

test('down and priority-255 locators are never chosen', () => {
  const s = new RlocSelection([
    loc('192.0.2.1', 1, 90, 'down'),
    loc('192.0.2.2', 255, 100),
    loc('192.0.2.3', 1, 10),
    loc('2001:db8::3', 1, 10),
  ]);
  const got = shares(s, flows(50_000));
  assert.deepEqual([...got.keys()].sort(), ['192.0.2.3', '2001:db8::3']);
  assert.equal(s.size, 2);
  const none = new RlocSelection([loc('192.0.2.1', 1, 100, 'down'), loc('192.0.2.2', 255, 100)]);
  assert.equal(none.pick(123), undefined);
  assert.equal(none.size, 0);
  assert.equal(RlocSelection.EMPTY.pick(0), undefined);
});

test('the lowest priority value wins; the next one takes over when all of it is down', () => {
  const set = [loc('192.0.2.1', 1, 50), loc('192.0.2.2', 1, 50), loc('198.51.100.1', 2, 100)];
  assert.ok(!shares(new RlocSelection(set), flows(10_000)).has('198.51.100.1'));
  const down = set.map((l) => (l.priority === 1 ? { ...l, state: 'down' as const } : l));
  assert.deepEqual([...shares(new RlocSelection(down), flows(10_000)).keys()], ['198.51.100.1']);
});

test('all weights 0 split evenly; a weight of 0 beside others gets nothing', () => {
  const even = shares(new RlocSelection([loc('192.0.2.1', 1, 0), loc('192.0.2.2', 1, 0)]), flows(50_000));
  assert.ok(Math.abs(even.get('192.0.2.1')! - 0.5) < 0.01);
  const zero = shares(new RlocSelection([loc('192.0.2.1', 1, 0), loc('192.0.2.2', 1, 10)]), flows(10_000));
  assert.deepEqual([...zero.keys()], ['192.0.2.2']);
});

test('families limits selection to the underlays this node can reach', () => {
  const s = new RlocSelection([loc('192.0.2.1', 2, 50), loc('2001:db8::1', 1, 50)], { families: new Set(['ipv4']) });
  assert.deepEqual([...shares(s, flows(1000)).keys()], ['192.0.2.1']);
});

test('when a locator goes down only its flows move, spread over the others by weight', () => {
  const set = [loc('192.0.2.1', 1, 50), loc('192.0.2.2', 1, 30), loc('192.0.2.3', 1, 20)];
  const before = new RlocSelection(set);
  const after = new RlocSelection(set.map((l) => (l.address === '192.0.2.2' ? { ...l, state: 'down' as const } : l)));
  const moved = new Map<string, number>();
  const hashes = flows(100_000, 3);
  for (const h of hashes) {
    const was = before.pick(h)!.address;
    const now = after.pick(h)!.address;
    if (was !== '192.0.2.2') assert.equal(now, was);
    else moved.set(now, (moved.get(now) ?? 0) + 1);
  }
  const total = [...moved.values()].reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(moved.get('192.0.2.1')! / total - 50 / 70) < 0.02);
  const got = shares(after, hashes);
  assert.ok(Math.abs(got.get('192.0.2.1')! - 50 / 70) < 0.01);
});
