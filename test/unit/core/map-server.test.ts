import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import { Counters } from '../../../src/core/counters.js';
import { MapServer, mergedLocators } from '../../../src/core/roles/map-server.js';
import type { SiteSpec } from '../../../src/core/roles/sites.js';
import {
  formatAddress as formatWireAddress,
  formatWirePrefix,
  mapNotify,
  mapRegister,
  verifyMessage,
  type MapRegister,
  type MappingRecord,
} from '../../../src/packet/index.js';
import { formatPrefix, parsePrefix } from '../../../src/table/index.js';
import { record, register } from '../../helpers/registers.js';

const siteA: SiteSpec = {
  name: 'site-a',
  keys: [
    { keyId: 0, key: 'a-secret', algorithm: 'sha256' },
    { keyId: 1, key: 'a-old', algorithm: 'sha1' },
  ],
  prefixes: [{ prefix: parsePrefix('198.18.1.0/24'), acceptMoreSpecifics: false }],
};
const siteB: SiteSpec = {
  name: 'site-b',
  keys: [{ keyId: 0, key: 'b-secret', algorithm: 'sha256' }],
  prefixes: [
    { prefix: parsePrefix('198.18.16.0/20'), acceptMoreSpecifics: true },
    { prefix: parsePrefix('[7]2001:db8:b::/48'), acceptMoreSpecifics: false },
  ],
};

function setup() {
  const clock = new FakeClock();
  const counters = new Counters();
  const ms = new MapServer({ clock, counters, sites: [siteA, siteB] });
  return { clock, counters, ms };
}

/** A signed Map-Register, as the Map-Server gets it: decoded from its bytes. */
function signedRegister(records: MappingRecord[], key: string, o: Partial<MapRegister> = {}) {
  const { bytes } = register(records, key, o);
  return { bytes, m: mapRegister.decode(bytes).value };
}

const from = { address: '198.51.100.10', port: 4342 };

test('a Map-Register signed with the site key (SHA-256 or SHA-1) is accepted and acknowledged with a signed Map-Notify', () => {
  const { ms, counters } = setup();
  const r = signedRegister([record('198.18.1.0/24', ['198.51.100.10'])], 'a-secret');
  const out = ms.register(r.bytes, r.m, from);
  assert.ok(out.ok);
  assert.equal(out.site, 'site-a');
  const notify = mapNotify.decode(out.notify!).value;
  assert.equal(notify.nonce, 5n);
  assert.ok(verifyMessage(out.notify!, 'a-secret'));
  assert.deepEqual(notify.records, r.m.records);
  const sha1 = signedRegister([record('198.18.1.0/24', ['198.51.100.11'])], 'a-old', { keyId: 1, algorithmId: 1, wantMapNotify: false });
  const out1 = ms.register(sha1.bytes, sha1.m, { address: '198.51.100.11', port: 4342 });
  assert.ok(out1.ok && out1.notify === undefined);
  assert.equal(counters.get('map-register.accepted'), 2);
  // Two ETRs (by source address) of one site merge into one locator-set.
  const [reg] = ms.registrations();
  assert.deepEqual(mergedLocators(reg!).map((l) => formatWirePrefix(l.address, 32)), ['198.51.100.10/32', '198.51.100.11/32']);
});

test('a wrong key, an unknown key-id and a prefix outside the site are rejected, counted, and change nothing (records of another site: see per-record refusal below)', () => {
  const { ms, counters } = setup();
  const cases: [ReturnType<typeof signedRegister>, string][] = [
    [signedRegister([record('198.18.1.0/24', ['198.51.100.10'])], 'not-the-key'), 'auth-failed'],
    [signedRegister([record('198.18.1.0/24', ['198.51.100.10'])], 'a-secret', { keyId: 9 }), 'unknown-key'],
    [signedRegister([record('198.18.2.0/24', ['198.51.100.10'])], 'a-secret'), 'prefix-not-allowed'],
    // site-a does not accept more-specifics
    [signedRegister([record('198.18.1.128/25', ['198.51.100.10'])], 'a-secret'), 'prefix-not-allowed'],
  ];
  for (const [r, reason] of cases) {
    const out = ms.register(r.bytes, r.m, from);
    assert.deepEqual(out.ok ? 'accepted' : out.reason, reason);
  }
  assert.deepEqual(counters.snapshot(), {
    'map-register.rejected.auth-failed': 1,
    'map-register.rejected.prefix-not-allowed': 2,
    'map-register.rejected.unknown-key': 1,
  });
  assert.deepEqual(ms.registrations(), []);
});

