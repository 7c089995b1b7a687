import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatAddress,
  formatPrefix,
  makePrefix,
  parseAddress,
  parsePrefix,
  prefixContains,
  prefixEquals,
} from '../../../src/table/index.js';

test('parses and formats IPv4, IPv6 and MAC prefixes with instance-ids', () => {
  for (const [text, family, len, iid] of [
    ['198.18.0.0/15', 'ipv4', 15, 0],
    ['[1000]198.18.1.0/24', 'ipv4', 24, 1000],
    ['192.0.2.1/32', 'ipv4', 32, 0],
    ['0.0.0.0/0', 'ipv4', 0, 0],
    ['2001:db8::/32', 'ipv6', 32, 0],
    ['[7]2001:db8:0:1::/64', 'ipv6', 64, 7],
    ['2001:db8::1/128', 'ipv6', 128, 0],
    ['::/0', 'ipv6', 0, 0],
    ['02:00:5e:00:53:01', 'mac', 48, 0],
    ['[4294967295]02:00:5e:00:53:01', 'mac', 48, 0xffffffff],
  ] as const) {
    const p = parsePrefix(text);
    assert.deepEqual([p.family, p.len, p.iid], [family, len, iid], text);
    assert.equal(formatPrefix(p), text);
  }
});

test('an address without a length is a host prefix', () => {
  assert.equal(parsePrefix('198.51.100.7').len, 32);
  assert.equal(parsePrefix('2001:db8::7').len, 128);
  assert.equal(formatPrefix(parsePrefix('[3]203.0.113.9')), '[3]203.0.113.9/32');
});

test('formats IPv6 as RFC 5952: lower case, longest zero run compressed, single zeros kept, IPv4-mapped dotted', () => {
  for (const [input, canonical] of [
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8::0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0000', '2001:db8::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::1:ffff:c000:201', '::1:ffff:c000:201'],
    ['::', '::'],
  ]) {
    assert.equal(formatAddress('ipv6', parseAddress('ipv6', input!)), canonical, input);
  }
});

test('rejects malformed text and host bits', () => {
  for (const bad of [
    '198.18.0.0/33',
    '198.18.0.256/32',
    '198.018.0.0/16',
    '198.18.0/24',
    '198.18.1.0/16',
    '2001:db8::/129',
    '2001:db8:::1/128',
    '2001:db8::1::2/128',
    '1:2:3:4:5:6:7:8:9/128',
    '2001:db8:1.2.3.4::/64',
    '02:00:5e:00:53/48',
    '02:00:5e:00:53:01/40',
    '[x]198.18.0.0/15',
    '',
  ]) {
    assert.throws(() => parsePrefix(bad), RangeError, bad);
  }
});

test('makePrefix copies the address and clears host bits', () => {
  const bytes = Uint8Array.of(198, 51, 100, 77);
  const p = makePrefix('ipv4', bytes, 20, 5);
  bytes[0] = 0;
  assert.equal(formatPrefix(p), '[5]198.51.96.0/20');
  assert.throws(() => makePrefix('ipv4', new Uint8Array(16)), RangeError);
  assert.throws(() => makePrefix('mac', new Uint8Array(6), 24), RangeError);
  assert.throws(() => makePrefix('ipv6', new Uint8Array(16), 0, -1), RangeError);
});

test('containment and equality need the same instance-id and family', () => {
  const outer = parsePrefix('198.18.0.0/15');
  assert.ok(prefixContains(outer, parsePrefix('198.19.255.0/24')));
  assert.ok(prefixContains(outer, outer));
  assert.ok(!prefixContains(outer, parsePrefix('198.20.0.0/24')));
  assert.ok(!prefixContains(outer, parsePrefix('[1]198.18.0.0/24')));
  assert.ok(!prefixContains(parsePrefix('198.18.0.0/24'), outer));
  assert.ok(prefixContains(parsePrefix('2001:db8::/33'), parsePrefix('2001:db8:7fff::/48')));
  assert.ok(!prefixContains(parsePrefix('2001:db8::/33'), parsePrefix('2001:db8:8000::/48')));
  assert.ok(prefixEquals(parsePrefix('2001:db8::/32'), parsePrefix('2001:0db8::/32')));
  assert.ok(!prefixEquals(parsePrefix('2001:db8::/32'), parsePrefix('2001:db8::/33')));
});
