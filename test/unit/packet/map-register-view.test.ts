// A Map-Register read in place (map-register-view.ts, the Map-Server workers' refresh detection):
// its fingerprint, its hash and ETR id; the Map-Notify built from its bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { Counters } from '../../../src/core/counters.js';
import { MapServer } from '../../../src/core/roles/map-server.js';
import { mapRegister, signMessage } from '../../../src/packet/index.js';
import { MessageAuth } from '../../../src/packet/index.js';
import { etrIdOf, fingerprintHash, fingerprintOf, hashOf, hasFingerprint, notifyFor } from '../../../src/packet/map-register-view.js';
import { record, register } from '../../helpers/registers.js';
import { site } from '../ms-workers/fixtures.js';

const KEY = 'a-secret';
const records = [record('198.18.1.0/24', ['192.0.2.1']), record('198.18.2.0/24', ['192.0.2.1', '2001:db8::1'])];

test('a refresh (new nonce and auth data, even truncated) has the fingerprint of the Map-Register it repeats; a change does not', () => {
  const first = register(records, KEY).bytes;
  const fingerprint = fingerprintOf(first);
  const again = register(records, KEY, { nonce: 99n }).bytes;
  const truncated = Buffer.concat([again.subarray(0, 14), Buffer.from([0, 16]), again.subarray(16, 32), again.subarray(48)]);
  signMessage(truncated, KEY);
  for (const r of [first, again, truncated]) {
    const padded = Buffer.concat([Buffer.alloc(5), r]);
    assert.ok(hasFingerprint(fingerprint, padded, 5, padded.length));
    assert.equal(fingerprintHash(padded, 5, padded.length), hashOf(fingerprint));
  }
  const changes = [
    register([records[0]!, record('198.18.2.0/24', ['192.0.2.2', '2001:db8::1'])], KEY).bytes,
    register(records, KEY, { wantMapNotify: false }).bytes,
    register(records, KEY, { keyId: 1, algorithmId: 1 }).bytes,
    register(records, KEY, { xtrId: 1n, siteId: 2n }).bytes,
    register(records.slice(0, 1), KEY).bytes,
  ];
  for (const c of changes) assert.equal(hasFingerprint(fingerprint, c, 0, c.length), false);
  assert.equal(new Set(changes.map((c) => fingerprintHash(c, 0, c.length))).size, changes.length);
});

test('the ETR id is the xTR-ID in hex (as the Map-Server keys it) or the source address; a message too short for its header has none', () => {
  const withId = register(records, KEY, { xtrId: 0xfedcba9876543210n, siteId: 7n }).bytes;
  assert.equal(etrIdOf(withId, 0, withId.length, '192.0.2.9'), '0000000000000000fedcba9876543210');
  const plain = register(records, KEY).bytes;
  assert.equal(etrIdOf(plain, 0, plain.length, '192.0.2.9'), '192.0.2.9');
  assert.equal(etrIdOf(plain, 0, 40, '192.0.2.9'), undefined);
  assert.equal(fingerprintHash(plain, 0, 40), -1);
  assert.throws(() => fingerprintOf(plain, 0, 40), RangeError);
});

test('the Map-Notify a worker builds is the one the Map-Server sends (SHA-1 and SHA-256, with and without xTR-ID, truncated auth)', () => {
  const ms = new MapServer({ clock: new FakeClock(), counters: new Counters(), sites: [site('a', KEY, ['198.18.1.0/24', '198.18.2.0/24'], { keys: [{ keyId: 0, key: KEY, algorithm: 'sha256', truncated: true }, { keyId: 1, key: KEY, algorithm: 'sha1' }] })] });
  const variants = [
    register(records, KEY).bytes,
    register(records, KEY, { keyId: 1, algorithmId: 1, nonce: 0xffffffffffffffffn }).bytes,
    register(records, KEY, { xtrId: 0x0102030405060708090a0b0c0d0e0f10n, siteId: 0x1122334455667788n }).bytes,
  ];
  const truncated = Buffer.concat([variants[0]!.subarray(0, 14), Buffer.from([0, 16]), variants[0]!.subarray(16, 32), variants[0]!.subarray(48)]);
  signMessage(truncated, KEY);
  variants.push(truncated);
  for (const bytes of variants) {
    const m = mapRegister.decode(bytes).value;
    const expected = ms.register(bytes, m, { address: '192.0.2.1', port: 4342 });
    assert.ok(expected.ok && expected.notify);
    const padded = Buffer.concat([Buffer.alloc(3), bytes]);
    assert.deepEqual(notifyFor(padded, 3, padded.length, new MessageAuth(m.algorithmId, KEY)), expected.notify);
  }
});
