// The TUN offloads done in user space: TCP segmentation on encap (segmentation.ts), checksum
// completion, and the merging of TCP segments into one GSO write on decap (coalescing.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CoalescingTunWriter } from '../../../src/dataplane/coalescing.js';
import { DataCounters } from '../../../src/dataplane/counters.js';
import { completeChecksum, segmentTcp } from '../../../src/dataplane/segmentation.js';
import { emptyVnetHeader, readVnetHeader, VNET_F_NEEDS_CSUM, VNET_GSO_NONE, VNET_GSO_TCPV4, VNET_GSO_TCPV6, VNET_HEADER_LENGTH } from '../../../src/io/linux/vnet-header.js';
import { fold, internetChecksum, viewOf } from '../../../src/packet/index.js';
import { innerPacket, pseudoSum, tcpChecksumOk, tcpPacket } from './packets.js';
import { prng } from '../../helpers/prng.js';

/** n pseudo-random bytes, the same on every run (a failure replays). */
function fixedBytes(n: number, seed = n): Buffer {
  const next = prng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = next() & 0xff;
  return b;
}

const TIMESTAMP = Buffer.from([1, 1, 8, 10, 0, 0, 0, 42, 0, 0, 0, 7]);
const GAP = 8;
const ends = { v4: ['198.18.1.10', '198.18.2.10'], v6: ['2001:db8:1::10', '2001:db8:2::10'] } as const;

/** Segments packet at mss into a fresh buffer; returns copies of the segments and their offsets. */
function segment(packet: Buffer, mss: number) {
  const out = Buffer.alloc(packet.length * 3 + 4096, 0xee);
  const offsets: number[] = [];
  const segments: Buffer[] = [];
  const ok = segmentTcp(packet, viewOf(packet), 0, packet.length, mss, out, viewOf(out), 0, GAP, (at, n) => {
    offsets.push(at);
    segments.push(Buffer.from(out.subarray(at, at + n)));
  });
  return { ok, out, offsets, segments };
}

const ipLength = (p: Buffer) => (p[0]! >>> 4 === 4 ? 20 : 40);
const tcpHeaderLength = (p: Buffer) => (p[ipLength(p) + 12]! >>> 4) * 4;
const payloadOf = (p: Buffer) => p.subarray(ipLength(p) + tcpHeaderLength(p));
const seqOf = (p: Buffer) => p.readUInt32BE(ipLength(p) + 4);
const flagsOf = (p: Buffer) => p[ipLength(p) + 13]!;

/** A coalescing writer over an in-memory device; writes are copies of what the device got. */
function writer(coalesce = true) {
  const writes: Buffer[] = [];
  const counters = new DataCounters();
  const w = new CoalescingTunWriter({ write: (b, o, n) => (writes.push(Buffer.from(b.subarray(o, o + n))), true) }, coalesce, counters);
  const header = (write: Buffer) => {
    const h = emptyVnetHeader();
    readVnetHeader(write, 0, h);
    return h;
  };
  return { w, writes, counters, header, packetOf: (write: Buffer) => write.subarray(VNET_HEADER_LENGTH) };
}

describe('TCP segmentation (the encap side of TSO)', () => {
  for (const family of ['v4', 'v6'] as const) {
    it(`cuts an IP${family} TCP packet into whole segments with their own headers and checksums`, () => {
      const payload = fixedBytes(20_000);
      const seq = 0xffff_ff00; // wraps around within the packet
      const packet = tcpPacket(ends[family][0], ends[family][1], { payload, seq, flags: 0x19, options: TIMESTAMP, id: 0xfffe });
      const { ok, out, offsets, segments } = segment(packet, 1400);
      assert.ok(ok);
      assert.equal(segments.length, 15);
      let expectedOffset = GAP;
      segments.forEach((s, k) => {
        const last = k === segments.length - 1;
        assert.equal(offsets[k], expectedOffset, 'segments lie back to back with the gap before each');
        assert.deepEqual(out.subarray(offsets[k]! - GAP, offsets[k]), Buffer.alloc(GAP, 0xee), 'the gap is left alone');
        expectedOffset += s.length + GAP;
        assert.equal(payloadOf(s).length, last ? 20_000 - 14 * 1400 : 1400);
        assert.equal(seqOf(s), (seq + k * 1400) >>> 0);
        assert.equal(flagsOf(s), last ? 0x19 : 0x10, 'PSH and FIN on the last segment only');
        assert.deepEqual(s.subarray(ipLength(s) + 20, ipLength(s) + 32), TIMESTAMP, 'the TCP options are kept');
        assert.ok(tcpChecksumOk(s), `segment ${k}: TCP checksum`);
        if (family === 'v4') {
          assert.equal(s.readUInt16BE(2), s.length);
          assert.equal(s.readUInt16BE(4), (0xfffe + k) & 0xffff);
          assert.equal(internetChecksum(s, 0, 20, 0), 0, 'IPv4 header checksum');
        } else assert.equal(s.readUInt16BE(4), s.length - 40);
      });
      assert.deepEqual(Buffer.concat(segments.map(payloadOf)), payload);
    });
  }

  it('clears CWR after the first segment', () => {
    const { segments } = segment(tcpPacket(...ends.v4, { payload: fixedBytes(3000), flags: 0x90 }), 1000);
    assert.deepEqual(segments.map(flagsOf), [0x90, 0x10, 0x10]);
  });

  it('refuses what is not TCP over IPv4 or IPv6', () => {
    assert.equal(segment(innerPacket(...ends.v4, { size: 3000 }), 1000).ok, false);
    assert.equal(segment(tcpPacket(...ends.v4, { payload: fixedBytes(100) }), 0).ok, false);
  });
});

