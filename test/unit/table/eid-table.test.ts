import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EidTable, formatPrefix, parsePrefix, type TableEntry } from '../../../src/table/index.js';

const P = parsePrefix;
const names = (entries: Iterable<TableEntry<string>>): string[] => [...entries].map((e) => `${formatPrefix(e.prefix)}=${e.value}`);

function tableOf(...prefixes: string[]): EidTable<string> {
  const t = new EidTable<string>();
  for (const p of prefixes) t.set(P(p), p);
  return t;
}

test('instance-ids and families are separate tables', () => {
  const t = tableOf('198.18.0.0/15', '[5]198.18.0.0/15', '[5]2001:db8::/32', '02:00:5e:00:53:01');
  assert.equal(t.size, 4);
  assert.equal(t.lookup4(0, 0xc6120001), '198.18.0.0/15');
  assert.equal(t.lookup4(5, 0xc6120001), '[5]198.18.0.0/15');
  assert.equal(t.lookup4(6, 0xc6120001), undefined);
  const out: (string | undefined)[] = ['stale', 'stale'];
  t.lookup4Many(5, [0xc6120001, 0xcb007101], out);
  assert.deepEqual(out, ['[5]198.18.0.0/15', undefined]);
  t.lookup4Many(6, [0xc6120001, 0xcb007101], out);
  assert.deepEqual(out, [undefined, undefined]);
  assert.equal(t.lookup6(5, P('2001:db8::1').address), '[5]2001:db8::/32');
  assert.equal(t.lookup6(0, P('2001:db8::1').address), undefined);
  assert.equal(t.lookupMac(0, Uint8Array.of(0, 0, 2, 0, 0x5e, 0, 0x53, 1), 2), '02:00:5e:00:53:01');
  assert.deepEqual(names(t.entries()), [
    '198.18.0.0/15=198.18.0.0/15',
    '02:00:5e:00:53:01=02:00:5e:00:53:01',
    '[5]198.18.0.0/15=[5]198.18.0.0/15',
    '[5]2001:db8::/32=[5]2001:db8::/32',
  ]);
  assert.ok(t.delete(P('[5]198.18.0.0/15')));
  assert.ok(!t.delete(P('[5]198.18.0.0/15')));
  assert.equal(t.lookup4(5, 0xc6120001), undefined);
  assert.equal(t.size, 3);
});

test('lookups follow instance tables appearing and disappearing', () => {
  const t = new EidTable<string>();
  assert.equal(t.lookup4(9, 0xc6120001), undefined);
  assert.equal(t.lookup6(9, P('2001:db8::1').address), undefined);
  t.set(P('[9]198.18.0.0/15'), 'v4');
  t.set(P('[9]2001:db8::/32'), 'v6');
  assert.equal(t.lookup4(9, 0xc6120001), 'v4');
  assert.equal(t.lookup6(9, P('2001:db8::1').address), 'v6');
  t.delete(P('[9]198.18.0.0/15'));
  t.delete(P('[9]2001:db8::/32'));
  assert.equal(t.lookup4(9, 0xc6120001), undefined);
  assert.equal(t.lookup6(9, P('2001:db8::1').address), undefined);
  t.set(P('[9]198.18.0.0/16'), 'again');
  assert.equal(t.lookup4(9, 0xc6120001), 'again');
});

test('MAC addresses match exactly', () => {
  const t = tableOf('02:00:5e:00:53:02', '02:00:5e:00:53:01');
  assert.equal(t.get(P('02:00:5e:00:53:01')), '02:00:5e:00:53:01');
  assert.equal(t.lookupMac(0, P('02:00:5e:00:53:03').address), undefined);
  assert.deepEqual(names(t.entries()), ['02:00:5e:00:53:01=02:00:5e:00:53:01', '02:00:5e:00:53:02=02:00:5e:00:53:02']);
  assert.deepEqual(names(t.moreSpecifics(P('02:00:5e:00:53:02'))), ['02:00:5e:00:53:02=02:00:5e:00:53:02']);
  assert.equal(t.uncoveredPrefix(P('02:00:5e:00:53:01')), undefined);
  assert.equal(formatPrefix(t.uncoveredPrefix(P('02:00:5e:00:53:07'))!), '02:00:5e:00:53:07');
});