test('more-specifics are accepted where the site allows them, per instance-id', () => {
  const { ms } = setup();
  const r = signedRegister([record('198.18.17.0/24', ['203.0.113.1']), record('[7]2001:db8:b::/48', ['2001:db8::1'])], 'b-secret');
  const out = ms.register(r.bytes, r.m, from);
  assert.ok(out.ok, out.ok ? '' : out.detail);
  assert.deepEqual(ms.registrations().map((x) => formatPrefix(x.prefix)), ['198.18.17.0/24', '[7]2001:db8:b::/48']);
});

test('registrations expire 3 minutes after the last refresh, per ETR', () => {
  const { ms, clock, counters } = setup();
  const r = signedRegister([record('198.18.1.0/24', ['198.51.100.10'])], 'a-secret');
  ms.register(r.bytes, r.m, from);
  clock.advance(120_000);
  ms.register(r.bytes, r.m, from); // refresh
  clock.advance(179_999);
  assert.equal(ms.registrations().length, 1);
  clock.advance(1);
  assert.deepEqual(ms.registrations(), []);
  assert.equal(counters.get('registration.expired'), 1);
});

test('with the T bit the record TTL is the registration lifetime', () => {
  const { ms, clock } = setup();
  const r = signedRegister([record('198.18.1.0/24', ['198.51.100.10'], 10)], 'a-secret', { useTtl: true });
  ms.register(r.bytes, r.m, from);
  clock.advance(599_999);
  assert.equal(ms.registrations().length, 1);
  clock.advance(1);
  assert.equal(ms.registrations().length, 0);
});

test('resolve: the longest match with its registered more-specifics, or negative answers', () => {
  const { ms } = setup();
  for (const p of ['198.18.16.0/20', '198.18.17.0/24', '198.18.18.0/24', '198.18.17.128/25']) {
    const r = signedRegister([record(p, ['203.0.113.1'])], 'b-secret');
    assert.ok(ms.register(r.bytes, r.m, from).ok);
  }
  const names = (eid: string) => {
    const x = ms.resolve(parsePrefix(eid));
    return x.kind === 'registered' ? x.registrations.map((r) => formatPrefix(r.prefix)) : `${x.kind} ${formatPrefix(x.prefix)}`;
  };
  assert.deepEqual(names('198.18.17.200'), ['198.18.17.128/25']);
  assert.deepEqual(names('198.18.17.5'), ['198.18.17.0/24', '198.18.17.128/25']);
  assert.deepEqual(names('198.18.20.1'), ['198.18.16.0/20', '198.18.17.0/24', '198.18.17.128/25', '198.18.18.0/24']);
  assert.equal(names('198.18.1.9'), 'unregistered 198.18.1.0/24');
  assert.equal(names('198.18.64.1'), 'not-eid 198.18.64.0/18');
  // 192.0.2.1 and 198.18.0.0 share their first 5 bits.
  assert.equal(names('192.0.2.1'), 'not-eid 192.0.0.0/6');
  assert.equal(names('[9]198.18.1.1'), 'not-eid [9]0.0.0.0/0');
});

test('with check-nonce true (strict), a Map-Register whose nonce does not grow is refused as a possible replay', () => {
  const clock = new FakeClock();
  const counters = new Counters();
  const ms = new MapServer({ clock, counters, sites: [{ ...siteA, nonceCheck: 'strict' }, siteB] });
  const reg = (nonce: bigint) => signedRegister([record('198.18.1.0/24', ['198.51.100.10'])], 'a-secret', { nonce });
  const send = (nonce: bigint) => {
    const r = reg(nonce);
    const out = ms.register(r.bytes, r.m, from);
    return out.ok ? 'accepted' : out.reason;
  };
  assert.deepEqual([send(10n), send(11n), send(11n), send(3n), send(12n)], ['accepted', 'accepted', 'replayed-nonce', 'replayed-nonce', 'accepted']);
  assert.equal(counters.get('map-register.rejected.replayed-nonce'), 2);
  // From another source address, the same bytes are still a replay.
  const old = reg(11n);
  assert.equal(ms.register(old.bytes, old.m, { address: '203.0.113.66', port: 4342 }).ok, false);
  // By default (auto, site-b), the same bytes twice are accepted: they repeat the state (LISPmob sends 0, Cisco random nonces).
  const b = signedRegister([record('198.18.16.0/24', ['203.0.113.1'])], 'b-secret', { nonce: 0n });
  assert.ok(ms.register(b.bytes, b.m, from).ok);
  assert.ok(ms.register(b.bytes, b.m, from).ok);
});

