// The ECM Map-Request read in place (map-request-view.ts, the Map-Server workers' reader) against
// the packet codec: whatever it reads, the codec decodes to the same fields; the shapes it leaves
// to the main thread give undefined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encapsulate, encodeMessage, formatIpv4, formatIpv6, ipAddress, LispDecodeError, mapRequestFor, type Ecm, type MapRequest } from '../../../src/packet/index.js';
import { eidPrefixOf, formatPrefix, makePrefix } from '../../../src/table/index.js';
import { scanEcmRequest } from '../../../src/packet/map-request-view.js';
import { prng } from '../../helpers/prng.js';
import { replayHint, runSeed } from '../../helpers/seeds.js';
import { record } from '../../helpers/registers.js';
import { ecmRequest } from '../ms-workers/fixtures.js';

/** What the scan read, checked against the codec's decoding of the same bytes. */
function agrees(buf: Buffer, itrV6: boolean): boolean {
  const view = scanEcmRequest(buf, 0, buf.length, itrV6);
  if (!view) return false;
  const r = decodeMessage(buf);
  assert.ok(!(r instanceof LispDecodeError), `the scan read what the codec refuses: ${buf.toString('hex')}`);
  const ecm = r.value as Ecm;
  const m = ecm.message as MapRequest;
  assert.equal(ecm.udp.sport, view.replyPort);
  assert.equal(buf.readBigUInt64BE(view.nonceAt), m.nonce);
  const itr = m.itrRlocs.find((a) => a.afi === (itrV6 ? 'ipv6' : 'ipv4'));
  assert.ok(itr?.afi === 'ipv4' || itr?.afi === 'ipv6');
  assert.equal(itrV6 ? formatIpv6(buf, view.itrAt) : formatIpv4(buf, view.itrAt), itr.address);
  const eid = eidPrefixOf(m.records[0]!.eid, m.records[0]!.maskLen)!;
  const scanned = makePrefix(view.v6 ? 'ipv6' : 'ipv4', buf.subarray(view.eidAt, view.eidAt + (view.v6 ? 16 : 4)), view.maskLen, view.iid);
  assert.equal(formatPrefix(scanned), formatPrefix(eid));
  return true;
}

test('the common shapes: IPv4 and IPv6 inner headers, EIDs with instance-ids, several ITR-RLOCs, records, an xTR-ID', () => {
  const requests = [
    ecmRequest('198.18.1.1'),
    ecmRequest('198.18.1.0', { maskLen: 24, instanceId: 1000, itrs: ['2001:db8::1', '192.0.2.7'], nonce: 0xffffffffffffffffn, sport: 1 }),
    ecmRequest('2001:db8:1::5', { itrs: ['2001:db8::1'] }),
    encodeMessage(encapsulate({ ...mapRequestFor({ eid: ipAddress('198.18.1.1'), maskLen: 32, itrRlocs: ['192.0.2.1'], nonce: 1n, sourceEid: ipAddress('198.18.9.9', 7) }), xtrId: 5n, siteId: 6n, records: [{ notify: false, maskLen: 32, eid: ipAddress('198.18.1.1') }, { notify: true, maskLen: 64, eid: ipAddress('2001:db8::', 3) }] }, { src: '192.0.2.1', dst: '198.18.1.1', sport: 4342 })),
    encodeMessage(encapsulate({ ...mapRequestFor({ eid: ipAddress('198.18.1.1'), maskLen: 32, itrRlocs: ['192.0.2.1'], nonce: 1n }), xtrId: 5n }, { src: '192.0.2.1', dst: '198.18.1.1', sport: 4342 })),
  ];
  assert.deepEqual(requests.map((r) => agrees(r, false)), [true, true, false, true, true]);
  assert.equal(agrees(requests[2]!, true), true);
});

test('what the main thread answers gives undefined: probes, ECM auth data, DDT Map-Requests, a Map-Reply record, other AFIs, no usable ITR-RLOC', () => {
  const probe = encodeMessage(encapsulate({ ...mapRequestFor({ eid: ipAddress('198.18.1.1'), maskLen: 32, itrRlocs: ['192.0.2.1'], nonce: 1n }), probe: true }, { src: '192.0.2.1', dst: '198.18.1.1', sport: 4342 }));
  const lcafItr = encodeMessage(encapsulate({ ...mapRequestFor({ eid: ipAddress('198.18.1.1'), maskLen: 32, itrRlocs: [], nonce: 1n }), itrRlocs: [ipAddress('192.0.2.1', 5)] }, { src: '192.0.2.1', dst: '198.18.1.1', sport: 4342 }));
  const withAuth = Buffer.from(ecmRequest('198.18.1.1'));
  withAuth[0]! |= 0x08;
  const ddt = Buffer.from(ecmRequest('198.18.1.1'));
  ddt[0]! |= 0x04;
  const noRecords = encodeMessage(encapsulate({ ...mapRequestFor({ eid: ipAddress('198.18.1.1'), maskLen: 32, itrRlocs: ['192.0.2.1'], nonce: 1n }), records: [] }, { src: '192.0.2.1', dst: '198.18.1.1', sport: 4342 }));
  const mapReply = encodeMessage(encapsulate({ ...mapRequestFor({ eid: ipAddress('198.18.1.1'), maskLen: 32, itrRlocs: ['192.0.2.1'], nonce: 1n }), mapReply: record('198.18.9.0/24', ['192.0.2.1']) }, { src: '192.0.2.1', dst: '198.18.1.1', sport: 4342 }));
  const request = ecmRequest('198.18.1.1');
  for (const b of [probe, lcafItr, withAuth, ddt, noRecords, mapReply, ecmRequest('2001:db8::1', { itrs: ['2001:db8::9'] }), request.subarray(0, request.length - 1), Buffer.concat([request, Buffer.alloc(1)])]) {
    assert.equal(scanEcmRequest(b, 0, b.length, false), undefined, b.toString('hex'));
  }
});

for (const seed of [4342, runSeed()]) {
  const what = seed === 4342 ? 'fixed seed 4342' : replayHint(seed, 'test/unit/packet/map-request-view.test.ts');
  test(`mutated requests (${seed === 4342 ? 'fixed' : 'random'} seed ${seed}): whenever the scan reads one, the codec decodes it to the same fields`, () => {
    const next = prng(seed || 1);
    const seeds = [ecmRequest('198.18.1.1'), ecmRequest('198.18.1.0', { maskLen: 24, instanceId: 1000, itrs: ['2001:db8::1', '192.0.2.7'] }), ecmRequest('2001:db8:1::5', { itrs: ['192.0.2.1'] })];
    let read = 0;
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.from(seeds[i % seeds.length]!);
      for (let n = 1 + (next() % 3); n > 0; n--) b[next() % b.length] = next() & 0xff;
      try {
        if (agrees(b, false)) read++;
      } catch (e) {
        assert.fail(`${what}, input ${i} ${b.toString('hex')}: ${String(e)}`);
      }
    }
    assert.ok(read > 1000, `${what}: only ${read} mutated requests were read`);
  });
}
