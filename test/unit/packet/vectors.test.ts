// Known vectors (interop-notes.md section 8, lcaf-afi.md section 5.2), address text
// edge cases, and the encode and decode error tables.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { udpDatagrams } from '../../../src/capture/index.js';
import {
  address,
  dataHeader,
  decodeMessage,
  LispDecodeError,
  LispError,
  mapNotify,
  mapRegister,
  mapReply,
  mapRequest,
  message,
  sharedExtension,
  ecm,
  verifyMessage,
  type Address,
  type Ecm,
  type LispMessage,
  type LocatorRecord,
  type MapNotify,
  type MapRegister,
  type MapReply,
  type MapRequest,
  type MappingRecord,
} from '../../../src/packet/index.js';
import { formatIpv6, writeIpv4, writeIpv6 } from '../../../src/packet/ip-address.js';
import { capturesDir } from '../../helpers/vectors.js';
import { assertRoundTrip } from '../../helpers/roundtrip.js';
import * as arb from './arbitraries.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decoded(buf: Buffer): LispMessage {
  const d = decodeMessage(buf);
  if (d instanceof LispDecodeError) assert.fail(d.message);
  assert.equal(d.bytes, buf.length);
  assert.deepStrictEqual(message.encode(d.value), buf, 're-encodes to the same bytes');
  assertRoundTrip(message, d.value);
  return d.value;
}

const capturePayloads = (file: string): Buffer[] => udpDatagrams(readFileSync(join(capturesDir, file))).map((d) => d.payload);