test('forged Map-Registers: no 1-, 2- or 12-byte auth value registers anything (every 1- and 2-byte value tried)', () => {
  const { ms, counters } = setup();
  const { bytes } = register([record('198.18.1.0/24', ['203.0.113.66'])], 'not-the-key');
  const forge = (auth: Buffer) => {
    const out = Buffer.concat([bytes.subarray(0, 16), auth, bytes.subarray(16 + 32)]);
    out.writeUInt16BE(auth.length, 14);
    return out;
  };
  let tried = 0;
  for (const n of [1, 2]) {
    const auth = Buffer.alloc(n);
    for (let v = 0; v < 256 ** n; v++, tried++) {
      auth.writeUIntBE(v, 0, n);
      const forged = forge(auth);
      assert.equal(ms.register(forged, mapRegister.decode(forged).value, from).ok, false);
    }
  }
  for (let i = 0; i < 4096; i++, tried++) {
    const forged = forge(Buffer.from(Array.from({ length: 12 }, (_, j) => (i * 31 + j * 7) & 0xff)));
    assert.equal(ms.register(forged, mapRegister.decode(forged).value, from).ok, false);
  }
  assert.equal(ms.registrations().length, 0);
  assert.equal(counters.get('map-register.rejected.auth-failed'), tried);
});

describe('replay protection by default (check-nonce auto)', () => {
  const attacker = { address: '203.0.113.66', port: 40_000 };
  const reg = (rloc: string, nonce: bigint, o: Partial<MapRegister> = {}) => signedRegister([record('198.18.16.0/24', [rloc])], 'b-secret', { nonce, ...o });
  const rlocOf = (ms: MapServer) => ms.registrations().flatMap((r) => mergedLocators(r).map((l) => formatWireAddress(l.address)));

  test('random nonces (OOR, Cisco): a replayed earlier Map-Register cannot roll the mapping back, from any address', () => {
    const { ms } = setup();
    const a = reg('192.0.2.1', 0x9e3779b97f4a7c15n);
    const b = reg('192.0.2.2', 0x1234n);
    assert.ok(ms.register(a.bytes, a.m, from).ok);
    assert.ok(ms.register(b.bytes, b.m, from).ok);
    for (const source of [attacker, from]) {
      const replay = ms.register(a.bytes, a.m, source);
      assert.ok(!replay.ok && replay.reason === 'replayed-nonce', `from ${source.address}`);
    }
    assert.deepEqual(rlocOf(ms), ['192.0.2.2']);
    // The current one repeated is a refresh.
    assert.ok(ms.register(b.bytes, b.m, from).ok);
  });

  test('a fixed nonce (lispers.net, LISPmob 0): refreshes and changes pass, an old change repeated does not', () => {
    const { ms } = setup();
    const a = reg('192.0.2.1', 0n);
    const b = reg('192.0.2.2', 0n);
    for (const r of [a, a, b, b]) assert.ok(ms.register(r.bytes, r.m, from).ok);
    assert.equal(ms.register(a.bytes, a.m, from).ok, false);
    assert.deepEqual(rlocOf(ms), ['192.0.2.2']);
  });

  test('growing nonces (Loci): after three growths, a lower nonce is refused even when it repeats the state', () => {
    const { ms } = setup();
    const sent = [100n, 101n, 102n, 103n].map((n) => reg('192.0.2.1', n));
    for (const r of sent) assert.ok(ms.register(r.bytes, r.m, from).ok);
    const replay = ms.register(sent[1]!.bytes, sent[1]!.m, from);
    assert.ok(!replay.ok && replay.reason === 'replayed-nonce');
  });

  test('a withdrawal (record TTL 0) removes the ETR\'s registration; the old registration replayed does not bring it back', () => {
    const { ms, counters } = setup();
    const a = reg('192.0.2.1', 7n);
    assert.ok(ms.register(a.bytes, a.m, from).ok);
    const w = signedRegister([record('198.18.16.0/24', ['192.0.2.1'], 0)], 'b-secret', { nonce: 8n });
    const out = ms.register(w.bytes, w.m, from);
    assert.ok(out.ok);
    assert.equal(ms.registrations().length, 0);
    assert.equal(counters.get('registration.withdrawn'), 1);
    assert.equal(ms.register(a.bytes, a.m, attacker).ok, false);
    assert.equal(ms.registrations().length, 0);
  });
});

