// Round-trip properties of every codec, all through the one shared helper.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  address,
  dataHeader,
  decodeMessage,
  LispDecodeError,
  ecm,
  info,
  mapNotify,
  mapReferral,
  mapRegister,
  mapReply,
  mapRequest,
  message,
  sharedExtension,
  type Codec,
  type Ecm,
  type LispMessage,
} from '../../../src/packet/index.js';
import { assertRoundTrip } from '../../helpers/roundtrip.js';
import * as arb from './arbitraries.js';

const RUNS = { numRuns: 200 };

/** Each message round-trips through its own codec and through the message codec. */
function messageProperty<T extends LispMessage>(codec: Codec<T>, arbitrary: fc.Arbitrary<T>): void {
  fc.assert(
    fc.property(arbitrary, (m) => {
      assertRoundTrip(codec, m);
      assertRoundTrip(message, m);
    }),
    RUNS,
  );
}

describe('message round trips', () => {
  it('Map-Request', () => messageProperty(mapRequest, arb.mapRequest));
  it('Map-Reply', () => messageProperty(mapReply, arb.mapReply));
  it('Map-Register', () => messageProperty(mapRegister, arb.mapRegister));
  it('Map-Notify and Map-Notify-Ack', () => messageProperty(mapNotify, arb.mapNotify));
  it('Map-Referral', () => messageProperty(mapReferral, arb.mapReferral));
  it('Info-Request and Info-Reply', () => messageProperty(info, arb.info));
  it('ECM, nested ECM', () => messageProperty(ecm, arb.ecm()));
  it('Shared Extension', () => messageProperty(sharedExtension, arb.sharedExtension));
});

describe('bytes that decode re-encode exactly', () => {
  it('valid messages with one byte changed', () => {
    let runs = 0;
    let decoded = 0;
    fc.assert(
      fc.property(fc.oneof(arb.nonEcmMessage, arb.ecm(1)), fc.nat(), fc.integer({ min: 1, max: 255 }), (m, at, flip) => {
        runs++;
        const bytes = message.encode(m);
        const i = at % bytes.length;
        bytes[i] = bytes[i]! ^ flip;
        const d = decodeMessage(bytes);
        if (d instanceof LispDecodeError) return;
        decoded++;
        assert.deepStrictEqual(message.encode(d.value), bytes);
      }),
      { numRuns: 1000 },
    );
    // One changed byte leaves most messages decodable (a nonce, a TTL, an address byte): a run in
    // which (almost) nothing decoded would have checked nothing.
    assert.ok(decoded >= runs / 4, `only ${decoded} of ${runs} changed messages decoded`);
  });
});

describe('address round trips', () => {
  it('AFI 0, IPv4, IPv6, MAC, distinguished name', () => {
    fc.assert(
      fc.property(arb.plainAddress, (a) => {
        assertRoundTrip(address, a);
      }),
      { numRuns: 500 },
    );
  });
  for (const type of arb.LCAF_TYPE_NAMES) {
    it(`LCAF ${type}`, () => {
      fc.assert(
        fc.property(arb.lcafOf(type), (a) => {
          assertRoundTrip(address, a);
        }),
        RUNS,
      );
    });
  }
});

describe('data header round trip', () => {
  it('every flag combination', () => {
    fc.assert(
      fc.property(arb.dataHeader, (h) => {
        assertRoundTrip(dataHeader, h);
      }),
      { numRuns: 500 },
    );
  });
});

describe('normalisation', () => {
  it('explicit zero reserved fields decode as absent', () => {
    fc.assert(
      fc.property(arb.mapRegister, (m) => {
        const zeroed = { ...m, reservedFlags: 0, records: m.records.map((r) => ({ ...r, reserved: 0, versionReserved: 0 })) };
        const bytes = assertRoundTrip(mapRegister, zeroed, { exact: false });
        const { value } = mapRegister.decode(bytes);
        assert.equal('reservedFlags' in value, false);
        for (const r of value.records) assert.equal('reserved' in r || 'versionReserved' in r, false);
      }),
      RUNS,
    );
  });

  it('ECM inner lengths and checksums left out are computed', () => {
    fc.assert(
      fc.property(arb.ecm(0), (e) => {
        const ip = e.ip.version === 4 ? { ...e.ip, totalLength: undefined, checksum: undefined } : { ...e.ip, payloadLength: undefined };
        const computed: Ecm = { ...e, ip, udp: { sport: e.udp.sport, dport: e.udp.dport } };
        const bytes = assertRoundTrip(ecm, computed, { exact: false });
        const { value } = ecm.decode(bytes);
        const ipStart = 4 + (e.authData?.length ?? 0);
        const udpStart = ipStart + (e.ip.version === 4 ? 20 + (e.ip.options?.length ?? 0) : 40);
        const udpLength = bytes.length - udpStart;
        assert.equal(value.udp.length, udpLength);
        if (value.ip.version === 4) {
          assert.equal(value.ip.totalLength, bytes.length - ipStart);
          assert.equal(onesSum(bytes, ipStart, udpStart), 0xffff, 'IPv4 header checksum verifies');
        } else {
          assert.equal(value.ip.payloadLength, udpLength);
        }
        assert.notEqual(value.udp.checksum, 0, 'the UDP checksum is never sent as 0');
        assert.equal(onesSum(bytes, udpStart, bytes.length, pseudoHeaderSum(bytes, ipStart, e.ip.version, udpLength)), 0xffff, 'UDP checksum verifies');
      }),
      RUNS,
    );
  });
});

/** One's-complement sum of 16-bit words, folded: 0xffff over data that includes its right checksum. */
function onesSum(buf: Buffer, start: number, end: number, initial = 0): number {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += (buf[i]! << 8) | (i + 1 < end ? buf[i + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The UDP pseudo-header's contribution to the one's-complement sum. */
function pseudoHeaderSum(buf: Buffer, ipStart: number, version: 4 | 6, udpLength: number): number {
  const [from, n] = version === 4 ? [ipStart + 12, 8] : [ipStart + 8, 32];
  let sum = 17 + udpLength;
  for (let i = from; i < from + n; i += 2) sum += buf.readUInt16BE(i);
  return sum;
}
