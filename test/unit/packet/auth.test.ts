// HMAC authentication of Map-Register, Map-Notify, Map-Notify-Ack and Info messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { udpDatagrams } from '../../../src/capture/index.js';
import {
  encodeAuthenticated,
  encodeMessage,
  LispError,
  mapRegister,
  signMessage,
  verifyMessage,
  type AuthAlgorithm,
  type InfoMessage,
  type MapNotify,
  type MapRegister,
  type MappingRecord,
} from '../../../src/packet/index.js';
import { capturesDir } from '../../helpers/vectors.js';

const KEY = 'loci-test-key';
const AUTH_OFFSET = 16;
const HASH = { sha1: 'sha1', sha256: 'sha256' } as const;
const ALGORITHM_ID = { sha1: 1, sha256: 2 } as const;

const record: MappingRecord = {
  ttl: 1440,
  maskLen: 24,
  eid: { afi: 'ipv4', address: '198.18.1.0' },
  act: 0,
  authoritative: true,
  mapVersion: 0,
  locators: [
    { priority: 1, weight: 100, mPriority: 255, mWeight: 0, local: true, probed: false, reachable: true, address: { afi: 'ipv4', address: '192.0.2.10' } },
    { priority: 1, weight: 100, mPriority: 255, mWeight: 0, local: false, probed: false, reachable: true, address: { afi: 'ipv6', address: '2001:db8::10' } },
  ],
};
const auth = { nonce: 0x0102030405060708n, keyId: 0, algorithmId: 1, authData: Buffer.alloc(0) };
const xtr = { xtrId: 0x2001_0db8_0000_0000_0000_0000_0000_0001n, siteId: 7n };

const register: MapRegister = {
  type: 'map-register',
  proxyReply: true,
  securityCapable: false,
  rtr: false,
  eidNotify: false,
  useTtl: true,
  merge: false,
  mobileNode: false,
  wantMapNotify: true,
  ...auth,
  records: [record],
  ...xtr,
};
const notify: MapNotify = { type: 'map-notify', rtr: false, ...auth, records: [record], ...xtr };
const notifyAck: MapNotify = { type: 'map-notify-ack', rtr: false, ...auth, records: [record] };
const infoReply: InfoMessage = {
  type: 'info',
  reply: true,
  ...auth,
  ttl: 15,
  maskLen: 24,
  eid: { afi: 'ipv4', address: '198.18.1.0' },
  natInfo: {
    afi: 'lcaf',
    lcaf: {
      type: 'nat-traversal',
      msPort: 4342,
      etrPort: 61000,
      globalEtrRloc: { afi: 'ipv4', address: '203.0.113.5' },
      msRloc: { afi: 'ipv4', address: '198.51.100.1' },
      privateEtrRloc: { afi: 'none' },
      rtrRlocs: [{ afi: 'ipv4', address: '198.51.100.7' }],
    },
  },
};
const MESSAGES = { 'Map-Register': register, 'Map-Notify': notify, 'Map-Notify-Ack': notifyAck, 'Info-Reply': infoReply };

/** HMAC of buf[0, end) with the auth field zeroed, computed here independently of auth.ts. */
function hmac(hash: string, key: string, buf: Buffer, end = buf.length): Buffer {
  const zeroed = Buffer.from(buf.subarray(0, end));
  zeroed.fill(0, AUTH_OFFSET, AUTH_OFFSET + zeroed.readUInt16BE(14));
  return createHmac(hash, key).update(zeroed).digest();
}

const authField = (buf: Buffer) => buf.subarray(AUTH_OFFSET, AUTH_OFFSET + buf.readUInt16BE(14));

for (const algorithm of ['sha1', 'sha256'] as AuthAlgorithm[]) {
  describe(`HMAC-${algorithm.toUpperCase()} sign and verify`, () => {
    for (const [name, m] of Object.entries(MESSAGES)) {
      const signed = encodeAuthenticated({ ...m, algorithmId: ALGORITHM_ID[algorithm] }, KEY);

      it(`${name}: the full HMAC over the whole message, verified`, () => {
        assert.deepStrictEqual(authField(signed), hmac(HASH[algorithm], KEY, signed));
        assert.equal(verifyMessage(signed, KEY), true);
        assert.equal(verifyMessage(signed, Buffer.from(KEY)), true, 'a Buffer key works the same');
      });

      it(`${name}: a wrong key fails`, () => {
        assert.equal(verifyMessage(signed, `${KEY}x`), false);
        assert.equal(verifyMessage(signed, ''), false);
      });

      it(`${name}: changing any single byte fails`, () => {
        for (let i = 0; i < signed.length; i++) {
          for (const flip of [0x01, 0xff]) {
            const changed = Buffer.from(signed);
            changed[i] = changed[i]! ^ flip;
            assert.equal(verifyMessage(changed, KEY), false, `byte ${i} ^ 0x${flip.toString(16)}`);
          }
        }
      });
    }
  });
}