describe('merging the ETRs of a prefix (docs/architecture.md, "Registrations")', () => {
  const prefix = '198.18.1.0/24';
  const at = (address: string) => ({ address, port: 4342 });
  const reg = (rloc: string, o: Partial<MapRegister> = {}) => signedRegister([record(prefix, [rloc])], 'a-secret', { nonce: 0x5eedn, ...o });
  const view = (ms: MapServer) => ms.registrations().flatMap((r) => [...r.etrs.values()].map((e) => `${e.id} from ${e.source.address}: ${e.record.locators.map((l) => formatWireAddress(l.address)).join(' ')}`));
  const forwardedTo = (ms: MapServer) => {
    const res = ms.resolve(parsePrefix('198.18.1.7/32'));
    return res.kind === 'registered' ? [...res.registrations[0]!.etrs.values()][0]!.source.address : res.kind;
  };

  test('without an xTR-ID, a Map-Register of the same site and Key ID from a new address replaces the old registration (an OOR ETR whose RLOC changed)', () => {
    const { ms, counters } = setup();
    assert.ok(ms.register(...args(reg('198.51.100.1', { nonce: 0x1111n }), at('198.51.100.1'))).ok);
    assert.ok(ms.register(...args(reg('198.51.100.2', { nonce: 0x2222n }), at('198.51.100.2'))).ok);
    assert.deepEqual(view(ms), ['198.51.100.2 from 198.51.100.2: 198.51.100.2']);
    assert.equal(forwardedTo(ms), '198.51.100.2', 'Map-Requests go to the ETR where it is now');
    assert.equal(counters.get('registration.replaced'), 1);
    // The old address's Map-Register, replayed from there, cannot bring the dead RLOC back.
    const old = reg('198.51.100.1', { nonce: 0x1111n });
    const replay = ms.register(old.bytes, old.m, at('198.51.100.1'));
    assert.ok(!replay.ok && replay.reason === 'replayed-nonce');
    assert.deepEqual(view(ms), ['198.51.100.2 from 198.51.100.2: 198.51.100.2']);
    // A withdrawal from the new address takes back the one registration.
    const w = signedRegister([record(prefix, ['198.51.100.2'], 0)], 'a-secret', { nonce: 0x3333n });
    assert.ok(ms.register(w.bytes, w.m, at('198.51.100.2')).ok);
    assert.deepEqual(ms.registrations(), []);
  });

  test('without an xTR-ID, ETRs registering with different Key IDs merge', () => {
    const { ms } = setup();
    assert.ok(ms.register(...args(reg('198.51.100.1'), at('198.51.100.1'))).ok);
    const sha1 = signedRegister([record(prefix, ['198.51.100.2'])], 'a-old', { keyId: 1, algorithmId: 1 });
    assert.ok(ms.register(sha1.bytes, sha1.m, at('198.51.100.2')).ok);
    assert.deepEqual(view(ms), ['198.51.100.1 from 198.51.100.1: 198.51.100.1', '198.51.100.2 from 198.51.100.2: 198.51.100.2']);
  });

  test('with xTR-IDs, each xTR-ID is one ETR: two merge, and one that moves replaces only its own registration; an ETR without xTR-ID stays', () => {
    const { ms, counters } = setup();
    const x1 = { xtrId: 0x11n, siteId: 7n };
    const x2 = { xtrId: 0x22n, siteId: 7n };
    assert.ok(ms.register(...args(reg('198.51.100.1', x1), at('198.51.100.1'))).ok);
    assert.ok(ms.register(...args(reg('198.51.100.2', x2), at('198.51.100.2'))).ok);
    assert.ok(ms.register(...args(reg('198.51.100.3'), at('198.51.100.3'))).ok);
    assert.ok(ms.register(...args(reg('198.51.100.4', { ...x1, nonce: 0x5eeen }), at('198.51.100.4'))).ok);
    assert.deepEqual(view(ms), [
      '00000000000000000000000000000011 from 198.51.100.4: 198.51.100.4',
      '00000000000000000000000000000022 from 198.51.100.2: 198.51.100.2',
      '198.51.100.3 from 198.51.100.3: 198.51.100.3',
    ]);
    assert.equal(counters.get('registration.replaced'), 0, 'an xTR-ID keeps its own key: nothing else is replaced');
  });
});

