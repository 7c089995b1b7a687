// The workers' HMAC against createHmac and the packet codec's signMessage / verifyMessage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { MessageAuth, signMessage, verifyMessage } from '../../../src/packet/index.js';

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
    const lenient = new MessageAuth(algorithmId, KEY, { truncated: true });
    const { bytes } = register([record('198.18.1.0/24', ['192.0.2.1'])], KEY, { keyId: algorithmId, algorithmId, xtrId: 0xabcdefn, siteId: 1n });
    const cases: Buffer[] = [bytes];
    // Truncated to RFC 9301's length (HMAC-SHA-1-96: 12 bytes, HMAC-SHA-256-128: 16), at a non-zero offset in a larger buffer.
    const cut = algorithmId === 1 ? 12 : 16;
    const truncated = Buffer.concat([bytes.subarray(0, 14), Buffer.from([0, cut]), bytes.subarray(16, 16 + cut), bytes.subarray(16 + length)]);
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
      assert.equal(auth.verify(padded, 7, 7 + c.length), verifyMessage(c, KEY), c.toString('hex'));
      assert.equal(lenient.verify(padded, 7, 7 + c.length), verifyMessage(c, KEY, 0, c.length, { truncated: true }), c.toString('hex'));
    }
    assert.deepEqual(cases.map((c) => verifyMessage(c, KEY)), [true, false, true, false, false], 'truncated HMACs only when the key allows them');
    assert.deepEqual(cases.map((c) => verifyMessage(c, KEY, 0, c.length, { truncated: true })), [true, true, true, false, false]);
  });
}

test('verify refuses what carries no usable auth data: too short, zero length, longer than the digest, another algorithm', () => {
  const auth = new MessageAuth(1, KEY, { truncated: true });
  const { bytes } = register([record('198.18.1.0/24', ['192.0.2.1'])], KEY, { keyId: 1, algorithmId: 1 });
  assert.equal(auth.verify(bytes, 0, 15), false);
  const zero = Buffer.from(bytes);
  zero.writeUInt16BE(0, 14);
  assert.equal(auth.verify(zero, 0, zero.length), false);
  const long = Buffer.from(bytes);
  long.writeUInt16BE(21, 14);
  assert.equal(auth.verify(long, 0, long.length), false);
  assert.equal(new MessageAuth(2, KEY).verify(bytes), false, 'a SHA-256 key does not verify a SHA-1 message');
  assert.throws(() => new MessageAuth(3, KEY), /algorithm ID 3/);
});

/** bytes with its auth data replaced by `auth` (the Auth Data Length set to its length). */
function withAuthData(bytes: Buffer, digestLength: number, auth: Buffer): Buffer {
  const out = Buffer.concat([bytes.subarray(0, 16), auth, bytes.subarray(16 + digestLength)]);
  out.writeUInt16BE(auth.length, 14);
  return out;
}

for (const [algorithmId, hash, length, cut] of [[1, 'sha1', 20, 12], [2, 'sha256', 32, 16]] as const) {
  test(`HMAC-${hash.toUpperCase()}: no 1- or 2-byte auth value verifies (all 65,792 tried); a 12- or 16-byte one only when allowed and right`, () => {
    const { bytes } = register([record('0.0.0.0/1', ['203.0.113.66'])], KEY, { keyId: algorithmId, algorithmId });
    const strict = new MessageAuth(algorithmId, KEY);
    const lenient = new MessageAuth(algorithmId, KEY, { truncated: true });
    let accepted = 0;
    for (const n of [1, 2]) {
      const auth = Buffer.alloc(n);
      for (let v = 0; v < 256 ** n; v++) {
        auth.writeUIntBE(v, 0, n);
        const forged = withAuthData(bytes, length, auth);
        if (strict.verify(forged) || lenient.verify(forged)) accepted++;
      }
    }
    assert.equal(accepted, 0);
    for (const n of [12, 16]) {
      // The right HMAC truncated to n bytes, computed over the message with n bytes of auth data.
      const right = withAuthData(bytes, length, Buffer.alloc(n));
      createHmac(hash, KEY).update(right).digest().copy(right, 16, 0, n);
      assert.equal(strict.verify(right), false, `the right ${n}-byte truncation without truncated-hmac`);
      assert.equal(lenient.verify(right), n === cut, `the right ${n}-byte truncation with truncated-hmac`);
      for (let i = 0; i < 1000; i++) {
        const guess = Buffer.from(right);
        guess[16 + (i % n)]! ^= 1 + (i % 255);
        assert.equal(lenient.verify(guess), false);
      }
    }
  });
}