describe('interop vectors (interop-notes.md section 8)', () => {
  const register = hex(`32001102 c4218228892d20a4 0001 0014 4bbb9614a67a86040407799545371906836cd1d6
    000005a0 01 20 1000 0000 0001 0a1e0164  01 64 01 64 0000 0001 141408fd
    000005a0 01 20 1000 0000 0001 0a1e0160  01 64 01 64 0000 0001 141408fc
    9787ad753caf58a713fa6920e6d27a8f 0000000000000000`);

  it('Map-Register from tcpdump lisp_eid_register.pcap', () => {
    assert.equal(register.length, 116);
    const m = decoded(register) as MapRegister;
    assert.equal(m.type, 'map-register');
    assert.equal(m.xtrId, 0x9787ad753caf58a713fa6920e6d27a8fn);
    assert.equal(m.siteId, 0n);
    assert.equal(m.eidNotify, true);
    assert.equal(m.wantMapNotify, true);
    assert.equal(m.proxyReply || m.securityCapable || m.rtr || m.useTtl || m.merge || m.mobileNode, false);
    assert.equal(m.reservedFlags, undefined);
    assert.equal(m.nonce, 0xc4218228892d20a4n);
    assert.equal(m.keyId, 0);
    assert.equal(m.algorithmId, 1);
    assert.equal(m.authData.length, 20);
    assert.equal(m.records.length, 2);
    const [r1, r2] = m.records as [MappingRecord, MappingRecord];
    assert.deepStrictEqual(
      { ttl: r1.ttl, maskLen: r1.maskLen, act: r1.act, authoritative: r1.authoritative, mapVersion: r1.mapVersion, eid: r1.eid },
      { ttl: 1440, maskLen: 32, act: 0, authoritative: true, mapVersion: 0, eid: { afi: 'ipv4', address: '10.30.1.100' } },
    );
    const rloc: LocatorRecord = {
      priority: 1,
      weight: 100,
      mPriority: 1,
      mWeight: 100,
      local: false,
      probed: false,
      reachable: false,
      address: { afi: 'ipv4', address: '20.20.8.253' },
    };
    assert.deepStrictEqual(r1.locators, [rloc]);
    assert.deepStrictEqual(r2.eid, { afi: 'ipv4', address: '10.30.1.96' });
    assert.deepStrictEqual(r2.locators, [{ ...rloc, address: { afi: 'ipv4', address: '20.20.8.252' } }]);
  });

  it('the same Map-Register in the capture file', () => {
    assert.deepStrictEqual(capturePayloads('tcpdump-lisp_eid_register.pcap')[0], register);
  });

  it('Map-Notify from tcpdump lisp_eid_notify.pcap (bit 23 kept as reserved)', () => {
    const payload = capturePayloads('tcpdump-lisp_eid_notify.pcap')[0]!;
    assert.deepStrictEqual(payload.subarray(0, 16), hex('40000103 c4218228892d20a4 0001 0014'));
    const m = decoded(payload) as MapNotify;
    assert.equal(m.type, 'map-notify');
    assert.equal(m.reservedFlags, 0x100);
    assert.equal(m.records.length, 3);
    assert.equal(m.nonce, 0xc4218228892d20a4n);
    assert.equal(m.xtrId, undefined);
  });

  it('lispers.net Map-Notify: the xTR-ID and site-ID of the Map-Register follow the records with the I bit clear; HMAC over all of it', () => {
    // Live: a lispers.net Map-Server (site key "loci-secret", authentication-type sha2) acknowledging a
    // Map-Register with the I bit from 198.51.100.17 for 198.18.2.0/24 (test/interop; docs/interop.md).
    const notify = hex(`40000001 0123456789abcdef 0002 0020 26fa83deacd7f12ac83d882d6b36a73352831bcad02d04917fa29648a87712c1
      000005a0 01 18 1000 0000 0001 c6120200 01 64 ff 00 0005 0001 c6336411
      20010db8000000000000000000000011 0000000000000007`);
    const m = decoded(notify) as MapNotify;
    assert.equal(m.type, 'map-notify');
    assert.equal(m.xtrIdUnflagged, true);
    assert.equal(m.xtrId, 0x20010db8000000000000000000000011n);
    assert.equal(m.siteId, 7n);
    assert.deepStrictEqual(m.records[0]?.eid, { afi: 'ipv4', address: '198.18.2.0' });
    assert.ok(verifyMessage(notify, 'loci-secret'), 'lispers.net signs the whole message, the xTR-ID and site-ID included');
    // Without the flag it is an ordinary Map-Notify with the I bit.
    const { xtrIdUnflagged: _, ...flagged } = m;
    assert.equal(message.encode(flagged).readUInt32BE(0), 0x48000001);
  });

  it('IPv6 EID-prefix with mask 80 from tcpdump lisp_ipv6.pcap', () => {
    const payload = capturePayloads('tcpdump-lisp_ipv6.pcap')[0]!;
    assert.deepStrictEqual(payload.subarray(36, 64), hex('000005a0 01 50 1000 0000 0002 20010db885a3000000008a2e03707334'));
    const m = decoded(payload) as MapRegister;
    assert.equal(m.records[0]?.maskLen, 80);
    assert.deepStrictEqual(m.records[0]?.eid, { afi: 'ipv6', address: '2001:db8:85a3::8a2e:370:7334' });
  });

  it('Instance-ID LCAF (lcaf-afi.md section 5.2): IID 5, 10.1.0.0', () => {
    const bytes = hex('4003 0000 0200 000a 00000005 0001 0a010000');
    const d = address.decode(bytes);
    assert.equal(d.bytes, bytes.length);
    assert.deepStrictEqual(d.value, {
      afi: 'lcaf',
      lcaf: { type: 'instance-id', instanceId: 5, maskLen: 0, address: { afi: 'ipv4', address: '10.1.0.0' } },
    });
    assert.deepStrictEqual(assertRoundTrip(address, d.value), bytes);
  });
});

