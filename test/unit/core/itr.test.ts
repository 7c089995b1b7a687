import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { Counters } from '../../../src/core/counters.js';
import { Itr } from '../../../src/core/roles/itr.js';
import type { Endpoint } from '../../../src/core/ports.js';
import { decodeMessage, LispDecodeError } from '../../../src/packet/index.js';
import { MapCache, parsePrefix } from '../../../src/table/index.js';

function setup(resolvers: string[]) {
  const clock = new FakeClock();
  const counters = new Counters();
  const sent: { at: number; to: Endpoint; smrInvoked: boolean }[] = [];
  const itr = new Itr({
    clock,
    counters,
    mapCache: new MapCache({ scheduler: clock }),
    mapResolvers: resolvers.map((address) => ({ address, port: 4342 })),
    itrRlocs: () => ['192.0.2.1'],
    replyPort: () => 4342,
    send: (data, to) => {
      const m = decodeMessage(data);
      assert.ok(!(m instanceof LispDecodeError) && m.value.type === 'ecm' && m.value.message.type === 'map-request');
      sent.push({ at: clock.now(), to, smrInvoked: m.value.message.smrInvoked });
    },
  });
  return { clock, counters, itr, sent };
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
