import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../../src/capture/index.js';
import { LispError } from '../../../src/packet/errors.js';
import { capturesDir } from '../../helpers/vectors.js';
import { block, epb, idb, option, shb, spb } from './synth.js';

const captureError = (err: unknown) => err instanceof LispError && err.code === 'ERR_LISP_CAPTURE';
const data = Buffer.from('packet bytes');
const tsresol = (value: number, order: 'le' | 'be' = 'le') => option(9, Buffer.from([value]), order);

for (const order of ['le', 'be'] as const) {
  test(`pcapng section in ${order} byte order with several interfaces and resolutions`, () => {
    const offset = Buffer.alloc(8);
    if (order === 'le') offset.writeBigInt64LE(100n);
    else offset.writeBigInt64BE(100n);
    const buf = Buffer.concat([
      shb(order),
      idb(1, [], order),
      idb(101, [tsresol(9, order), option(2, Buffer.from('eth1'), order)], order),
      idb(113, [tsresol(0x80 | 10, order), option(14, offset, order)], order),
      block(4, Buffer.alloc(8), order), // name resolution block: skipped
      epb(0, 1_700_000_000_123_456n, data, order),
      epb(1, 1_700_000_000_123_456_789n, data, order),
      epb(2, 3n * 1024n + 512n, data, order),
    ]);
    const frames = readCapture(buf);
    assert.deepEqual(
      frames.map((f) => [f.number, f.linkType, f.timestampNs]),
      [
        [1, 1, 1_700_000_000_123_456_000n],
        [2, 101, 1_700_000_000_123_456_789n],
        [3, 113, 103_500_000_000n],
      ],
    );
    assert.deepEqual(frames[0]?.data, data);
    assert.equal(frames[0]?.originalLength, data.length);
  });
}

test('pcapng: a simple packet block has no timestamp and is cut to the snaplen', () => {
  const frames = readCapture(Buffer.concat([shb(), idb(1, [], 'le', 5), spb(data)]));
  assert.deepEqual(frames, [
    { number: 1, timestampNs: 0n, linkType: 1, data: data.subarray(0, 5), originalLength: data.length },
  ]);
});

test('pcapng: the obsolete packet block (type 2) is read like an enhanced one', () => {
  const body = Buffer.alloc(20);
  body.writeUInt16LE(1, 0); // interface; drops follow
  body.writeUInt32LE(0, 4);
  body.writeUInt32LE(7, 8);
  body.writeUInt32LE(data.length, 12);
  body.writeUInt32LE(data.length, 16);
  const frames = readCapture(Buffer.concat([shb(), idb(1), idb(101), block(2, Buffer.concat([body, data]))]));
  assert.deepEqual(frames, [{ number: 1, timestampNs: 7000n, linkType: 101, data, originalLength: data.length }]);
});

test('pcapng: each section has its own byte order and interfaces; numbering runs on', () => {
  const buf = Buffer.concat([
    ...[shb('le'), idb(1), epb(0, 1n, data)],
    ...[shb('be'), idb(101, [], 'be'), epb(0, 2n, data, 'be')],
  ]);
  assert.deepEqual(
    readCapture(buf).map((f) => [f.number, f.linkType, f.timestampNs]),
    [
      [1, 1, 1000n],
      [2, 101, 2000n],
    ],
  );
  const stale = Buffer.concat([shb(), idb(1), idb(1), shb(), idb(1), epb(1, 0n, data)]);
  assert.throws(() => readCapture(stale), captureError);
});

test('pcapng files named .pcap are read as pcapng, by magic', () => {
  for (const [name, timestampNs, length] of [
    ['py-lispnetworking-encapsulated_control_message.pcap', 946736982_846114000n, 134],
    ['py-lispnetworking-maprequest.pcap', 946736982_875288000n, 126],
    ['networklessons-eigrp-otp-lisp-icmp-request.pcapng', 1504271759_319718000n, 150],
  ] as const) {
    const buf = readFileSync(join(capturesDir, name));
    assert.equal(buf.readUInt32BE(0), 0x0a0d0d0a, name);
    const frames = readCapture(buf);
    assert.deepEqual(
      frames.map((f) => [f.number, f.linkType, f.timestampNs, f.data.length]),
      [[1, 1, timestampNs, length]],
      name,
    );
  }
});

test('malformed pcapng files throw ERR_LISP_CAPTURE', () => {
  const good = Buffer.concat([shb(), idb(1), epb(0, 0n, data)]);
  const withByte = (offset: number, value: number) => {
    const copy = Buffer.from(good);
    copy.writeUInt8(value, offset);
    return copy;
  };
  const idbAt = shb().length;
  const epbAt = idbAt + idb(1).length;
  const cases: [string, Buffer][] = [
    ['only the magic', good.subarray(0, 4)],
    ['bad byte-order magic', withByte(8, 0x00)],
    ['unsupported major version', withByte(12, 2)],
    ['block length not a multiple of 4', withByte(idbAt + 4, 21)],
    ['block length under the minimum', withByte(idbAt + 4, 8)],
    ['trailing length differs', withByte(epbAt - 4, 24)],
    ['truncated block', good.subarray(0, good.length - 4)],
    ['truncated block header', Buffer.concat([good, Buffer.alloc(6)])],
    ['captured length overruns the block', withByte(epbAt + 20, 200)],
    ['unknown interface', withByte(epbAt + 8, 1)],
    ['packet before any interface', Buffer.concat([shb(), epb(0, 0n, data)])],
    ['option overruns its block', Buffer.concat([shb(), idb(1, [option(2, Buffer.alloc(0)).fill(0x40, 2, 3)])])],
  ];
  for (const [name, buf] of cases) assert.throws(() => readCapture(buf), captureError, name);
});
