import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../../src/capture/index.js';
import { LispError } from '../../../src/packet/errors.js';
import { capturesDir } from '../../helpers/vectors.js';
import { pcapFile } from './synth.js';

const captureError = (err: unknown) => err instanceof LispError && err.code === 'ERR_LISP_CAPTURE';
const data = Buffer.from('0123456789');

for (const order of ['le', 'be'] as const) {
  test(`classic pcap, ${order}, microseconds`, () => {
    const buf = pcapFile(
      [
        { data, seconds: 1_700_000_000, fraction: 123_456, originalLength: 1500 },
        { data: data.subarray(0, 3), seconds: 1_700_000_001, fraction: 999_999 },
      ],
      { order, linkType: 113 },
    );
    const frames = readCapture(buf);
    assert.equal(frames.length, 2);
    assert.deepEqual(frames[0], {
      number: 1,
      timestampNs: 1_700_000_000_123_456_000n,
      linkType: 113,
      data,
      originalLength: 1500,
    });
    assert.equal(frames[1]?.number, 2);
    assert.equal(frames[1]?.timestampNs, 1_700_000_001_999_999_000n);
    assert.deepEqual(frames[1]?.data, data.subarray(0, 3));
  });

  test(`classic pcap, ${order}, nanoseconds`, () => {
    const frames = readCapture(pcapFile([{ data, seconds: 5, fraction: 999_999_999 }], { order, nano: true }));
    assert.equal(frames[0]?.timestampNs, 5_999_999_999n);
  });
}

test('link type keeps only the low 16 bits of the network field (FCS flags above)', () => {
  const frames = readCapture(pcapFile([{ data }], { linkType: 0x14000001 }));
  assert.equal(frames[0]?.linkType, 1);
});

test('a pcap with no records has no frames', () => {
  assert.deepEqual(readCapture(pcapFile([])), []);
});

test('nanosecond captures keep nanosecond timestamps (tshark frame.time_epoch)', () => {
  const frames = readCapture(readFileSync(join(capturesDir, 'lispproject-map_registers.pcap')));
  assert.deepEqual(
    frames.map((f) => f.timestampNs),
    [1427664124_174386473n, 1427664124_174404857n],
  );
  const single = readCapture(readFileSync(join(capturesDir, 'lispproject-map_request.pcap')));
  assert.equal(single.length, 1);
  assert.equal(single[0]?.timestampNs, 1427664254_042732498n);
});

test('snapped frames keep captured and original lengths apart', () => {
  const frames = readCapture(readFileSync(join(capturesDir, 'tcpdump-lisp_invalid.pcap')));
  assert.deepEqual(
    frames.map((f) => [f.data.length, f.originalLength]),
    [
      [174, 174],
      [83, 170],
    ],
  );
  const [odd] = readCapture(readFileSync(join(capturesDir, 'tcpdump-lisp_invalid_length.pcap')));
  assert.deepEqual([odd?.data.length, odd?.originalLength], [109, 65642]);
});

test('malformed pcap files throw ERR_LISP_CAPTURE', () => {
  const good = pcapFile([{ data }, { data }]);
  const cases: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['bad magic', Buffer.concat([Buffer.from('bad!'), good.subarray(4)])],
    ['short global header', good.subarray(0, 20)],
    ['truncated record header', good.subarray(0, 24 + 16 + data.length + 10)],
    ['truncated record data', good.subarray(0, good.length - 1)],
  ];
  for (const [name, buf] of cases) assert.throws(() => readCapture(buf), captureError, name);
});