const args = (r: ReturnType<typeof signedRegister>, source: { address: string; port: number }) => [r.bytes, r.m, source] as const;

test('one prefix a site may not register is refused alone: the others register, the Map-Notify lists only them', () => {
  const { ms, counters } = setup();
  const r = signedRegister([record('198.18.16.0/24', ['192.0.2.1']), record('198.18.99.0/24', ['192.0.2.1']), record('198.18.1.0/24', ['192.0.2.1'])], 'b-secret');
  const out = ms.register(r.bytes, r.m, from);
  assert.ok(out.ok);
  assert.deepEqual(out.prefixes.map(formatPrefix), ['198.18.16.0/24']);
  assert.deepEqual(out.refused, [
    { prefix: '198.18.99.0/24', reason: 'prefix-not-allowed' },
    { prefix: '198.18.1.0/24', reason: 'mixed-sites' },
  ]);
  assert.deepEqual(mapNotify.decode(out.notify!).value.records.map((x) => x.maskLen), [24]);
  assert.equal(mapNotify.decode(out.notify!).value.records.length, 1);
  assert.equal(counters.get('map-register.record-rejected.prefix-not-allowed'), 1);
  assert.equal(counters.get('map-register.record-rejected.mixed-sites'), 1);
  assert.equal(ms.registrations().length, 1);
});

test('a Map-Register with the T bit cannot ask for more than 24 hours', () => {
  const { ms, clock } = setup();
  const r = signedRegister([record('198.18.16.0/24', ['192.0.2.1'], 0xffffffff)], 'b-secret', { useTtl: true });
  assert.ok(ms.register(r.bytes, r.m, from).ok);
  assert.equal(ms.registrations()[0]!.etrs.values().next().value!.expiresAt, clock.now() + 86_400_000);
});

test('a prefix belongs to one site: adding it to another is refused and changes nothing; replacing all sites is all or nothing', () => {
  const { ms } = setup();
  const clash: SiteSpec = { name: 'site-c', keys: [{ keyId: 0, key: 'c', algorithm: 'sha256' }], prefixes: [{ prefix: parsePrefix('198.18.1.0/24'), acceptMoreSpecifics: false }] };
  assert.throws(() => ms.sites.set(clash), /already a prefix of site site-a/);
  assert.throws(() => ms.sites.replaceAll([siteA, siteB, clash]), /already a prefix of site site-a/);
  assert.deepEqual(ms.sites.list().map((s) => s.name), ['site-a', 'site-b']);
  const r = signedRegister([record('198.18.1.0/24', ['198.51.100.10'])], 'a-secret');
  assert.ok(ms.register(r.bytes, r.m, from).ok, 'site-a still registers its prefix');
  // The prefix moves from site-a to site-c in one step.
  ms.sites.replaceAll([siteB, clash]);
  assert.equal(ms.sites.siteFor(parsePrefix('198.18.1.0/24'))?.name, 'site-c');
});

test('the registered prefixes are bounded: past the limit, records for new prefixes are refused and counted', () => {
  const clock = new FakeClock();
  const counters = new Counters();
  const ms = new MapServer({ clock, counters, sites: [siteB], maxPrefixes: 3 });
  const r = signedRegister(['198.18.16.0/24', '198.18.17.0/24', '198.18.18.0/24', '198.18.19.0/24'].map((p) => record(p, ['192.0.2.1'])), 'b-secret');
  const out = ms.register(r.bytes, r.m, from);
  assert.ok(out.ok);
  assert.deepEqual(out.refused, [{ prefix: '198.18.19.0/24', reason: 'table-full' }]);
  assert.equal(mapNotify.decode(out.notify!).value.records.length, 3);
  assert.equal(counters.get('map-register.record-rejected.table-full'), 1);
  clock.advance(180_000);
  assert.equal(ms.registrations().length, 0);
  const again = ms.register(r.bytes, r.m, from);
  assert.ok(again.ok && again.refused.length === 1, 'expired prefixes free their places');
});