describe('truncated auth data (HMAC-SHA-1-96, HMAC-SHA-256-128)', () => {
  for (const [algorithm, length] of [
    ['sha1', 12],
    ['sha256', 16],
  ] as const) {
    it(`HMAC-${algorithm.toUpperCase()} with ${length} bytes`, () => {
      const buf = mapRegister.encode({ ...register, algorithmId: ALGORITHM_ID[algorithm], authData: Buffer.alloc(length) });
      signMessage(buf, KEY);
      assert.deepStrictEqual(authField(buf), hmac(HASH[algorithm], KEY, buf).subarray(0, length));
      assert.equal(verifyMessage(buf, KEY), false, 'refused unless the key allows truncated HMACs');
      assert.equal(verifyMessage(buf, KEY, 0, buf.length, { truncated: true }), true);
      assert.equal(verifyMessage(buf, `${KEY}x`, 0, buf.length, { truncated: true }), false);
    });
  }
});

describe("RFC 9301 coverage (HMAC without the xTR-ID/site-ID trailer)", () => {
  /** Encodes m with its auth field holding the HMAC of everything before the 24-byte trailer. */
  function signedWithoutTrailer(m: MapRegister | MapNotify): Buffer {
    const buf = encodeMessage({ ...m, authData: Buffer.alloc(20) });
    hmac('sha1', KEY, buf, buf.length - 24).copy(buf, AUTH_OFFSET);
    assert.notDeepStrictEqual(authField(buf), hmac('sha1', KEY, buf), 'differs from whole-message coverage');
    return buf;
  }

  it('Map-Register and Map-Notify with the I bit verify', () => {
    for (const m of [register, notify]) {
      const buf = signedWithoutTrailer(m);
      assert.equal(verifyMessage(buf, KEY), true, m.type);
      assert.equal(verifyMessage(buf, `${KEY}x`), false, m.type);
    }
  });

  it('without the I bit, the last 24 bytes are not skipped', () => {
    const buf = signedWithoutTrailer({ ...register, xtrId: undefined, siteId: undefined, records: [record, record] });
    assert.equal(verifyMessage(buf, KEY), false);
  });
});

describe('messages that cannot be signed', () => {
  const authError = (e: unknown) => e instanceof LispError && e.code === 'ERR_LISP_AUTH';

  it('algorithm ID 0 or 3 is refused by encodeAuthenticated', () => {
    assert.throws(() => encodeAuthenticated({ ...register, algorithmId: 0 }, KEY), authError);
    assert.throws(() => encodeAuthenticated({ ...register, algorithmId: 3 }, KEY), authError);
  });

  it('a Map-Request has no auth field: signMessage throws, verifyMessage says false', () => {
    const buf = Buffer.from('10000000 0102030405060708 0000 0001 c0000201'.replace(/ /g, ''), 'hex');
    assert.throws(() => signMessage(buf, KEY), authError);
    assert.equal(verifyMessage(buf, KEY), false);
  });

  it('no auth data never verifies', () => {
    const buf = mapRegister.encode({ ...register, authData: Buffer.alloc(0) });
    assert.equal(verifyMessage(buf, KEY), false);
  });
});

describe('capture: LISPmob Map-Registers (jeremiejig-tcpdump-lisp.pcap)', () => {
  const registers = udpDatagrams(readFileSync(join(capturesDir, 'jeremiejig-tcpdump-lisp.pcap')), (d) => d.dport === 4342 && d.payload[0]! >>> 4 === 3);

  it('holds two HMAC-SHA-1 Map-Registers', () => {
    assert.equal(registers.length, 2);
    for (const d of registers) {
      const m = mapRegister.decode(d.payload).value;
      assert.deepStrictEqual([m.keyId, m.algorithmId, m.authData.length], [0, 1, 20]);
    }
  });

  it('both verify with key "password" and fail with another key', () => {
    for (const d of registers) {
      assert.equal(verifyMessage(d.payload, 'password'), true, `frame ${d.frame}`);
      assert.equal(verifyMessage(d.payload, 'Password'), false, `frame ${d.frame}`);
    }
  });
});