test('longest match and more-specifics as a Map-Server answers them (RFC 9301 section 5.5 example)', () => {
  const t = tableOf('198.18.0.0/15', '198.19.0.0/16', '198.19.1.0/24', '198.19.2.0/24');
  assert.equal(t.match(P('198.19.1.5'))?.value, '198.19.1.0/24');
  const hit = t.match(P('198.19.9.9'))!;
  assert.equal(hit.value, '198.19.0.0/16');
  assert.deepEqual(names(t.moreSpecifics(hit.prefix)), [
    '198.19.0.0/16=198.19.0.0/16',
    '198.19.1.0/24=198.19.1.0/24',
    '198.19.2.0/24=198.19.2.0/24',
  ]);
  assert.deepEqual(names(t.lessSpecifics(P('198.19.2.128/25'))), [
    '198.18.0.0/15=198.18.0.0/15',
    '198.19.0.0/16=198.19.0.0/16',
    '198.19.2.0/24=198.19.2.0/24',
  ]);
  assert.equal(t.match(P('203.0.113.1')), undefined);
});

test('the negative Map-Reply prefix is the least-specific one that covers no stored prefix', () => {
  const t = tableOf('198.18.0.0/24', '198.18.2.0/24');
  assert.equal(formatPrefix(t.uncoveredPrefix(P('198.18.1.9'))!), '198.18.1.0/24');
  assert.equal(formatPrefix(t.uncoveredPrefix(P('198.18.3.9'))!), '198.18.3.0/24');
  assert.equal(formatPrefix(t.uncoveredPrefix(P('198.18.200.1'))!), '198.18.128.0/17');
  assert.equal(formatPrefix(t.uncoveredPrefix(P('203.0.113.5'))!), '200.0.0.0/5');
  assert.equal(t.uncoveredPrefix(P('198.18.0.77')), undefined);
  assert.equal(formatPrefix(new EidTable<string>().uncoveredPrefix(P('[9]2001:db8::1'))!), '[9]::/0');
  assert.equal(tableOf('0.0.0.0/0').uncoveredPrefix(P('203.0.113.5')), undefined);
});

test('a default route (/0) matches every address of its instance and family', () => {
  const t = tableOf('0.0.0.0/0', '198.51.100.0/24', '::/0');
  assert.equal(t.lookup4(0, 0xcb007101), '0.0.0.0/0');
  assert.equal(t.lookup4(0, 0xc6336401), '198.51.100.0/24');
  assert.equal(t.lookup6(0, P('2001:db8::1').address), '::/0');
  assert.ok(t.delete(P('0.0.0.0/0')));
  assert.equal(t.lookup4(0, 0xcb007101), undefined);
  assert.equal(t.lookup4(0, 0xc6336401), '198.51.100.0/24');
});

test('replacing a value keeps one entry and lookups see the new value', () => {
  const t = tableOf('198.51.100.0/24', '198.51.100.0/26');
  t.set(P('198.51.100.0/24'), 'new');
  assert.equal(t.size, 2);
  assert.equal(t.lookup4(0, 0xc6336480), 'new');
  assert.equal(t.lookup4(0, 0xc6336401), '198.51.100.0/26');
});

test('changing a table while iterating it throws instead of yielding stale entries', () => {
  const t = tableOf('198.18.0.0/24', '198.18.1.0/24', '198.18.2.0/24');
  assert.throws(() => {
    for (const e of t.entries()) t.delete(e.prefix);
  }, /changed during iteration/);
  const collected = [...t.moreSpecifics(P('198.18.0.0/16'))];
  for (const e of collected) t.delete(e.prefix);
  assert.equal(t.size, 0);
});
