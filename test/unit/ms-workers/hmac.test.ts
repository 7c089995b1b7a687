// The workers' HMAC against createHmac and the packet codec's signMessage / verifyMessage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signMessage, verifyMessage } from '../../../src/packet/index.js';
import { MessageAuth } from '../../../src/ms-workers/hmac.js';
import { record, register } from '../../helpers/registers.js';

const KEY = 'worker-key';

for (const [algorithmId, hash, length] of [[1, 'sha1', 20], [2, 'sha256', 32]] as const) {
  test(`HMAC-${hash.toUpperCase()}: sign writes createHmac's digest over the message with its auth data zeroed`, () => {
    const { bytes } = register([record('198.18.1.0/24', ['192.0.2.1', '2001:db8::1'])], KEY, { keyId: algorithmId, algorithmId, xtrId: 0x1234n, siteId: 9n });
    const zeroed = Buffer.from(bytes);
    zeroed.fill(0, 16, 16 + length);
    const expected = createHmac(hash, KEY).update(zeroed).digest();
    const signed = Buffer.from(zeroed);
    new MessageAuth(algorithmId, KEY).sign(signed, 0, signed.length);
    assert.deepEqual(signed.subarray(16, 16 + length), expected);
    assert.deepEqual(signed, bytes);
  });

  test(`HMAC-${hash.toUpperCase()}: verify agrees with verifyMessage on full, truncated, RFC 9301-coverage and forged data`, () => {
    const auth = new MessageAuth(algorithmId, KEY);
    const { bytes } = register([record('198.18.1.0/24', ['192.0.2.1'])], KEY, { keyId: algorithmId, algorithmId, xtrId: 0xabcdefn, siteId: 1n });
    const cases: Buffer[] = [bytes];
    // Truncated to 12 bytes (HMAC-SHA-1-96 style), at a non-zero offset in a larger buffer.
    const truncated = Buffer.concat([bytes.subarray(0, 14), Buffer.from([0, 12]), bytes.subarray(16, 28), bytes.subarray(16 + length)]);
    signMessage(truncated, KEY);
    cases.push(truncated);
    // Signed over RFC 9301's coverage, which stops before the xTR-ID and site-ID.
    const rfc = Buffer.from(bytes);
    rfc.fill(0, 16, 16 + length);
    signMessage(rfc, KEY, 0, rfc.length - 24);
    cases.push(rfc);
    const forged = Buffer.from(bytes);
    forged[20]! ^= 1;
    cases.push(forged, register([record('198.18.1.0/24', ['192.0.2.1'])], 'other-key', { keyId: algorithmId, algorithmId }).bytes);
    for (const c of cases) {
      const padded = Buffer.concat([Buffer.alloc(7), c, Buffer.alloc(3)]);
      const hasXtrId = (c.readUInt32BE(0) & 0x02000000) !== 0;
      assert.equal(auth.verify(padded, 7, 7 + c.length, hasXtrId), verifyMessage(c, KEY), c.toString('hex'));
    }
    assert.deepEqual(cases.map((c) => verifyMessage(c, KEY)), [true, true, true, false, false]);
  });
}

test('verify refuses what carries no usable auth data: too short, zero length, longer than the digest', () => {
  const auth = new MessageAuth(1, KEY);
  const { bytes } = register([record('198.18.1.0/24', ['192.0.2.1'])], KEY, { keyId: 1, algorithmId: 1 });
  assert.equal(auth.verify(bytes, 0, 15, false), false);
  const zero = Buffer.from(bytes);
  zero.writeUInt16BE(0, 14);
  assert.equal(auth.verify(zero, 0, zero.length, false), false);
  const long = Buffer.from(bytes);
  long.writeUInt16BE(21, 14);
  assert.equal(auth.verify(long, 0, long.length, false), false);
  assert.throws(() => new MessageAuth(3, KEY), /algorithm ID 3/);
});