describe('checksum completion (NEEDS_CSUM)', () => {
  for (const [name, packet, start, offset] of [
    ['TCP over IPv4', tcpPacket(...ends.v4, { payload: fixedBytes(999) }), 20, 16],
    ['TCP over IPv6', tcpPacket(...ends.v6, { payload: fixedBytes(1000) }), 40, 16],
    ['UDP over IPv4', innerPacket(...ends.v4, { size: 301 }), 20, 6],
  ] as const) {
    it(`fills in the checksum of ${name} from the pseudo-header sum the kernel left`, () => {
      const expected = packet.readUInt16BE(start + offset);
      packet.writeUInt16BE(fold(pseudoSum(packet, packet.length - start)), start + offset);
      assert.ok(completeChecksum(viewOf(packet), 0, packet.length, start, offset));
      assert.equal(packet.readUInt16BE(start + offset), expected);
    });
  }

  it('refuses offsets beyond the packet', () => {
    const packet = innerPacket(...ends.v4, { size: 30 });
    assert.equal(completeChecksum(viewOf(packet), 0, packet.length, 20, 16), false);
  });
});

describe('merging decapsulated TCP segments (the decap side, GRO)', () => {
  for (const family of ['v4', 'v6'] as const) {
    it(`writes a run of IP${family} segments as one GSO packet the kernel can segment again`, () => {
      const payload = fixedBytes(30_000);
      const { segments } = segment(tcpPacket(ends[family][0], ends[family][1], { payload, flags: 0x18, options: TIMESTAMP }), 1448);
      const { w, writes, counters, header, packetOf } = writer();
      for (const s of segments) assert.ok(w.write(s, 0, s.length));
      w.flush();
      assert.equal(writes.length, 1);
      const h = header(writes[0]!);
      const merged = packetOf(writes[0]!);
      const ipLen = ipLength(merged);
      assert.deepEqual(
        { ...h },
        { flags: VNET_F_NEEDS_CSUM, gsoType: family === 'v4' ? VNET_GSO_TCPV4 : VNET_GSO_TCPV6, hdrLength: ipLen + 32, gsoSize: 1448, csumStart: ipLen, csumOffset: 16 },
      );
      assert.deepEqual(payloadOf(merged), payload);
      assert.equal(family === 'v4' ? merged.readUInt16BE(2) : merged.readUInt16BE(4) + 40, merged.length);
      assert.equal(flagsOf(merged), 0x18, 'the push of the last segment is kept');
      const completed = Buffer.from(merged);
      completeChecksum(viewOf(completed), 0, completed.length, h.csumStart, h.csumOffset);
      assert.ok(tcpChecksumOk(completed), 'the partial checksum completes to a valid one');
      assert.equal(counters.get('decap.coalesced'), segments.length - 1);
    });
  }

  it('writes anything that does not continue the run on its own, in arrival order', () => {
    const a = segment(tcpPacket(...ends.v4, { payload: fixedBytes(4 * 1000) }), 1000).segments;
    const other = tcpPacket(ends.v4[0], '198.18.2.11', { payload: fixedBytes(1000) });
    const corrupt = Buffer.from(a[2]!);
    corrupt[corrupt.length - 1]! ^= 0xff;
    const udp = innerPacket(...ends.v4, { size: 500 });
    const { w, writes, header, packetOf } = writer();
    for (const p of [a[0]!, a[1]!, other, corrupt, a[3]!, udp]) w.write(p, 0, p.length);
    w.flush();
    // a0+a1 merged; the other flow alone; the corrupt segment alone and unchanged; a3 begins a
    // run the UDP packet ends, so it goes alone too; then the UDP packet.
    assert.deepEqual(
      writes.map((x) => [header(x).gsoType, packetOf(x).length]),
      [
        [VNET_GSO_TCPV4, 20 + 20 + 2000],
        [VNET_GSO_NONE, other.length],
        [VNET_GSO_NONE, corrupt.length],
        [VNET_GSO_NONE, a[3]!.length],
        [VNET_GSO_NONE, udp.length],
      ],
    );
    assert.deepEqual(packetOf(writes[2]!), corrupt);
    assert.deepEqual(packetOf(writes[4]!), udp);
  });

  it('writes every packet alone, with an empty header, when merging is off', () => {
    const { segments } = segment(tcpPacket(...ends.v6, { payload: fixedBytes(5000) }), 1000);
    const { w, writes, header, packetOf } = writer(false);
    for (const s of segments) w.write(s, 0, s.length);
    w.flush();
    assert.equal(writes.length, 5);
    writes.forEach((x, i) => {
      assert.deepEqual({ ...header(x) }, emptyVnetHeader());
      assert.deepEqual(packetOf(x), segments[i]);
    });
  });

  it('segmenting and merging give back the payload, for any size, segment size and family', () => {
    fc.assert(
      // The payload comes from a seed fast-check draws, so a failure replays from fast-check's seed and path.
      fc.property(fc.boolean(), fc.integer({ min: 1, max: 64_000 }), fc.integer({ min: 48, max: 1460 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 2 ** 32 - 1 }), (v6, size, mss, seq, bytesSeed) => {
        const payload = fixedBytes(size, bytesSeed);
        const family = v6 ? ends.v6 : ends.v4;
        const { segments } = segment(tcpPacket(family[0], family[1], { payload, seq }), mss);
        const { w, writes, packetOf } = writer();
        for (const s of segments) w.write(s, 0, s.length);
        w.flush();
        assert.equal(writes.length, 1);
        assert.deepEqual(payloadOf(packetOf(writes[0]!)), payload);
        assert.equal(seqOf(packetOf(writes[0]!)), seq);
      }),
      { numRuns: 60 },
    );
  });
});
