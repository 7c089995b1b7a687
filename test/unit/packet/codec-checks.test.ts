import { test } from 'node:test';
import assert from 'node:assert/strict';
import { address, ecm, LispDecodeError, LispError, mapNotify, mapRegister, mapRequest, message, type Ecm, type MapReply } from '../../../src/packet/index.js';

const reply: MapReply = { type: 'map-reply', probe: false, echoNonceCapable: false, nonce: 7n, records: [] };

test('a per-type codec refuses another message type', () => {
  const bytes = message.encode(reply);
  for (const codec of [mapRequest, mapRegister, mapNotify]) {
    assert.throws(() => codec.decode(bytes), (e) => e instanceof LispDecodeError && e.code === 'ERR_LISP_BAD_FIELD' && e.offset === 0);
  }
});

test('IPv4 text with leading zeros is refused', () => {
  assert.throws(() => address.encode({ afi: 'ipv4', address: '192.0.2.01' }), (e) => e instanceof LispError && e.code === 'ERR_LISP_ENCODE');
  assert.doesNotThrow(() => address.encode({ afi: 'ipv4', address: '192.0.2.0' }));
});

test('JSON LCAF text with a lone surrogate is refused', () => {
  const json = { afi: 'lcaf', lcaf: { type: 'json', json: '{"a":"\ud800"}', address: { afi: 'none' } } } as const;
  assert.throws(() => address.encode(json), (e) => e instanceof LispError && e.code === 'ERR_LISP_ENCODE');
});

test('the ECM codec and the message codec allow the same nesting depth', () => {
  const wrap = (m: Ecm['message']): Ecm => ({
    type: 'ecm', ddt: false, forwardToEtr: false, toMapServer: false, rtr: false, relayed: false,
    ip: { version: 4, tos: 0, identification: 0, flags: 0, fragmentOffset: 0, ttl: 64, src: '192.0.2.1', dst: '198.18.0.1' },
    udp: { sport: 4342, dport: 4342 },
    message: m,
  });
  let m: Ecm['message'] = reply;
  for (let depth = 1; depth <= 5; depth++) {
    m = wrap(m);
    const bytes = message.encode(m);
    const ok = depth <= 4;
    for (const codec of [message, ecm]) {
      if (ok) assert.doesNotThrow(() => codec.decode(bytes));
      else assert.throws(() => codec.decode(bytes), (e) => e instanceof LispDecodeError && e.code === 'ERR_LISP_TOO_DEEP');
    }
  }
});