describe('address text', () => {
  const v6 = (s: string) => {
    const b = Buffer.alloc(16);
    writeIpv6(s, b, 0);
    return formatIpv6(b, 0);
  };

  it('formats IPv6 per RFC 5952', () => {
    const cases: [string, string][] = [
      ['0000:0000:0000:0000:0000:0000:0000:0000', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['1:0:0:0:0:0:0:0', '1::'],
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // one zero group stays
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run
      ['0:0:0:0:0:0:0:ffff', '::ffff'],
      ['0:0:0:0:0:ffff:c000:0201', '::ffff:192.0.2.1'], // IPv4-mapped keeps its dotted tail
      ['::ffff:0:0', '::ffff:0.0.0.0'],
      ['::c000:201', '::c000:201'], // IPv4-compatible is plain hex
      ['2001:db8::198.51.100.1', '2001:db8::c633:6401'],
      ['2001:db8:1:2:3:4:5::', '2001:db8:1:2:3:4:5:0'],
    ];
    for (const [input, text] of cases) assert.equal(v6(input), text, input);
  });

  it('rejects malformed IPv6 and IPv4 text with ERR_LISP_ENCODE', () => {
    const bad6 = ['', ':::', '1::2::3', '2001:db8:::1', ':1::', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '12345::', 'g::', '::ffff:192.0.2.256', '192.0.2.1'];
    for (const s of bad6) assert.throws(() => writeIpv6(s, Buffer.alloc(16), 0), encodeError, s);
    const bad4 = ['', '192.0.2', '192.0.2.1.5', '192.0.2.256', '192.0.2.-1', '192.0.2.', 'a.b.c.d', '192.0.2.1 ', '0x1.0.0.0', '1000.0.0.1'];
    for (const s of bad4) assert.throws(() => writeIpv4(s, Buffer.alloc(4), 0), encodeError, s);
  });

  it('IPv4 and MAC text normalise through the address codec', () => {
    const roundTrip = (a: Address) => address.decode(address.encode(a)).value;
    assert.deepStrictEqual(roundTrip({ afi: 'ipv4', address: '255.255.255.255' }), { afi: 'ipv4', address: '255.255.255.255' });
    assert.deepStrictEqual(roundTrip({ afi: 'ipv4', address: '0.0.0.0' }), { afi: 'ipv4', address: '0.0.0.0' });
    assert.deepStrictEqual(roundTrip({ afi: 'mac', address: '00-1B-2C-3D-4E-5F' }), { afi: 'mac', address: '00:1b:2c:3d:4e:5f' });
  });
});

// ---- encode errors

const encodeError = (e: unknown): boolean => e instanceof LispError && e.code === 'ERR_LISP_ENCODE';

const rloc = (last: number): Address => ({ afi: 'ipv4', address: `192.0.2.${last}` });
const eid: Address = { afi: 'ipv4', address: '198.18.0.0' };
const loc: LocatorRecord = { priority: 1, weight: 100, mPriority: 255, mWeight: 0, local: true, probed: false, reachable: true, address: rloc(1) };
const record: MappingRecord = { ttl: 1440, maskLen: 24, eid, act: 0, authoritative: true, mapVersion: 0, locators: [loc] };

const request: MapRequest = {
  type: 'map-request',
  authoritative: false,
  probe: false,
  smr: false,
  pitr: false,
  smrInvoked: false,
  mobileNode: false,
  localXtr: false,
  dontMapReply: false,
  nonce: 1n,
  sourceEid: { afi: 'none' },
  itrRlocs: [rloc(1)],
  records: [{ notify: false, maskLen: 32, eid: { afi: 'ipv4', address: '198.18.0.1' } }],
};
const reply: MapReply = { type: 'map-reply', probe: false, echoNonceCapable: false, nonce: 1n, records: [record] };
const auth = { nonce: 1n, keyId: 0, algorithmId: 1, authData: Buffer.alloc(20) };
const registerMsg: MapRegister = {
  type: 'map-register',
  proxyReply: false,
  securityCapable: false,
  rtr: false,
  eidNotify: false,
  useTtl: false,
  merge: false,
  mobileNode: false,
  wantMapNotify: true,
  ...auth,
  records: [record],
};
const notify: MapNotify = { type: 'map-notify', rtr: false, ...auth, records: [record] };

const dataHeaderZero = { n: false, l: false, e: false, v: false, i: false, p: false, kk: 0, nonce: 0, sourceMapVersion: 0, destMapVersion: 0, instanceId: 0, lsb: 0 };
const ecmIp = {
  version: 4 as const,
  tos: 0,
  totalLength: 20 + 8 + mapRequest.encodingLength(request),
  identification: 1,
  flags: 0,
  fragmentOffset: 0,
  ttl: 64,
  checksum: 0x1234,
  src: '192.0.2.1',
  dst: '198.18.0.1',
};
const ecmMsg: Ecm = {
  type: 'ecm',
  ddt: false,
  forwardToEtr: false,
  toMapServer: false,
  rtr: false,
  relayed: false,
  ip: ecmIp,
  udp: { sport: 61000, dport: 4342, length: 8 + mapRequest.encodingLength(request), checksum: 0x4321 },
  message: request,
};

describe('encode errors (ERR_LISP_ENCODE)', () => {
  const withRecord = (r: Partial<MappingRecord>): MapReply => ({ ...reply, records: [{ ...record, ...r }] });
  const withLocator = (l: Partial<LocatorRecord>): MapReply => withRecord({ locators: [{ ...loc, ...l }] });
  const cases: [string, () => unknown][] = [
    ['33 ITR-RLOCs', () => mapRequest.encode({ ...request, itrRlocs: Array.from({ length: 33 }, (_, i) => rloc(i + 1)) })],
    ['no ITR-RLOC', () => mapRequest.encode({ ...request, itrRlocs: [] })],
    ['Map-Request reservedFlags outside the mask', () => mapRequest.encode({ ...request, reservedFlags: 0x00000100 })],
    ['Map-Request reservedFlags above 32 bits', () => mapRequest.encode({ ...request, reservedFlags: 2 ** 32 + 0x8000 })],
    ['Map-Request site-ID without xTR-ID', () => mapRequest.encode({ ...request, siteId: 1n })],
    ['xTR-ID of 129 bits', () => mapRequest.encode({ ...request, xtrId: 1n << 128n })],
    ['nonce of 2^64', () => mapRequest.encode({ ...request, nonce: 1n << 64n })],
    ['negative nonce', () => mapRequest.encode({ ...request, nonce: -1n })],
    ['request record mask-len 256', () => mapRequest.encode({ ...request, records: [{ notify: false, maskLen: 256, eid }] })],
    ['256 request records', () => mapRequest.encode({ ...request, records: Array.from({ length: 256 }, () => request.records[0]!) })],
    ['priority 256', () => mapReply.encode(withLocator({ priority: 256 }))],
    ['weight -1', () => mapReply.encode(withLocator({ weight: -1 }))],
    ['fractional M weight', () => mapReply.encode(withLocator({ mWeight: 1.5 }))],
    ['locator unused flags of 14 bits', () => mapReply.encode(withLocator({ unusedFlags: 0x2000 }))],
    ['ACT 8', () => mapReply.encode(withRecord({ act: 8 }))],
    ['map-version 4096', () => mapReply.encode(withRecord({ mapVersion: 4096 }))],
    ['record TTL 2^32', () => mapReply.encode(withRecord({ ttl: 2 ** 32 }))],
    ['256 locators', () => mapReply.encode(withRecord({ locators: Array.from({ length: 256 }, () => loc) }))],
    ['Map-Reply reservedFlags outside the mask', () => mapReply.encode({ ...reply, reservedFlags: 0x08000000 })],
    ['Map-Register reservedFlags outside the mask', () => mapRegister.encode({ ...registerMsg, reservedFlags: 0x00001000 })],
    ['Map-Register xTR-ID without site-ID', () => mapRegister.encode({ ...registerMsg, xtrId: 1n })],
    ['key ID 256', () => mapRegister.encode({ ...registerMsg, keyId: 256 })],
    ['MS-RTR auth without the R bit', () => mapNotify.encode({ ...notify, rtrAuth: { keyId: 1, authData: Buffer.alloc(20) } })],
    ['bad IPv4 text', () => address.encode({ afi: 'ipv4', address: '192.0.2.256' })],
    ['bad IPv6 text', () => address.encode({ afi: 'ipv6', address: '2001:db8::1::2' })],
    ['bad MAC text', () => address.encode({ afi: 'mac', address: '00:1b:2c:3d:4e' })],
    ['distinguished name with NUL', () => address.encode({ afi: 'dn', name: 'a\0b' })],
    ['distinguished name outside Latin-1', () => address.encode({ afi: 'dn', name: 'Ł' })],
    ['JSON LCAF text with the B bit in rsvd2', () => address.encode({ afi: 'lcaf', lcaf: { type: 'json', rsvd2: 1, json: '{}', address: eid } })],
    ['opaque LCAF with a decoded type number', () => address.encode({ afi: 'lcaf', lcaf: { type: 'opaque', lcafType: 2, body: Buffer.alloc(4) } })],
    ['instance-id 2^32', () => address.encode({ afi: 'lcaf', lcaf: { type: 'instance-id', instanceId: 2 ** 32, maskLen: 0, address: eid } })],
    ['LCAF type 256', () => address.encode({ afi: 'lcaf', lcaf: { type: 'opaque', lcafType: 256, body: Buffer.alloc(0) } })],
    ['LCAF body over 65535 bytes', () => address.encode({ afi: 'lcaf', lcaf: { type: 'opaque', lcafType: 3, body: Buffer.alloc(65536) } })],
    ['ELP hop reserved of 14 bits', () =>
      address.encode({ afi: 'lcaf', lcaf: { type: 'elp', hops: [{ lookup: false, probe: false, strict: true, reserved: 0x2000, address: eid }] } })],
    ['sub-type 4096', () => sharedExtension.encode({ type: 'shared-extension', subType: 4096, body: Buffer.alloc(0) })],
    ['data header nonce 2^24', () => dataHeader.encode({ ...dataHeaderZero, n: true, nonce: 2 ** 24 })],
    ['data header KK 4', () => dataHeader.encode({ ...dataHeaderZero, kk: 4 })],
    ['data header instance-id 2^24', () => dataHeader.encode({ ...dataHeaderZero, i: true, instanceId: 2 ** 24 })],
    ['IPv4 options not a multiple of 4', () => ecm.encode({ ...ecmMsg, ip: { ...ecmIp, options: Buffer.alloc(6) } })],
    ['ECM reservedFlags outside the mask', () => ecm.encode({ ...ecmMsg, reservedFlags: 0x08000000 })],
    ['buffer too small', () => mapReply.encode(reply, Buffer.alloc(20))],
    ['buffer too small at the offset', () => mapReply.encode(reply, Buffer.alloc(mapReply.encodingLength(reply)), 1)],
  ];
  for (const [name, encode] of cases) it(name, () => assert.throws(encode, encodeError));

  it('the valid values these cases start from encode', () => {
    for (const m of [request, reply, registerMsg, notify, ecmMsg]) assertRoundTrip(message, m);
    assertRoundTrip(dataHeader, dataHeaderZero);
  });
});

// ---- decode errors

const NONCE = '0102030405060708';
const IPV4_UDP_HEADER = '45000030 0001 0000 40 11 0000 c0000201 c6120001  d2f0 10f6 001c 0000';

/** AFI-list LCAFs nested n deep, innermost empty. */
function nestedAfiLists(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s = `4003 00 00 01 00 ${(s.length / 2).toString(16).padStart(4, '0')} ${s}`.replace(/\s+/g, '');
  return s;
}

describe('decode errors', () => {
  const cases: { name: string; input: Buffer; code: string; type: number; offset: number }[] = [
    { name: 'empty buffer', input: hex(''), code: 'ERR_LISP_TRUNCATED', type: 0, offset: 0 },
    { name: 'truncated header', input: hex('100000'), code: 'ERR_LISP_TRUNCATED', type: 1, offset: 0 },
    { name: 'truncated nonce', input: hex('10000000 0102'), code: 'ERR_LISP_TRUNCATED', type: 1, offset: 4 },
    { name: 'Map-Notify-Ack reports type 5', input: hex('50000000'), code: 'ERR_LISP_TRUNCATED', type: 5, offset: 4 },
    { name: 'unknown type 9', input: hex('90000000'), code: 'ERR_LISP_UNKNOWN_TYPE', type: 9, offset: 0 },
    { name: 'reserved type 0', input: hex('00000000'), code: 'ERR_LISP_UNKNOWN_TYPE', type: 0, offset: 0 },
    { name: 'unknown source-EID AFI', input: hex(`10000000 ${NONCE} 0003`), code: 'ERR_LISP_UNKNOWN_AFI', type: 1, offset: 12 },
    {
      name: 'unknown EID AFI in a record',
      input: hex(`20000001 ${NONCE} 00000001 00 20 0000 0000 1e00 0a1e0164`),
      code: 'ERR_LISP_UNKNOWN_AFI',
      type: 2,
      offset: 22,
    },
    { name: 'distinguished name without NUL', input: hex(`10000000 ${NONCE} 0011 616263`), code: 'ERR_LISP_TRUNCATED', type: 1, offset: 14 },
    {
      name: 'LCAF body shorter than its Length',
      input: hex(`10000000 ${NONCE} 4003 0000 0200 000c 00000005 0001 0a010000 ffff 0001 c0000201`),
      code: 'ERR_LISP_TRAILING_BYTES',
      type: 1,
      offset: 30,
    },
    {
      name: 'LCAF body longer than its Length',
      input: hex(`10000000 ${NONCE} 4003 0000 0200 0008 00000005 0001 0a010000 0001 c0000201`),
      code: 'ERR_LISP_TRUNCATED',
      type: 1,
      offset: 26,
    },
    { name: 'LCAF Length past the message', input: hex(`10000000 ${NONCE} 4003 0000 0200 00ff 00000005`), code: 'ERR_LISP_TRUNCATED', type: 1, offset: 20 },
    {
      name: 'LCAF nesting too deep (9 levels)',
      input: hex(`10000000 ${NONCE} ${nestedAfiLists(9)} 0001 c0000201`),
      code: 'ERR_LISP_TOO_DEEP',
      type: 1,
      offset: 12 + 8 * 8 + 2,
    },
    { name: 'trailing bytes', input: hex(`20000000 ${NONCE} ff`), code: 'ERR_LISP_TRAILING_BYTES', type: 2, offset: 12 },
    { name: 'Map-Register I bit, no xTR-ID', input: hex(`32000000 ${NONCE} 0000 0000`), code: 'ERR_LISP_TRUNCATED', type: 3, offset: 16 },
    { name: 'Map-Request I bit, no xTR-ID', input: hex(`10100000 ${NONCE} 0000 0001 c0000201`), code: 'ERR_LISP_TRUNCATED', type: 1, offset: 20 },
    {
      name: 'Map-Request I bit, half a site-ID',
      input: hex(`10100000 ${NONCE} 0000 0001 c0000201 ${'11'.repeat(16)} 00000000`),
      code: 'ERR_LISP_TRUNCATED',
      type: 1,
      offset: 36,
    },
    { name: 'auth data past the message', input: hex(`30000000 ${NONCE} 0001 0014 00000000`), code: 'ERR_LISP_TRUNCATED', type: 3, offset: 16 },
    {
      name: 'ECM inner IPv4 not UDP',
      input: hex(`80000000 45000030 0001 0000 40 06 0000 c0000201 c6120001`),
      code: 'ERR_LISP_BAD_FIELD',
      type: 8,
      offset: 13,
    },
    { name: 'ECM inner IPv6 not UDP', input: hex(`80000000 60000000 0008 06 40 ${'20010db8'.repeat(8)}`), code: 'ERR_LISP_BAD_FIELD', type: 8, offset: 10 },
    { name: 'ECM inner IP version 5', input: hex(`80000000 50000000`), code: 'ERR_LISP_BAD_FIELD', type: 8, offset: 4 },
    { name: 'ECM inner IPv4 header length 16', input: hex(`80000000 44000030`), code: 'ERR_LISP_BAD_FIELD', type: 8, offset: 4 },
    { name: 'ECM unknown AD type 3', input: hex(`88000000 03000000 00000000`), code: 'ERR_LISP_BAD_FIELD', type: 8, offset: 4 },
    { name: 'ECM without an inner message', input: hex(`80000000 ${IPV4_UDP_HEADER}`), code: 'ERR_LISP_TRUNCATED', type: 8, offset: 32 },
    {
      name: 'ECMs nested 5 deep',
      input: hex(`80000000 ${IPV4_UDP_HEADER} `.repeat(5) + `10000000 ${NONCE} 0000 0001 c0000201`),
      code: 'ERR_LISP_TOO_DEEP',
      type: 8,
      offset: 4 * 32,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const e = decodeMessage(c.input);
      assert.ok(e instanceof LispDecodeError, 'decodeMessage returns the error');
      assert.deepStrictEqual({ code: e.code, type: e.messageType, offset: e.offset }, { code: c.code, type: c.type, offset: c.offset });
      assert.throws(() => message.decode(c.input), (t: unknown) => t instanceof LispDecodeError && t.code === c.code && t.offset === c.offset);
    });
  }

  it('8 nested LCAFs are still accepted', () => {
    const m = decoded(hex(`10000000 ${NONCE} ${nestedAfiLists(8)} 0001 c0000201`));
    assert.equal(m.type, 'map-request');
  });

  it('tcpdump lisp_eid_notify.pcap frame 3: I bit set, xTR-ID missing; frame 4: xTR-ID without the I bit (the lispers.net shape) decodes', () => {
    const [, , missing, unannounced] = capturePayloads('tcpdump-lisp_eid_notify.pcap');
    const e3 = decodeMessage(missing!);
    assert.ok(e3 instanceof LispDecodeError);
    assert.deepStrictEqual([e3.code, e3.messageType, e3.offset], ['ERR_LISP_TRUNCATED', 4, missing!.length]);
    const m4 = decoded(unannounced!) as MapNotify;
    assert.deepStrictEqual([m4.xtrIdUnflagged, m4.xtrId, m4.siteId], [true, 0x9787ad753caf58a713fa6920e6d27a8fn, 0n]);
  });

  it('a Map-Notify without the I bit with other than 24 bytes after its records is refused', () => {
    const notify = hex(`40000000 ${NONCE} 0000 0000`);
    for (const extra of [23, 25]) {
      const e = decodeMessage(Buffer.concat([notify, Buffer.alloc(extra)]));
      assert.ok(e instanceof LispDecodeError);
      assert.deepStrictEqual([e.code, e.offset], ['ERR_LISP_TRAILING_BYTES', notify.length]);
    }
  });

  it('an offset into a larger buffer is reported from the buffer start', () => {
    const e = decodeMessage(hex(`ffff 20000000 ${NONCE} ff`), 2);
    assert.ok(e instanceof LispDecodeError);
    assert.deepStrictEqual([e.code, e.messageType, e.offset], ['ERR_LISP_TRAILING_BYTES', 2, 14]);
  });

  it('the data header reports type -1', () => {
    assert.throws(() => dataHeader.decode(hex('80000000')), (e: unknown) => e instanceof LispDecodeError && e.messageType === -1 && e.code === 'ERR_LISP_TRUNCATED');
  });

  it('decodeMessage returns a value or a LispDecodeError for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (b) => {
        const d = decodeMessage(Buffer.from(b));
        assert.ok(d instanceof LispDecodeError || typeof d.value.type === 'string');
      }),
      { numRuns: 1000 },
    );
  });

  it('every truncation and single-byte change of a valid message decodes or fails with a LispDecodeError', () => {
    fc.assert(
      fc.property(arb.nonEcmMessage, fc.nat(), fc.integer({ min: 1, max: 255 }), (m, at, flip) => {
        const bytes = message.encode(m);
        const cut = at % bytes.length;
        const changed = Buffer.from(bytes);
        changed[cut] = changed[cut]! ^ flip;
        for (const b of [bytes.subarray(0, cut), changed]) {
          const d = decodeMessage(b);
          assert.ok(d instanceof LispDecodeError || d.bytes === b.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
