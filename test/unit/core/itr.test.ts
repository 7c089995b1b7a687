import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { Counters } from '../../../src/core/counters.js';
import { Itr, type ItrOptions } from '../../../src/core/roles/itr.js';
import type { Endpoint } from '../../../src/core/ports.js';
import { decodeMessage, LispDecodeError } from '../../../src/packet/index.js';
import { formatPrefix, MapCache, parsePrefix } from '../../../src/table/index.js';
import { mapReply } from '../../../src/core/wire-mapping.js';
import { record } from '../../helpers/registers.js';

function setup(resolvers: string[], o: Partial<ItrOptions> = {}) {
  const clock = new FakeClock();
  const counters = new Counters();
  const mapCache = new MapCache({ scheduler: clock });
  const sent: { at: number; to: Endpoint; smrInvoked: boolean; nonce: bigint }[] = [];
  const itr = new Itr({
    clock,
    counters,
    mapCache,
    mapResolvers: resolvers.map((address) => ({ address, port: 4342 })),
    itrRlocs: () => ['192.0.2.1'],
    replyPort: () => 4342,
    send: (data, to) => {
      const m = decodeMessage(data);
      assert.ok(!(m instanceof LispDecodeError) && m.value.type === 'ecm' && m.value.message.type === 'map-request');
      sent.push({ at: clock.now(), to, smrInvoked: m.value.message.smrInvoked, nonce: m.value.message.nonce });
    },
    ...o,
  });
  return { clock, counters, itr, sent, mapCache };
}

test('unanswered Map-Requests back off (1 s, 2 s), move to the next Map-Resolver, then give up', () => {
  const { clock, counters, itr, sent } = setup(['192.0.2.10', '192.0.2.20']);
  assert.equal(itr.resolve(parsePrefix('198.18.1.1')), true);
  clock.advance(10_000);
  assert.deepEqual(sent.map((s) => [s.at, s.to.address]), [
    [0, '192.0.2.10'],
    [1000, '192.0.2.10'],
    [3000, '192.0.2.20'],
    [4000, '192.0.2.20'],
  ]);
  assert.equal(counters.get('map-request.gave-up'), 1);
  assert.equal(itr.outstanding, 0);
});

test('one Map-Request per EID-prefix per second; none without a Map-Resolver', () => {
  const { clock, itr, sent } = setup(['192.0.2.10']);
  assert.equal(itr.resolve(parsePrefix('198.18.1.1')), true);
  assert.equal(itr.resolve(parsePrefix('198.18.1.1')), false);
  assert.equal(itr.resolve(parsePrefix('198.18.1.2')), true);
  clock.advance(999);
  assert.equal(itr.resolve(parsePrefix('198.18.1.1')), false);
  clock.advance(1);
  assert.equal(itr.resolve(parsePrefix('198.18.1.1')), true);
  assert.equal(sent.filter((s) => s.at === 0).length, 2);
  assert.equal(setup([]).itr.resolve(parsePrefix('198.18.1.1')), false);
});

test('a Map-Reply installs only records covering the EID asked for, and more-specifics inside them', () => {
  const { itr, sent, mapCache, counters } = setup(['192.0.2.10']);
  itr.resolve(parsePrefix('198.18.1.7'));
  itr.handleReply(
    mapReply(sent[0]!.nonce, [
      record('0.0.0.0/1', ['203.0.113.66']),
      record('198.18.2.0/24', ['203.0.113.66']),
      record('[7]198.18.1.0/24', ['203.0.113.66']),
      record('198.18.1.0/24', ['192.0.2.2']),
    ]),
  );
  assert.deepEqual([...mapCache.entries()].map((e) => formatPrefix(e.eid)), ['198.18.1.0/24']);
  assert.equal(counters.get('map-reply.record-rejected.not-requested'), 3);
  // The longest match plus the registered more-specifics inside it (RFC 9301 section 5.5).
  itr.resolve(parsePrefix('198.18.9.9'));
  itr.handleReply(mapReply(sent[1]!.nonce, [record('198.18.0.0/16', ['192.0.2.3']), record('198.18.1.0/24', ['192.0.2.2']), record('198.18.2.0/24', ['192.0.2.4']), record('198.19.0.0/24', ['203.0.113.66'])]));
  assert.deepEqual([...mapCache.entries()].map((e) => formatPrefix(e.eid)).sort(), ['198.18.0.0/16', '198.18.1.0/24', '198.18.2.0/24']);
  assert.equal(counters.get('map-reply.record-rejected.not-requested'), 4);
});

test('a Map-Reply record TTL above the cap (24 h) is cut to it', () => {
  const { clock, itr, sent, mapCache, counters } = setup(['192.0.2.10']);
  itr.resolve(parsePrefix('198.18.1.7'));
  itr.handleReply(mapReply(sent[0]!.nonce, [record('198.18.1.0/24', ['192.0.2.2'], 0xffffffff)]));
  assert.equal([...mapCache.entries()][0]?.expiresAt, clock.now() + 1440 * 60_000);
  assert.equal(counters.get('map-reply.ttl-capped'), 1);
});

test('the rate limit remembers only the last second of EIDs; outstanding requests are bounded', () => {
  const { clock, itr, sent, counters } = setup(['192.0.2.10'], { maxOutstanding: 100 });
  for (let i = 0; i < 5_000; i++) {
    itr.resolve(parsePrefix(`198.18.${(i >> 8) & 0xff}.${i & 0xff}`));
    if (i % 100 === 99) clock.advance(100);
  }
  // 1,000 distinct EIDs a second: only the last second's are remembered.
  assert.ok(itr.rateLimited <= 1000, `${itr.rateLimited} remembered`);
  assert.equal(itr.outstanding, 100);
  assert.ok(counters.get('map-request.too-many-outstanding') > 0);
  assert.ok(sent.length < 5_000 && sent.length >= 100);
});
