// A site key's algorithms, from the config file to the Map-Server: by default a site accepts a
// Map-Register signed with its key in HMAC-SHA-1 (all Open Overlay Router can send) or HMAC-SHA-256,
// each verified in full, and answers in the algorithm it was asked in; a key that names its
// algorithm accepts only that one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/index.js';
import { FakeClock } from '../../../src/core/clock.js';
import { Counters } from '../../../src/core/counters.js';
import { MapServer } from '../../../src/core/roles/map-server.js';
import { siteOf } from '../../../src/daemon/node-options.js';
import { mapNotify, mapRegister, verifyMessage } from '../../../src/packet/index.js';
import { record, register } from '../../helpers/registers.js';

const msWith = (siteKey: string) => {
  const c = parseConfig(`name: ms\nroles: [ms]\nlisten: [192.0.2.10]\nsites:\n  - { name: a, ${siteKey}, eid-prefixes: [198.18.1.0/24] }\n`, 'ms.yaml');
  const counters = new Counters();
  return { ms: new MapServer({ clock: new FakeClock(), counters, sites: c.sites.map(siteOf) }), counters };
};

const from = { address: '198.51.100.10', port: 4342 };
const signed = (key: string, algorithmId: number) => {
  const { bytes } = register([record('198.18.1.0/24', ['198.51.100.10'])], key, { algorithmId });
  return { bytes, m: mapRegister.decode(bytes).value };
};

test('a site key accepts HMAC-SHA-1 and HMAC-SHA-256 by default, and signs the Map-Notify in the algorithm of the Map-Register', () => {
  const { ms, counters } = msWith('key: a-secret');
  for (const algorithmId of [1, 2]) {
    const r = signed('a-secret', algorithmId);
    const out = ms.register(r.bytes, r.m, from);
    assert.ok(out.ok, `algorithm ${algorithmId}: ${out.ok ? '' : out.detail}`);
    const notify = mapNotify.decode(out.notify!).value;
    assert.equal(notify.algorithmId, algorithmId);
    assert.equal(notify.authData.length, algorithmId === 1 ? 20 : 32, 'the full HMAC');
    assert.ok(verifyMessage(out.notify!, 'a-secret'));
  }
  assert.equal(counters.get('map-register.accepted'), 2);
});

test('every algorithm verifies fully: a wrong key, or a SHA-1 HMAC cut to 12 bytes, is refused under the default', () => {
  const { ms, counters } = msWith('key: a-secret');
  for (const algorithmId of [1, 2]) {
    const r = signed('not-a-secret', algorithmId);
    assert.deepEqual(ms.register(r.bytes, r.m, from), { ok: false, reason: 'auth-failed', detail: "authentication data does not verify with site a's key 0" });
  }
  // The HMAC-SHA-1-96 length (RFC 9301's name) needs truncated-hmac on the key.
  const full = signed('a-secret', 1);
  const cut = Buffer.concat([full.bytes.subarray(0, 14), Buffer.from([0, 12]), full.bytes.subarray(16, 28), full.bytes.subarray(36)]);
  assert.equal(ms.register(cut, mapRegister.decode(cut).value, from).ok, false);
  assert.equal(counters.get('map-register.rejected.auth-failed'), 3);
});

test('a key that names its algorithm accepts only that one', () => {
  for (const [siteKey, accepted] of [
    ['key: a-secret, algorithm: sha256', [2]],
    ['key: a-secret, algorithm: sha1', [1]],
    ['keys: [{ key: a-secret, algorithms: [sha256] }]', [2]],
    ['keys: [{ key: a-secret, algorithms: [sha1, sha256] }]', [1, 2]],
  ] as const) {
    const { ms } = msWith(siteKey);
    for (const algorithmId of [1, 2]) {
      const r = signed('a-secret', algorithmId);
      const out = ms.register(r.bytes, r.m, from);
      assert.equal(out.ok, (accepted as readonly number[]).includes(algorithmId), `${siteKey}, algorithm ${algorithmId}`);
      if (!out.ok) assert.equal(out.reason, 'unknown-key');
    }
  }
});
