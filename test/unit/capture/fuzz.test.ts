// Random byte mutations and truncations of the interop captures: reading never
// throws anything but LispError ERR_LISP_CAPTURE, dissecting never throws, neither hangs.
// Each runs from its fixed seed, then from this run's random seed (printed; LOCI_FUZZ_SEED
// replays it, test/helpers/seeds.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { frameDatagram, LinkType, readCapture } from '../../../src/capture/index.js';
import { LispError } from '../../../src/packet/errors.js';
import { replayHint, runSeed } from '../../helpers/seeds.js';
import { captureFiles } from '../../helpers/vectors.js';

const ITERATIONS = 2000;

/** xorshift32: reproducible runs from a seed. */
function random(seed: number): (below: number) => number {
  let state = seed || 1;
  return (below) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % below;
  };
}

function mutate(original: Buffer, next: (below: number) => number): Buffer {
  const buf = Buffer.from(original);
  if (buf.length === 0) return buf;
  const edits = 1 + next(8);
  for (let i = 0; i < edits; i++) {
    // Aim a third of the edits at the file header, where a mutation changes the most.
    const at = next(3) === 0 ? next(Math.min(64, buf.length)) : next(buf.length);
    buf[at] = next(4) === 0 ? [0x00, 0xff, 0x80, 0x7f][next(4)] ?? 0 : next(256);
  }
  return next(5) === 0 ? buf.subarray(0, next(buf.length + 1)) : buf;
}

const SEED = runSeed();
const FILE = 'test/unit/capture/fuzz.test.ts';

/** The fixed seed, then this run's random one. */
const seedsFor = (fixed: number) => [
  { seed: fixed, what: `fixed seed ${fixed}` },
  { seed: (SEED ^ fixed) >>> 0, what: replayHint(SEED, FILE) },
];

for (const [index, file] of captureFiles().entries()) {
  test(`mutated ${basename(file)}: only ERR_LISP_CAPTURE, no hang`, { timeout: 20_000 }, (t) => {
    t.diagnostic(`random seed ${SEED}`);
    const original = readFileSync(file);
    for (const { seed, what } of seedsFor(0x9e3779b9 ^ (index + 1))) {
      const next = random(seed);
      let read = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        const buf = mutate(original, next);
        try {
          for (const frame of readCapture(buf)) frameDatagram(frame);
          read++;
        } catch (err) {
          assert.ok(err instanceof LispError, `${what}, iteration ${i}: ${String(err)}`);
          assert.equal(err.code, 'ERR_LISP_CAPTURE', `${what}, iteration ${i}`);
        }
      }
      assert.ok(read > 0, `${what}: some mutations still read as captures`);
    }
  });
}

test('mutated frames under every link type: dissection never throws', { timeout: 20_000 }, (t) => {
  t.diagnostic(`random seed ${SEED}`);
  const frames = captureFiles().flatMap((file) => readCapture(readFileSync(file)));
  for (const { seed, what } of seedsFor(0x2545f491)) {
    const next = random(seed);
    for (const linkType of Object.values(LinkType)) {
      for (const frame of frames) {
        // Offer the frame whole and from its IP header, so raw and cooked types see IP too.
        for (const data of [frame.data, frame.data.subarray(14)]) {
          const mutated = mutate(data, next);
          assert.doesNotThrow(() => frameDatagram({ ...frame, linkType, data: mutated }), `${what}: link type ${linkType}, ${mutated.toString('hex')}`);
        }
      }
    }
  }
});
