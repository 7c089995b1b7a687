// A worker's replica, fed updates directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrefix } from '../../../src/table/index.js';
import { Replica } from '../../../src/ms-workers/replica.js';
import { fingerprintOf } from '../../../src/packet/map-register-view.js';
import { record, register } from '../../helpers/registers.js';

const reply = (n: number) => Buffer.from([0x20, 0, 0, 1, ...Array(8).fill(0), n]);

test('proxy replies by longest match, per instance-id and family, for hosts and for prefixes; null means the main thread answers', () => {
  const r = new Replica();
  r.apply({ op: 'prefix', prefix: parsePrefix('198.18.0.0/16'), reply: reply(1) });
  r.apply({ op: 'prefix', prefix: parsePrefix('198.18.1.0/24'), reply: null });
  r.apply({ op: 'prefix', prefix: parsePrefix('[7]198.18.1.0/24'), reply: reply(2) });
  r.apply({ op: 'prefix', prefix: parsePrefix('2001:db8::/32'), reply: reply(3) });
  const v4 = (a: string) => Buffer.from(a.split('.').map(Number));
  const at = (buf: Buffer, v6: boolean, iid: number, len: number) => r.replyFor(buf, 0, v6, iid, len)?.at(-1);
  assert.equal(at(v4('198.18.2.1'), false, 0, 32), 1);
  assert.equal(at(v4('198.18.1.1'), false, 0, 32), undefined);
  assert.equal(at(v4('198.18.1.1'), false, 7, 32), 2);
  assert.equal(at(v4('198.18.0.0'), false, 0, 16), 1);
  assert.equal(at(v4('198.18.1.0'), false, 0, 24), undefined);
  assert.equal(at(v4('198.0.0.0'), false, 0, 8), undefined);
  const v6 = Buffer.alloc(16);
  v6.writeUInt32BE(0x20010db8, 0);
  v6[15] = 1;
  assert.equal(at(v6, true, 0, 128), 3);
  assert.equal(at(v6, true, 0, 64), 3);
  // lookup tells a registered EID the main thread answers (null) from one not registered (undefined).
  assert.equal(r.lookup(v4('198.18.1.1'), 0, false, 0, 32), null);
  assert.equal(r.lookup(v4('198.19.1.1'), 0, false, 0, 32), undefined);
  r.apply({ op: 'unregister', prefix: parsePrefix('198.18.0.0/16') });
  assert.equal(at(v4('198.18.2.1'), false, 0, 32), undefined);
});

test('accepted Map-Registers by fingerprint and ETR id, several per ETR, until revoked', () => {
  const r = new Replica();
  const a = register([record('198.18.1.0/24', ['192.0.2.1'])], 'k').bytes;
  const b = register([record('198.18.2.0/24', ['192.0.2.1'])], 'k').bytes;
  r.apply({ op: 'accept', token: 1, id: '192.0.2.1', fingerprint: fingerprintOf(a), key: 'k', algorithmId: 2, truncated: false });
  r.apply({ op: 'accept', token: 2, id: '192.0.2.1', fingerprint: fingerprintOf(b), key: 'k', algorithmId: 2, truncated: false });
  r.apply({ op: 'accept', token: 3, id: '192.0.2.2', fingerprint: fingerprintOf(a), key: 'k', algorithmId: 2, truncated: false });
  const found = (id: string, bytes: Buffer) => r.acceptedFor(id, bytes, 0, bytes.length)?.token;
  assert.deepEqual([found('192.0.2.1', a), found('192.0.2.1', b), found('192.0.2.2', a), found('192.0.2.2', b)], [1, 2, 3, undefined]);
  assert.ok(r.acceptedFor('192.0.2.1', a, 0, a.length)!.auth.verify(a, 0, a.length));
  r.apply({ op: 'revoke', token: 1 });
  r.apply({ op: 'revoke', token: 1 });
  assert.deepEqual([found('192.0.2.1', a), found('192.0.2.2', a)], [undefined, 3]);
  // The ETRs it knows: as long as one of their Map-Registers is accepted.
  assert.deepEqual([r.knowsEtr('192.0.2.1'), r.knowsEtr('192.0.2.2'), r.knowsEtr('192.0.2.3')], [true, true, false]);
  r.apply({ op: 'revoke', token: 2 });
  assert.equal(r.knowsEtr('192.0.2.1'), false);
});
